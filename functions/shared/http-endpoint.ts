import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { runUntil } from '../../lib/resilience/request-end.js';
import { logger, metrics } from './container.js';
import { requestEnd } from './deadline.js';
import { problemHandler } from './problem-handler.js';

type EndpointHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * The one middleware stack every endpoint shares: logger context (never the event: it carries the
 * client's key), the cold-start metric, and problem+json errors, registered last. The handler runs
 * as one request with an end (`runUntil`), which bounds every DynamoDB and Secrets Manager call in it.
 */
export function httpEndpoint(handler: EndpointHandler) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({ before: (request) => metrics.captureColdStartMetric(request.context.functionName) })
    .use(problemHandler(logger))
    .handler((event, context) => runUntil(requestEnd(event, context), () => handler(event, context)));
}
