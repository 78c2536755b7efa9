import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/connection.ts';
import { isFullyMigrated } from './db/migrations.ts';
import { adminAuditRoutes } from './http/routes/admin-audit.ts';
import { adminAuthRoutes } from './http/routes/admin-auth.ts';
import { adminOperatorRoutes } from './http/routes/admin-operators.ts';
import { healthRoutes } from './http/routes/health.ts';
import { quoteRoutes } from './http/routes/quotes.ts';
import { buildServer } from './http/server.ts';
import { OperatorService } from './operators/service.ts';
import type { Clock } from './shared/clock.ts';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Everything the running service is made of, built once by `createApp`. */
export interface App {
  readonly server: FastifyInstance;
  readonly services: Services;
}

export interface Services {
  readonly operators: OperatorService;
}

export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: DatabaseHandle;
  readonly clock: Clock;
}

export function createServices(deps: AppDependencies): Services {
  return {
    operators: new OperatorService(deps.database.db, {
      clock: deps.clock,
      sessionTtlMinutes: deps.config.sessionTtlMinutes,
    }),
  };
}

/**
 * The composition root of the HTTP application: builds the module services over one database and
 * hands them to the route plugins. Migrations and seeding happen before (see main.ts), so that the
 * health check only answers ok once they are done.
 */
export async function createApp(deps: AppDependencies): Promise<App> {
  const services = createServices(deps);
  const { db } = deps.database;
  let migrated = false;
  const server = await buildServer({
    config: deps.config,
    logger: deps.logger,
    operators: services.operators,
    version: VERSION,
    routes: [
      healthRoutes({
        async check() {
          migrated ||= await isFullyMigrated(db);
          if (!migrated) throw new Error('migrations are pending');
          await sql`SELECT 1`.execute(db);
        },
      }),
      adminAuthRoutes(services.operators),
      adminOperatorRoutes(services.operators),
      adminAuditRoutes(db),
      quoteRoutes,
    ],
  });
  return { server, services };
}
