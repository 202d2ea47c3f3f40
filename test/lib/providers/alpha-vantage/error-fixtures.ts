/**
 * Alpha Vantage's recorded refusals (`test/fixtures/providers/alphavantage/errors/`) and the failure
 * kind each must read as. Alpha Vantage answers them all with HTTP 200, whatever the function, so every
 * endpoint's classifier is held to the same table.
 */
export const ALPHA_VANTAGE_ERROR_KINDS: Readonly<Record<string, string>> = {
  'error_apikey_invalid_or_missing.json': 'invalid_key',
  'error_invalid_api_call_time_series_daily.json': 'unknown_symbol',
  'information_daily_limit_25.json': 'quota_exhausted',
  'information_demo_key.json': 'invalid_key',
  'information_premium_endpoint.json': 'plan_restricted',
  'information_premium_outputsize_full.json': 'plan_restricted',
  'note_call_frequency_5pm_500pd_legacy.json': 'throttled',
};
