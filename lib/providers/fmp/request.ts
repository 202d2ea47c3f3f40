import { apiKeyInQuery } from '../normalize.js';

/**
 * A `GET` on one FMP path (`/stable/quote`) with its query parameters and the key as `apikey`.
 * `path` starts with `/`; a trailing `/` on `baseUrl` is dropped so configuration may carry one.
 */
export const fmpRequest = apiKeyInQuery;
