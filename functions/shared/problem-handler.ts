import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  InvalidRequestError,
  ProvidersUnavailableError,
  SymbolNotFoundError,
  UnsupportedMediaTypeError,
} from '../../lib/errors.js';
import type { DomainLogger } from '../../lib/observability/logger.js';
import { requestIdOf } from './request.js';
import { problemResponse } from './responses.js';

/**
 * The one place where errors become HTTP answers. Domain errors map to 4xx/503 with a safe detail;
 * anything else is a 500 whose message is logged, never shown. Every problem names the request id
 * (the one in the log lines), never the request's path or input: those are the client's own text.
 */
export function problemHandler(
  logger: DomainLogger,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: (request) => {
      const error = request.error;
      const requestId = requestIdOf(request.event, request.context);
      if (error instanceof InvalidRequestError) {
        request.response = problemResponse('badRequest', error.message, {
          requestId,
          fields: { issues: [...error.issues] },
        });
      } else if (error instanceof UnsupportedMediaTypeError) {
        request.response = problemResponse('unsupportedMediaType', error.message, { requestId });
      } else if (error instanceof SymbolNotFoundError) {
        request.response = problemResponse('symbolNotFound', error.message, {
          requestId,
          fields: { symbol: error.symbol },
        });
      } else if (error instanceof ProvidersUnavailableError) {
        request.response = problemResponse('providersUnavailable', error.message, {
          requestId,
          headers: { 'retry-after': String(error.retryAfterSeconds) },
          fields: { retryAfterSeconds: error.retryAfterSeconds },
        });
      } else {
        // Logged with its stack for operators; the caller only learns that it failed.
        logger.error('request failed', error instanceof Error ? error : String(error));
        request.response = problemResponse('internalError', 'the request could not be completed', {
          requestId,
        });
      }
    },
  };
}
