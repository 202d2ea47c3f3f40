import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger, metrics } from './container.js';
import { problemHandler } from './problem-handler.js';
import { requestMetrics } from './request-metrics.js';

type EndpointHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * The one middleware stack every endpoint shares: logger context (never the event: it carries the
 * client's key), the request's metrics as one EMF document, and problem+json errors, registered last.
 */
export function httpEndpoint(handler: EndpointHandler) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(requestMetrics(metrics))
    .use(problemHandler(logger))
    .handler(handler);
}
