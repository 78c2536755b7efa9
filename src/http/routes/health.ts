import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';

export interface HealthProbe {
  /** Resolves when migrations have run and the database answers; rejects otherwise. */
  check(): Promise<void>;
}

export interface HealthOptions {
  /**
   * A probe that has not answered by then counts as failed: a load balancer's health check must
   * get its 503 promptly while the database is away, not wait for the pool's connect timeout.
   */
  readonly timeoutMs?: number;
}

const HealthResponse = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]) });

/** Rejects when `promise` has not settled within `ms`. */
function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the health probe took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const healthRoutes =
  (probe: HealthProbe, options: HealthOptions = {}): FastifyPluginAsync =>
  async (app) => {
    const timeoutMs = options.timeoutMs ?? 2_000;
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['system'],
          summary:
            'Liveness and readiness: 200 once migrations have run and the database answers, 503 while it does not',
          response: { 200: HealthResponse, 503: HealthResponse },
        },
        logLevel: 'warn',
      },
      async function healthCheck(request, reply) {
        try {
          await within(probe.check(), timeoutMs);
          return { status: 'ok' as const };
        } catch (error) {
          request.log.warn({ err: error }, 'health check failed');
          return reply.code(503).send({ status: 'unavailable' as const });
        }
      },
    );
  };
