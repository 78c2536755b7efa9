import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpawnedSandbox } from '../sandbox/lender/testing.ts';
import { createApp, VERSION } from './app.ts';
import { devMintingEnabled } from './channels/index.ts';
import { type Config, ConfigError, MEMORY_DATA_DIR, parseConfig } from './config.ts';
import { resolveMasterKey } from './crypto/master-key.ts';
import { openDatabase } from './db/connection.ts';
import { DataDirLockedError, lockEmbeddedDatabase } from './db/data-dir-lock.ts';
import { migrateToLatest } from './db/migrations.ts';
import { startDemoLenders } from './demo/sandbox-lenders.ts';
import { seedDemo } from './demo/seed.ts';
import { ensureFirstAdmin } from './operators/bootstrap.ts';
import { systemClock } from './shared/clock.ts';
import { createLogger } from './shared/logger.ts';

/** The process entry: config → database → migrations → first admin → demo data → HTTP. */
async function main(): Promise<void> {
  const started = performance.now();
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`lendgate: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // The embedded database serves one process: a second server or a CLI command on the same
  // DATA_DIR would write into a copy of its own and lose it (db/data-dir-lock.ts).
  try {
    lockEmbeddedDatabase(config, 'server');
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      process.stderr.write(
        `lendgate: ${error.message}\n  Stop that process first, or give this one another DATA_DIR.\n`,
      );
      process.exit(75); // EX_TEMPFAIL
    }
    throw error;
  }
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir);
  const database = await openDatabase({
    ...config,
    onConnectionError: (error) => logger.warn({ err: error }, 'a database connection broke'),
  });
  const { applied } = await migrateToLatest(database.db);
  const app = await createApp({ config, logger, database, clock: systemClock, masterKey: masterKey.key });

  const notices: string[] = [];
  const firstAdmin = await ensureFirstAdmin(app.services.operators, {
    email: config.adminEmail,
    password: config.adminPassword,
  });
  if (firstAdmin?.generatedPassword) {
    notices.push(`first admin ${firstAdmin.email}, password (shown once): ${firstAdmin.generatedPassword}`);
  }
  if (config.demo) {
    for (const notice of await seedDemo(database.db, systemClock, undefined, masterKey.key))
      notices.push(...notice.lines);
  }

  let sandbox: SpawnedSandbox | undefined;
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    await app.services.conformance.stop();
    await app.services.outbox.stop();
    await app.services.statusPull.stop();
    await sandbox?.stop();
    await app.server.close();
    await database.close();
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.server.listen({ port: config.port, host: config.host });
  app.services.outbox.start();
  app.services.statusPull.start();
  const base = address.replace('[::1]', 'localhost');
  const banner = [
    '',
    `Lendgate ${VERSION} on Node ${process.version} — ready in ${Math.round(performance.now() - started)} ms`,
    `  database      ${database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`}`,
    `  migrations    ${applied.length > 0 ? `applied ${applied.length}` : 'up to date'}`,
    `  mode          ${modeLine(config)}`,
    `  master key    ${masterKey.origin}`,
    `  health        ${base}/healthz`,
    `  API docs      ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  operator API  ${base}/api/v1/admin`,
    `  borrower H5   ${base}/h5/`,
    ...notices.map((line) => `  note          ${line}`),
    '',
  ];
  process.stderr.write(`${banner.join('\n')}\n`);

  if (config.sandbox) {
    // The demo's lenders come up after the server is healthy: admission runs the conformance kit
    // against them, which takes a few seconds on the first start.
    try {
      const started = await startDemoLenders(
        { lenders: app.services.lenders, keyring: app.services.keyring, logger },
        { dataDir: sandboxDataDir(config.dataDir), platformUrl: base, port: config.sandboxPort },
      );
      sandbox = started.sandbox;
      if (shuttingDown) await sandbox.stop();
      const lines = [`sandbox lender ${sandbox.url} plays the demo partners`, ...started.lines];
      process.stderr.write(`${lines.map((line) => `  lenders       ${line}`).join('\n')}\n\n`);
    } catch (error) {
      logger.warn({ err: error }, 'the sandbox lenders did not start; offers will be empty');
    }
  }
}

/** What the banner says of demo mode: whether demo data, dev token minting and sandbox lenders run. */
function modeLine(config: Config): string {
  if (!config.demo) return 'production-like: no demo data, dev token minting off';
  const parts = [
    'demo data',
    devMintingEnabled(config) ? 'dev token minting on' : 'dev token minting off (NODE_ENV=production)',
    config.sandbox ? 'sandbox lenders' : 'no sandbox lenders',
  ];
  return `demo (${parts.join(', ')})`;
}

/** Where the sandbox keeps its lenders' keys: beside the database, or a fresh folder for memory://. */
function sandboxDataDir(dataDir: string): string {
  return dataDir === MEMORY_DATA_DIR
    ? mkdtempSync(join(tmpdir(), 'lendgate-sandbox-'))
    : join(dataDir, 'sandbox');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    // A configured value found wanting after the configuration was read (the admin password).
    process.stderr.write(`lendgate: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(
    `lendgate: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
