import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTransientDatabaseFailure } from '../db/failures.ts';
import { MoneyValidationError } from '../money/index.ts';
import { AppError, ERROR_CODES, type ErrorCode, type ErrorDetails } from '../shared/errors.ts';
import { toFieldProblems } from './validation.ts';

/** The one JSON error shape every failure has. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly requestId: string;
    readonly details?: ErrorDetails;
  };
}

/** Fastify's own failures (parsing, limits, routing) mapped onto the registry. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
};

/** Turns any thrown value into a registered code, a safe message and optional details. */
export function classify(error: unknown): { code: ErrorCode; message: string; details?: ErrorDetails } {
  if (error instanceof AppError) return { code: error.code, message: error.message, details: error.details };
  if (error instanceof MoneyValidationError) {
    // Loan terms arrive in request bodies; the money module names the field within them.
    const field = `body.${error.field}`;
    return {
      code: 'VALIDATION_FAILED',
      message: `${field}: ${error.message}`,
      details: { fields: [{ field, message: error.message }] },
    };
  }
  const fastifyError = error as Partial<FastifyError> & {
    validation?: ErrorObject[];
    validationContext?: string;
  };
  if (Array.isArray(fastifyError.validation)) {
    const fields = toFieldProblems(fastifyError.validation, fastifyError.validationContext ?? 'body');
    const message = fields.map((f) => `${f.field} ${f.message}`).join('; ');
    return { code: 'VALIDATION_FAILED', message, details: { fields } };
  }
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return { code: mapped, message: ERROR_CODES[mapped].message };
  if (fastifyError.statusCode === 429)
    return { code: 'RATE_LIMITED', message: ERROR_CODES.RATE_LIMITED.message };
  // The database is away (restart, network cut, no connection in time) or aborted a transaction
  // over a conflict that its retries did not get past (db/transaction.ts): nothing is wrong with
  // the request, the transaction it failed in was rolled back, and it may be sent again later.
  if (isTransientDatabaseFailure(error))
    return { code: 'UNAVAILABLE', message: ERROR_CODES.UNAVAILABLE.message };
  // Anything else is a defect or an outage: never show its message, which may carry internals.
  return { code: 'INTERNAL', message: ERROR_CODES.INTERNAL.message };
}

export function errorBody(
  requestId: string,
  code: ErrorCode,
  message: string,
  details?: ErrorDetails,
): ErrorBody {
  return { error: { code, message, requestId, ...(details ? { details } : {}) } };
}

/** Seconds a client should wait before retrying after `503 UNAVAILABLE` (the pool's connect timeout is 5 s). */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { code, message, details } = classify(error);
    const status = ERROR_CODES[code].status;
    if (code === 'UNAVAILABLE') {
      // An outage, not a defect: one warning per request (an error line each would flood the log
      // while the database is away), and the client told when to try again.
      request.log.warn({ err: error }, 'request failed: a dependency is unavailable');
      reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
    } else if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code }, 'request refused');
    return reply.code(status).send(errorBody(request.id, code, message, details));
  });

  app.setNotFoundHandler((request, reply) => {
    return reply
      .code(404)
      .send(
        errorBody(request.id, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`),
      );
  });
}
