import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/**
 * A request header, whatever its letter case (API Gateway's REST events keep the client's); a
 * header sent several times is read as one comma-joined list, as RFC 9110 §5.3 combines them.
 */
export function requestHeader(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  const values = Object.entries(event.multiValueHeaders ?? {}).flatMap(([key, list]) =>
    key.toLowerCase() === wanted ? (list ?? []) : [],
  );
  if (values.length > 0) return values.join(', ');
  return Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted)?.[1];
}

/**
 * The request's id as the caller can see it: API Gateway's (its `x-amzn-RequestId` header, and the
 * `requestId` of the problems API Gateway writes itself). Lambda's own id only when the function was
 * invoked without API Gateway; it is in every log line anyway, as `function_request_id`.
 */
export function requestIdOf(event: APIGatewayProxyEvent | undefined, context: Context): string {
  return event?.requestContext?.requestId || context.awsRequestId;
}
