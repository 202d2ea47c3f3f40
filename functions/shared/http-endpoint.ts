import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { runUntil } from '../../lib/resilience/request-end.js';
import { logger, metrics } from './container.js';
import { requestEndOf } from './deadline.js';
import { problemHandler } from './problem-handler.js';
import { requestIdOf } from './request.js';
import { requestMetrics } from './request-metrics.js';
import { withSecurityHeaders } from './responses.js';

type EndpointHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * The one middleware stack every endpoint shares: logger context (never the event: it carries the
 * client's key) with the request id of API Gateway as `correlation_id` on every line, the request's
 * metrics as one EMF document, the security headers on every answer, and problem+json errors,
 * registered last. The handler runs as one request with an end (`runUntil`), which bounds every
 * DynamoDB and Secrets Manager call in it.
 */
export function httpEndpoint(handler: EndpointHandler) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({ before: (request) => logger.setCorrelationId(requestIdOf(request.event, request.context)) })
    .use(requestMetrics(metrics))
    .use(securityHeaders)
    .use(problemHandler(logger))
    .handler((event, context) => runUntil(requestEndOf(event, context), () => handler(event, context)));
}

/**
 * Registered before the error handler, so its `onError` runs after it: the problem answers get the
 * headers as the successful ones do, whatever the handler or the error handler built.
 */
const securityHeaders: MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> = {
  after: addSecurityHeaders,
  onError: addSecurityHeaders,
};

function addSecurityHeaders(request: { response: APIGatewayProxyResult | null | undefined }): void {
  if (request.response) request.response = withSecurityHeaders(request.response);
}
