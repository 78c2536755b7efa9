import { randomBytes } from 'node:crypto';
import { createApp } from './app.ts';
import { parseConfig } from './config.ts';
import { createPglite, wrapPglite } from './db/connection.ts';
import { migrateToLatest } from './db/migrations.ts';
import { createLogger } from './shared/logger.ts';

/** The OpenAPI document as GET /openapi.json serves it (a plain JSON object). */
export type OpenApiJson = Record<string, unknown> & { readonly paths: Record<string, unknown> };

/**
 * The app's OpenAPI document, without listening or a database server: the whole application is
 * built over an in-process, in-memory PGlite (the routes and their schemas are what they are in
 * production) and the document is asked of it with an injected request. Demo mode is on, so the
 * document also holds the demo-only route that mints a sign-in token, which the H5 uses in demo
 * mode: the H5's generated types (web/src/api/openapi.gen.ts) cover it.
 */
export async function exportOpenApiDocument(): Promise<OpenApiJson> {
  if (process.env.NODE_ENV === 'production') {
    // devMintingEnabled (channels/dev-tokens.ts) leaves the demo route out in production.
    throw new Error('Export the OpenAPI document outside NODE_ENV=production: it would lack the demo route');
  }
  const config = parseConfig({
    LOG_LEVEL: 'silent',
    LENDGATE_DEMO: 'true',
    LENDGATE_SANDBOX: 'false',
    NODE_ENV: 'development',
  });
  const database = wrapPglite(await createPglite('memory://'));
  try {
    await migrateToLatest(database.db);
    const app = await createApp({
      config,
      logger: createLogger('silent'),
      database,
      clock: () => new Date(),
      masterKey: randomBytes(32),
    });
    try {
      const response = await app.server.inject({ method: 'GET', url: '/openapi.json' });
      if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`);
      return response.json() as OpenApiJson;
    } finally {
      await app.services.conformance.stop();
      await app.services.outbox.stop();
      await app.services.statusPull.stop();
      await app.server.close();
    }
  } finally {
    await database.close();
  }
}
