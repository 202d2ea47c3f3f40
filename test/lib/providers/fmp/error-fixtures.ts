/**
 * FMP's recorded refusals (`test/fixtures/providers/fmp/errors/`), each with the HTTP status it came
 * with and the failure kind it must read as, whatever the endpoint.
 */
export const FMP_ERROR_KINDS: Readonly<Record<string, [status: number, kind: string]>> = {
  'invalid_api_key_401.json': [401, 'invalid_key'],
  'limit_reach_429.json': [429, 'quota_exhausted'],
  'legacy_endpoint_403.json': [403, 'plan_restricted'],
};
