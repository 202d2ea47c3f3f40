import { ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { PROBLEMS, type ProblemKind, problemStatus, problemTypeUri } from '../../lib/api/problems.js';
import { SECURITY_HEADERS } from '../../lib/api/security-headers.js';

/** How one kind of error raised by API Gateway itself (not by a function) is shown to callers. */
interface GatewayProblem {
  readonly responseType: ResponseType;
  /** The problem kind; its slug, title and (fixed) status come from `PROBLEMS`. */
  readonly kind: ProblemKind;
  /** Fixed detail; absent means API Gateway's own message, which never carries a key. */
  readonly detail?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The gateway errors a caller can meet, from most to least specific. 403 covers both a missing or
 * wrong client key and an unknown path: API Gateway answers an unknown path with "Missing
 * Authentication Token", and cannot tell the two apart.
 */
export const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  {
    responseType: ResponseType.INVALID_API_KEY,
    kind: 'forbidden',
    detail: 'A valid client API key is required in the x-api-key header.',
  },
  {
    responseType: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    kind: 'forbidden',
    detail: 'The request has no valid credentials, or no such route exists.',
  },
  { responseType: ResponseType.ACCESS_DENIED, kind: 'forbidden' },
  { responseType: ResponseType.INVALID_SIGNATURE, kind: 'forbidden' },
  { responseType: ResponseType.EXPIRED_TOKEN, kind: 'forbidden' },
  {
    responseType: ResponseType.THROTTLED,
    kind: 'tooManyRequests',
    detail: "The client API key is over its usage plan's request rate; retry after a short wait.",
    headers: { 'Retry-After': '1' },
  },
  {
    responseType: ResponseType.QUOTA_EXCEEDED,
    kind: 'tooManyRequests',
    detail: "The client API key has used its usage plan's daily quota.",
  },
  { responseType: ResponseType.BAD_REQUEST_PARAMETERS, kind: 'badRequest' },
  { responseType: ResponseType.BAD_REQUEST_BODY, kind: 'badRequest' },
  { responseType: ResponseType.INTEGRATION_TIMEOUT, kind: 'gatewayTimeout' },
  // No fixed status: these cover every 4xx and 5xx not listed above, and keep API Gateway's.
  { responseType: ResponseType.DEFAULT_4XX, kind: 'clientError' },
  { responseType: ResponseType.DEFAULT_5XX, kind: 'serverError' },
];

/**
 * Makes API Gateway's own 4xx/5xx answers RFC 9457 problem documents, like the functions' errors,
 * so a client parses one error shape whoever answered.
 */
export function addProblemResponses(api: RestApi): void {
  for (const problem of GATEWAY_PROBLEMS) {
    const status = problemStatus(problem.kind);
    api.addGatewayResponse(`Problem${problem.responseType.responseType}`, {
      type: problem.responseType,
      ...(status === undefined ? {} : { statusCode: String(status) }),
      responseHeaders: quoteHeaders({
        'Content-Type': 'application/problem+json',
        'Cache-Control': 'no-store',
        ...SECURITY_HEADERS,
        ...problem.headers,
      }),
      templates: { 'application/json': problemTemplate(problem) },
    });
  }
}

/** A mapping template (VTL) rendering the problem JSON; `$context` values are filled in per request. */
function problemTemplate(problem: GatewayProblem): string {
  const status = problemStatus(problem.kind);
  const fields = [
    `"type":${JSON.stringify(problemTypeUri(problem.kind))}`,
    `"title":${JSON.stringify(PROBLEMS[problem.kind].title)}`,
    ...(status === undefined ? [] : [`"status":${status}`]),
    // messageString is API Gateway's message already JSON-quoted.
    `"detail":${problem.detail === undefined ? '$context.error.messageString' : JSON.stringify(problem.detail)}`,
    `"requestId":"$context.requestId"`,
  ];
  return `{${fields.join(',')}}`;
}

/**
 * Gateway response header values are static expressions: literal strings in single quotes, a quote
 * inside escaped with a backslash (`frame-ancestors 'none'` becomes `'frame-ancestors \'none\''`).
 */
function quoteHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, `'${value.replaceAll("'", "\\'")}'`]),
  );
}
