import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
} from 'fastify';
import type { Logger } from 'pino';
import type { BorrowerSessions } from '../borrowers/sessions.ts';
import type { Config } from '../config.ts';
import type { OperatorService } from '../operators/service.ts';
import { registerPublicBodyLimit } from './body-limits.ts';
import { registerBorrowerAuth } from './borrower-auth.ts';
import { registerNoStore } from './cache-control.ts';
import { errorBody, registerErrorHandling } from './error-handler.ts';
import { closeLingeringConnections } from './graceful-close.ts';
import { registerOperationDefaults } from './openapi-operations.ts';
import { registerOperatorAuth } from './operator-auth.ts';
import { type RateLimitOptions, registerRateLimits } from './rate-limits.ts';
import { ErrorResponse } from './schemas.ts';
import {
  DEFAULT_TIMEOUTS,
  registerRequestDeadlines,
  serverTimeoutOptions,
  type TimeoutConfig,
} from './timeouts.ts';
import { recordRouteInputs, validatorCompiler } from './validation.ts';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The caller's own `x-request-id`, when well-formed: logged and echoed as
     * `x-client-request-id`, never used as the request id (which the server always chooses, so
     * that logs and the audit trail cannot be given an id an attacker picked).
     */
    clientRequestId?: string;
  }
}

/** The caller's `x-request-id`, if it is one we are willing to log. */
function clientRequestIdOf(headers: { readonly [name: string]: unknown }): string | undefined {
  const incoming = headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : undefined;
}

export interface ServerOptions {
  /** Timeouts left out take their defaults (src/config.ts). */
  readonly config: Pick<Config, 'bodyLimitBytes' | 'corsOrigins' | 'trustProxy'> & Partial<TimeoutConfig>;
  readonly logger: Logger;
  readonly operators: OperatorService;
  readonly borrowerSessions: BorrowerSessions;
  /** Request rate limits (http/rate-limits.ts); none when left out. */
  readonly rateLimits?: RateLimitOptions;
  /** The route plugins of every surface, registered in order after the shared plumbing. */
  readonly routes: readonly FastifyPluginAsync[];
  readonly version: string;
}

/**
 * Builds the HTTP server: request ids, security headers, body limits, one error shape, operator
 * authorization, OpenAPI from the route schemas, and the routes. It does not listen; the caller does.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { config } = options;
  const timeouts: TimeoutConfig = {
    headersTimeoutMs: config.headersTimeoutMs ?? DEFAULT_TIMEOUTS.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs ?? DEFAULT_TIMEOUTS.requestTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs ?? DEFAULT_TIMEOUTS.keepAliveTimeoutMs,
    connectionTimeoutMs: config.connectionTimeoutMs ?? DEFAULT_TIMEOUTS.connectionTimeoutMs,
  };
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.config.bodyLimitBytes,
    trustProxy: options.config.trustProxy,
    ...serverTimeoutOptions(timeouts),
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    childLoggerFactory: (logger, bindings, loggerOptions, rawRequest) => {
      const clientRequestId = clientRequestIdOf(rawRequest.headers);
      return logger.child(clientRequestId ? { ...bindings, clientRequestId } : bindings, loggerOptions);
    },
    // Fastify's own refusals before any route (a URL that is not valid percent-encoding): same shape.
    frameworkErrors: (_error, request, reply) =>
      (reply as FastifyReply)
        .code(400)
        .send(errorBody(request.id, 'VALIDATION_FAILED', 'The URL is not valid.')),
    routerOptions: { ignoreTrailingSlash: true },
  });
  registerRequestDeadlines(app, timeouts);
  closeLingeringConnections(app);
  registerPublicBodyLimit(app);
  recordRouteInputs(app);

  app.setValidatorCompiler(validatorCompiler);
  // Only JSON is accepted: anything else is 415, not a string that fails validation later.
  app.removeContentTypeParser(['text/plain']);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const clientRequestId = clientRequestIdOf(request.headers);
    if (clientRequestId) {
      request.clientRequestId = clientRequestId;
      reply.header('x-client-request-id', clientRequestId);
    }
  });
  registerErrorHandling(app);
  app.addSchema(ErrorResponse);
  registerNoStore(app);
  if (options.rateLimits) await registerRateLimits(app, options.rateLimits);

  await app.register(helmet, { global: true });
  if (options.config.corsOrigins.length > 0) {
    await app.register(cors, { origin: [...options.config.corsOrigins], credentials: false });
  }

  // Before the swagger plugin's own onRoute hook: operationId and security for every operation.
  registerOperationDefaults(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Lendgate API',
        version: options.version,
        description:
          'Borrower, operator and lender-facing APIs of Lendgate, an API loan-facilitation marketplace. ' +
          'Every error has the shape { error: { code, message, requestId, details? } }.',
        license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      // Every path is absolute from the origin that serves this document.
      servers: [{ url: '/', description: 'The server this document was fetched from' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'Operator session token' },
          borrowerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'Borrower session token from POST /api/v1/channels/{code}/sessions',
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async function openApiDocument() {
    return app.swagger();
  });

  registerOperatorAuth(app, options.operators);
  registerBorrowerAuth(app, options.borrowerSessions);
  for (const routes of options.routes) await app.register(routes);
  await app.ready();
  return app;
}
