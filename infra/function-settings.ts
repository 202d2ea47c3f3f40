/**
 * The Lambda settings the CDK constructs deploy and the local stack reproduces, in one place. Plain
 * values only: the local stack runs without aws-cdk-lib, so this module imports nothing.
 */

/**
 * The environment every function gets; handlers read the rest of their configuration with defaults.
 * The healthy path logs nothing but its one EMF document; INFO keeps the rare events (a breaker
 * transition, a parked key), and about one warm invocation in a hundred logs at DEBUG (Powertools
 * draws again at each invocation) so a sample of requests can be read in full.
 */
export const FUNCTION_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'valor-ivx-data',
  POWERTOOLS_METRICS_NAMESPACE: 'ValorIVX/DataLayer',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_LOGGER_SAMPLE_RATE: '0.01',
  NODE_OPTIONS: '--enable-source-maps',
} as const;

/** A function's memory and timeout. */
export interface FunctionSize {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

/**
 * A route's function. API Gateway cuts the request at 29 s; stopping at 20 s leaves the handler time
 * to answer with a stale value or a 503 problem instead of the caller seeing a gateway timeout.
 */
export const ROUTE_FUNCTION_SIZE: FunctionSize = { memoryMb: 1024, timeoutSeconds: 20 };

/**
 * The key-rotation function: little memory, and a longer timeout, as no API Gateway waits on it and
 * each new key costs one provider call of up to 5 s.
 */
export const KEY_ROTATION_FUNCTION_SIZE: FunctionSize = { memoryMb: 256, timeoutSeconds: 120 };
