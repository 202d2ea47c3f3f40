import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** API Gateway's REST integration gives up after 29 s, whatever the function's own timeout. */
const API_GATEWAY_INTEGRATION_TIMEOUT_MS = 29_000;

/**
 * The moment (epoch ms) past which no answer reaches the caller: the sooner of the Lambda's own end
 * and API Gateway's integration limit, counted from when API Gateway received the request. The
 * handler runs under it (`runUntil`); the layer reads it, and the provider work's end a margin
 * before it, from `lib/resilience/request-end.ts`.
 */
export function requestEndOf(
  event: APIGatewayProxyEvent,
  context: Context,
  now: number = Date.now(),
): number {
  const lambdaEnd = now + context.getRemainingTimeInMillis();
  const receivedAt = event.requestContext.requestTimeEpoch || now;
  return Math.min(lambdaEnd, receivedAt + API_GATEWAY_INTEGRATION_TIMEOUT_MS);
}
