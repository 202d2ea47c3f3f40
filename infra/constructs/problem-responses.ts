import { ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { PROBLEM_BASE } from '../../functions/shared/problem-types.js';

/** How one kind of error raised by API Gateway itself (not by a function) is shown to callers. */
interface GatewayProblem {
  readonly responseType: ResponseType;
  /** Last segment of the problem `type`. */
  readonly slug: string;
  readonly title: string;
  /** Fixed status; absent for the DEFAULT_* types, which cover several statuses. */
  readonly status?: number;
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
    slug: 'forbidden',
    title: 'Forbidden',
    status: 403,
    detail: 'A valid client API key is required in the x-api-key header.',
  },
  {
    responseType: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    slug: 'forbidden',
    title: 'Forbidden',
    status: 403,
    detail: 'The request has no valid credentials, or no such route exists.',
  },
  { responseType: ResponseType.ACCESS_DENIED, slug: 'forbidden', title: 'Forbidden', status: 403 },
  { responseType: ResponseType.INVALID_SIGNATURE, slug: 'forbidden', title: 'Forbidden', status: 403 },
  { responseType: ResponseType.EXPIRED_TOKEN, slug: 'forbidden', title: 'Forbidden', status: 403 },
  {
    responseType: ResponseType.THROTTLED,
    slug: 'too-many-requests',
    title: 'Too Many Requests',
    status: 429,
    detail: "The client API key is over its usage plan's request rate; retry after a short wait.",
    headers: { 'Retry-After': '1' },
  },
  {
    responseType: ResponseType.QUOTA_EXCEEDED,
    slug: 'too-many-requests',
    title: 'Too Many Requests',
    status: 429,
    detail: "The client API key has used its usage plan's daily quota.",
  },
  {
    responseType: ResponseType.BAD_REQUEST_PARAMETERS,
    slug: 'bad-request',
    title: 'Bad Request',
    status: 400,
  },
  { responseType: ResponseType.BAD_REQUEST_BODY, slug: 'bad-request', title: 'Bad Request', status: 400 },
  {
    responseType: ResponseType.INTEGRATION_TIMEOUT,
    slug: 'gateway-timeout',
    title: 'Gateway Timeout',
    status: 504,
  },
  { responseType: ResponseType.DEFAULT_4XX, slug: 'client-error', title: 'Client Error' },
  { responseType: ResponseType.DEFAULT_5XX, slug: 'server-error', title: 'Server Error' },
];

/**
 * Makes API Gateway's own 4xx/5xx answers RFC 9457 problem documents, like the functions' errors,
 * so a client parses one error shape whoever answered.
 */
export function addProblemResponses(api: RestApi): void {
  for (const problem of GATEWAY_PROBLEMS) {
    api.addGatewayResponse(`Problem${problem.responseType.responseType}`, {
      type: problem.responseType,
      ...(problem.status === undefined ? {} : { statusCode: String(problem.status) }),
      responseHeaders: quoteHeaders({ 'Content-Type': 'application/problem+json', ...problem.headers }),
      templates: { 'application/json': problemTemplate(problem) },
    });
  }
}

/** A mapping template (VTL) rendering the problem JSON; `$context` values are filled in per request. */
function problemTemplate(problem: GatewayProblem): string {
  const fields = [
    `"type":${JSON.stringify(PROBLEM_BASE + problem.slug)}`,
    `"title":${JSON.stringify(problem.title)}`,
    ...(problem.status === undefined ? [] : [`"status":${problem.status}`]),
    // messageString is API Gateway's message already JSON-quoted.
    `"detail":${problem.detail === undefined ? '$context.error.messageString' : JSON.stringify(problem.detail)}`,
    `"requestId":"$context.requestId"`,
  ];
  return `{${fields.join(',')}}`;
}

/** Gateway response header values are static expressions: literal strings in single quotes. */
function quoteHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`]));
}
