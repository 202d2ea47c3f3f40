/**
 * The domain's errors. Expected provider outcomes are values (see `ProviderResult`); these are what a
 * request ends with when no value can be served. `functions/` maps each to one HTTP answer.
 */
export class DataLayerError extends Error {
  override name = 'DataLayerError';
}

/** The caller sent something the API cannot accept (400). `issues` are safe to show. */
export class InvalidRequestError extends DataLayerError {
  override name = 'InvalidRequestError';
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
  }
}

/** Every provider that could know says the symbol does not exist (404). */
export class SymbolNotFoundError extends DataLayerError {
  override name = 'SymbolNotFoundError';
  constructor(readonly symbol: string) {
    super(`no provider knows the symbol ${symbol}`);
  }
}

/** No provider could answer and nothing cached may be served (503 + Retry-After). */
export class ProvidersUnavailableError extends DataLayerError {
  override name = 'ProvidersUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The request body comes in a media type the API does not read (415); `accepted` names the one it does. */
export class UnsupportedMediaTypeError extends DataLayerError {
  override name = 'UnsupportedMediaTypeError';
  constructor(readonly accepted: string) {
    super(`the body must be ${accepted}`);
  }
}
