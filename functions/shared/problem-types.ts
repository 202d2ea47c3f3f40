/**
 * The stable `type` URIs of the API's `application/problem+json` errors. Clients match on them;
 * the handlers and API Gateway's own gateway responses (CDK) both use this list.
 */
export const PROBLEM_BASE = 'https://valor-ivx.dev/problems/';

export const PROBLEMS = {
  badRequest: { status: 400, slug: 'bad-request', title: 'Bad request' },
  forbidden: { status: 403, slug: 'forbidden', title: 'Forbidden' },
  symbolNotFound: { status: 404, slug: 'symbol-not-found', title: 'Unknown symbol' },
  tooManyRequests: { status: 429, slug: 'too-many-requests', title: 'Too many requests' },
  internalError: { status: 500, slug: 'internal-error', title: 'Internal error' },
  providersUnavailable: { status: 503, slug: 'providers-unavailable', title: 'Data providers unavailable' },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

export function problemTypeUri(kind: ProblemKind): string {
  return `${PROBLEM_BASE}${PROBLEMS[kind].slug}`;
}
