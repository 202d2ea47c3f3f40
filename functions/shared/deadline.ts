import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** API Gateway's REST integration gives up after 29 s, whatever the function's own timeout. */
const API_GATEWAY_INTEGRATION_TIMEOUT_MS = 29_000;

/** Time kept back to write the cache, fall back to a stale value, or answer 503 before being cut off. */
const ANSWER_MARGIN_MS = 1_000;

/**
 * The moment (epoch ms) by which provider work must be done: the sooner of the Lambda's own end and
 * API Gateway's integration limit, counted from when API Gateway received the request, less a margin.
 */
export function requestDeadline(
  event: APIGatewayProxyEvent,
  context: Context,
  now: number = Date.now(),
): number {
  return requestEnd(event, context, now) - ANSWER_MARGIN_MS;
}

/** The moment (epoch ms) past which no answer reaches the caller: no call of the request may outlive it. */
export function requestEnd(event: APIGatewayProxyEvent, context: Context, now: number = Date.now()): number {
  const lambdaEnd = now + context.getRemainingTimeInMillis();
  const receivedAt = event.requestContext.requestTimeEpoch || now;
  return Math.min(lambdaEnd, receivedAt + API_GATEWAY_INTEGRATION_TIMEOUT_MS);
}
