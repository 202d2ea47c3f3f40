/**
 * The Lambda settings the CDK constructs deploy and the local stack reproduces, in one place. Plain
 * values only: the local stack runs without aws-cdk-lib, so this module imports nothing.
 */

/**
 * The environment every function gets; handlers read the rest of their configuration with defaults.
 * The healthy path logs nothing but its one EMF document; INFO keeps the rare events (a breaker
 * transition, a parked key), and a sample of warm invocations logs at DEBUG so some requests can be
 * read in full. Powertools draws anew at each invocation, an integer 0-99 against rate × 100, so
 * 0.01 samples about 2 % (the bench measured 0.02 extra lines per cache hit).
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
 *
 * 512 MB, from what `npm run bench` measured (2026-11-30, in process, one x86 core): the handler
 * waits far more than it computes. A cache hit takes 0.88 ms of CPU, 0.68 ms of it the SDK's own
 * GetItem; a healthy miss under 6.5 ms (its provider call and two DynamoDB writes wait 100+ ms on
 * AWS); the whole local stack, handlers included, stays under 200 MB RSS. Lambda gives a function
 * memory/1769 MB of a vCPU, so that CPU takes at worst ~3 ms per hit and ~22 ms per miss at 512 MB,
 * against ~1.5 and ~11 ms at 1024 MB, while each billed millisecond costs half. With a ~3 ms GetItem
 * and ~200 ms of waits per miss, at 80 % hits: ~25 GB-ms per request instead of ~46 (about $0.34
 * instead of $0.62 a million on arm64), for ~1.5 ms more per hit. Cold init (the bundle's import,
 * 120-270 ms on a full core) stretches alike, once per container. Below 512 MB the per-hit CPU
 * time would pass the GetItem's own wait.
 */
export const ROUTE_FUNCTION_SIZE: FunctionSize = { memoryMb: 512, timeoutSeconds: 20 };

/**
 * The key-rotation function: little memory, and a longer timeout, as no API Gateway waits on it and
 * each new key costs one provider call of up to 5 s.
 */
export const KEY_ROTATION_FUNCTION_SIZE: FunctionSize = { memoryMb: 256, timeoutSeconds: 120 };
