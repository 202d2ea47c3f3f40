/**
 * The stable `type` URIs of the API's `application/problem+json` errors. Clients match on them;
 * the handlers and API Gateway's own gateway responses (CDK) both use this list.
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
