import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';

export interface HealthProbe {
  /** Resolves when migrations have run and the database answers; rejects otherwise. */
  check(): Promise<void>;
}

const HealthResponse = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]) });

export const healthRoutes =
  (probe: HealthProbe): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['system'],
          summary: 'Liveness and readiness: 200 once migrations have run and the database answers',
          response: { 200: HealthResponse, 503: HealthResponse },
        },
        logLevel: 'warn',
      },
      async (request, reply) => {
        try {
          await probe.check();
          return { status: 'ok' as const };
        } catch (error) {
          request.log.warn({ err: error }, 'health check failed');
          return reply.code(503).send({ status: 'unavailable' as const });
        }
      },
    );
  };
