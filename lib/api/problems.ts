import * as z from 'zod/mini';

/**
 * The stable `type` URIs of the API's `application/problem+json` errors. Clients match on them;
 * the handlers, API Gateway's own gateway responses (CDK) and the OpenAPI document all use this list.
 */
export const PROBLEM_BASE = 'https://valor-ivx.dev/problems/';

/**
 * Every kind of problem the API answers with, whoever answers: a handler or API Gateway itself.
 * `status` is absent only where one kind covers several statuses (API Gateway's catch-all 4xx/5xx).
 */
export const PROBLEMS = {
  badRequest: { status: 400, slug: 'bad-request', title: 'Bad request' },
  forbidden: { status: 403, slug: 'forbidden', title: 'Forbidden' },
  symbolNotFound: { status: 404, slug: 'symbol-not-found', title: 'Unknown symbol' },
  unsupportedMediaType: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
  tooManyRequests: { status: 429, slug: 'too-many-requests', title: 'Too many requests' },
  internalError: { status: 500, slug: 'internal-error', title: 'Internal error' },
  providersUnavailable: { status: 503, slug: 'providers-unavailable', title: 'Data providers unavailable' },
  gatewayTimeout: { status: 504, slug: 'gateway-timeout', title: 'Gateway timeout' },
  clientError: { slug: 'client-error', title: 'Client error' },
  serverError: { slug: 'server-error', title: 'Server error' },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

/** The kinds with one fixed status: the ones a handler can answer with. */
export type FixedStatusProblemKind = {
  [K in ProblemKind]: (typeof PROBLEMS)[K] extends { readonly status: number } ? K : never;
}[ProblemKind];

export function problemTypeUri(kind: ProblemKind): string {
  return `${PROBLEM_BASE}${PROBLEMS[kind].slug}`;
}

/** The fixed status of a problem kind, or undefined for the catch-all kinds that cover several. */
export function problemStatus(kind: ProblemKind): number | undefined {
  const problem = PROBLEMS[kind];
  return 'status' in problem ? problem.status : undefined;
}

/**
 * An RFC 9457 problem as this API writes it, whoever answers. `requestId` is API Gateway's request
 * id (`x-amzn-RequestId`, and `correlation_id` in the functions' log lines): the one id a caller
 * quotes to an operator. The extension members are those the functions add for some kinds.
 * `status` is absent only from API Gateway's catch-all 4xx/5xx answers.
 */
export const ProblemSchema = z.object({
  type: z.string().check(z.url()),
  title: z.string(),
  status: z.optional(z.int().check(z.gte(400), z.lte(599))),
  detail: z.string(),
  requestId: z.string(),
  /** 400: what is wrong with the request, one line per fault, never the offending input itself. */
  issues: z.optional(z.array(z.string())),
  /** 404: the symbol no provider knows (already validated, so safe to show). */
  symbol: z.optional(z.string()),
  /** 503: when to come back; the same number as the `Retry-After` header. */
  retryAfterSeconds: z.optional(z.int().check(z.positive())),
});

export type Problem = z.infer<typeof ProblemSchema>;
