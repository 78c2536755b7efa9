import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { BorrowerSessions } from '../borrowers/sessions.ts';
import type { Config } from '../config.ts';
import type { OperatorService } from '../operators/service.ts';
import { registerBorrowerAuth } from './borrower-auth.ts';
import { registerNoStore } from './cache-control.ts';
import { registerErrorHandling } from './error-handler.ts';
import { registerOperatorAuth } from './operator-auth.ts';
import { type RateLimitOptions, registerRateLimits } from './rate-limits.ts';
import { ErrorResponse } from './schemas.ts';
import { validatorCompiler } from './validation.ts';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

export interface ServerOptions {
  readonly config: Pick<Config, 'bodyLimitBytes' | 'corsOrigins' | 'trustProxy'>;
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
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.config.bodyLimitBytes,
    trustProxy: options.config.trustProxy,
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.setValidatorCompiler(validatorCompiler);
  // Only JSON is accepted: anything else is 415, not a string that fails validation later.
  app.removeContentTypeParser(['text/plain']);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app);
  app.addSchema(ErrorResponse);
  registerNoStore(app);
  if (options.rateLimits) await registerRateLimits(app, options.rateLimits);

  await app.register(helmet, { global: true });
  if (options.config.corsOrigins.length > 0) {
    await app.register(cors, { origin: [...options.config.corsOrigins], credentials: false });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Lendgate API',
        version: options.version,
        description:
          'Borrower, operator and lender-facing APIs of Lendgate, an API loan-facilitation marketplace. ' +
          'Every error has the shape { error: { code, message, requestId, details? } }.',
      },
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
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerOperatorAuth(app, options.operators);
  registerBorrowerAuth(app, options.borrowerSessions);
  for (const routes of options.routes) await app.register(routes);
  await app.ready();
  return app;
}
