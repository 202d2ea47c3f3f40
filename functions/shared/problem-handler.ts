import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvalidRequestError, ProvidersUnavailableError, SymbolNotFoundError } from '../../lib/errors.js';
import type { DomainLogger } from '../../lib/observability/logger.js';
import { problemResponse } from './responses.js';

/**
 * The one place where errors become HTTP answers. Domain errors map to 4xx/503 with a safe detail;
 * anything else is a 500 whose message is logged, never shown.
 */
export function problemHandler(
  logger: DomainLogger,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: (request) => {
      const error = request.error;
      const instance = request.event?.path;
      if (error instanceof InvalidRequestError) {
        request.response = problemResponse('badRequest', error.message, {
          instance,
          fields: { issues: error.issues },
        });
      } else if (error instanceof SymbolNotFoundError) {
        request.response = problemResponse('symbolNotFound', error.message, {
          instance,
          fields: { symbol: error.symbol },
        });
      } else if (error instanceof ProvidersUnavailableError) {
        request.response = problemResponse('providersUnavailable', error.message, {
          instance,
          headers: { 'retry-after': String(error.retryAfterSeconds) },
          fields: { retryAfterSeconds: error.retryAfterSeconds },
        });
      } else {
        // Logged with its stack for operators; the caller only learns that it failed.
        logger.error('request failed', error instanceof Error ? error : String(error));
        request.response = problemResponse('internalError', 'the request could not be completed', {
          instance,
        });
      }
    },
  };
}
