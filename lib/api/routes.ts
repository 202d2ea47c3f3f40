/**
 * The one route table of the API. The CDK stack builds API Gateway resources and functions from it;
 * the local gateway routes requests and enforces keys from it.
 */
export interface RouteDefinition {
  /** Stable id: the CDK construct id, the local gateway's name for the route, the OpenAPI operationId. */
  readonly id: string;
  readonly method: 'GET' | 'POST';
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly path: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  /** `client`: needs a client API key (usage plan); `operator`: IAM on AWS, the operator key locally. */
  readonly auth: 'client' | 'operator';
  /** Query-string parameters API Gateway's request validator requires. */
  readonly requiredQuery?: readonly string[];
}

export const ROUTES: readonly RouteDefinition[] = [
  {
    id: 'GetStockQuote',
    method: 'GET',
    path: '/api/data/stock/{symbol}',
    entry: 'functions/get-stock-quote.ts',
    auth: 'client',
  },
  {
    id: 'GetFinancials',
    method: 'GET',
    path: '/api/data/financials/{symbol}',
    entry: 'functions/get-financials.ts',
    auth: 'client',
    requiredQuery: ['statement'],
  },
  {
    id: 'GetCompany',
    method: 'GET',
    path: '/api/data/company/{symbol}',
    entry: 'functions/get-company.ts',
    auth: 'client',
  },
  {
    id: 'GetCorporateActions',
    method: 'GET',
    path: '/api/data/corporate-actions/{symbol}',
    entry: 'functions/get-corporate-actions.ts',
    auth: 'client',
  },
  {
    id: 'SearchSymbols',
    method: 'GET',
    path: '/api/data/search',
    entry: 'functions/search-symbols.ts',
    auth: 'client',
    requiredQuery: ['q'],
  },
  {
    id: 'BatchPrices',
    method: 'POST',
    path: '/api/data/batch/prices',
    entry: 'functions/batch-prices.ts',
    auth: 'client',
  },
  {
    id: 'GetHealth',
    method: 'GET',
    path: '/api/data/health',
    entry: 'functions/get-health.ts',
    auth: 'client',
  },
  {
    id: 'GetOpenApi',
    method: 'GET',
    path: '/api/data/openapi.json',
    entry: 'functions/get-openapi.ts',
    auth: 'client',
  },
  {
    id: 'ListCircuitBreakers',
    method: 'GET',
    path: '/api/data/circuit-breakers',
    entry: 'functions/list-circuit-breakers.ts',
    auth: 'operator',
  },
  {
    id: 'ResetCircuitBreaker',
    method: 'POST',
    path: '/api/data/circuit-breakers/{name}/reset',
    entry: 'functions/override-circuit-breaker.ts',
    auth: 'operator',
  },
  {
    id: 'OpenCircuitBreaker',
    method: 'POST',
    path: '/api/data/circuit-breakers/{name}/open',
    entry: 'functions/override-circuit-breaker.ts',
    auth: 'operator',
  },
  {
    id: 'GetApiKeysStatus',
    method: 'GET',
    path: '/api/data/api-keys/status',
    entry: 'functions/get-api-keys-status.ts',
    auth: 'operator',
  },
  {
    id: 'ReleaseApiKey',
    method: 'POST',
    path: '/api/data/api-keys/{provider}/{keyId}/release',
    entry: 'functions/release-api-key.ts',
    auth: 'operator',
  },
  {
    id: 'GetProvidersStatus',
    method: 'GET',
    path: '/api/data/providers/status',
    entry: 'functions/get-providers-status.ts',
    auth: 'operator',
  },
];

/** The API Gateway stage name, on AWS and in the local gateway's events. */
export const API_STAGE = 'v1';
