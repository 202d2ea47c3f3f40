import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger, metrics } from './container.js';
import { problemHandler } from './problem-handler.js';

type EndpointHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * The one middleware stack every endpoint shares: logger context (never the event: it carries the
 * client's key), the cold-start metric, and problem+json errors, registered last.
 */
export function httpEndpoint(handler: EndpointHandler) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({ before: (request) => metrics.captureColdStartMetric(request.context.functionName) })
    .use(problemHandler(logger))
    .handler(handler);
}
