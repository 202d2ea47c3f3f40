import { apiKeyInQuery } from '../normalize.js';

/**
 * A `GET` on one Twelve Data path (`/quote`, `/time_series`) with its query parameters and the key as
 * `apikey`, Twelve Data's documented way. A trailing `/` on `baseUrl` is dropped so configuration may
 * carry one.
 */
export const twelveDataRequest = apiKeyInQuery;
