import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPglite, type DatabaseHandle, openPostgres, wrapPglite } from './connection.ts';
import { ALL_MIGRATIONS, migrateToLatest } from './migrations.ts';

/**
 * Isolated databases for tests, fast on both back ends:
 * - PostgreSQL (DATABASE_URL set): the global setup migrates a template database once per run;
 *   each test file gets `CREATE DATABASE … TEMPLATE` (a file copy, ~100 ms) and drops it after.
 * - PGlite: each test worker boots and migrates one instance once and dumps its data folder; every
 *   test file starts a copy from that dump (~300 ms instead of a 2 s boot plus migrations).
 */

/**
 * The template's name changes whenever the set of migrations does, so a stale one is never used,
 * and carries the test run's id (set in vitest.config.ts), so concurrent runs do not collide.
 */
export function templateDatabaseName(): string {
  const names = Object.keys(ALL_MIGRATIONS).sort().join(',');
  let hash = 0;
  for (const char of names) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const run = (process.env.LENDGATE_TEST_RUN ?? '').replace(/[^a-z0-9]/g, '');
  return `lendgate_template_${hash.toString(16)}${run === '' ? '' : `_${run}`}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(url: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Called once per test run by the vitest global setup when DATABASE_URL is set. */
export async function preparePostgresTemplate(url: string): Promise<string> {
  const template = templateDatabaseName();
  await adminQuery(url, [`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`, `CREATE DATABASE ${template}`]);
  const handle = openPostgres(withDatabase(url, template), 2);
  try {
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
  return template;
}

export async function dropPostgresTemplate(url: string): Promise<void> {
  await adminQuery(url, [`DROP DATABASE IF EXISTS ${templateDatabaseName()} WITH (FORCE)`]);
}

let pgliteTemplate: Promise<Blob> | undefined;

/** Boots and migrates PGlite once, and keeps a dump of its data folder to start copies from. */
async function bootPgliteTemplate(): Promise<Blob> {
  const pglite = await createPglite('memory://');
  const handle = wrapPglite(pglite);
  try {
    await migrateToLatest(handle.db);
    return await pglite.dumpDataDir('none');
  } finally {
    await handle.close();
  }
}

/**
 * A fresh, fully migrated PostgreSQL database (a copy of the run's template) for tests that need
 * its URL — to start a server process on it, or to reach it through a proxy. Drop it in `afterAll`.
 */
export async function createPostgresTestDatabase(
  url: string,
): Promise<{ readonly url: string; drop(): Promise<void> }> {
  const name = `lendgate_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(url, [`CREATE DATABASE ${name} TEMPLATE ${templateDatabaseName()}`]);
  return {
    url: withDatabase(url, name),
    drop: () => adminQuery(url, [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]),
  };
}

/** A fresh, fully migrated database of its own for one test file. Close it in `afterAll`. */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const database = await createPostgresTestDatabase(url);
    const handle = openPostgres(database.url, 5);
    return {
      ...handle,
      async close() {
        await handle.close();
        await database.drop();
      },
    };
  }
  pgliteTemplate ??= bootPgliteTemplate();
  // PGlite's own clone() drops the type parsers, so copies start from the dump with ours.
  return wrapPglite(await createPglite('memory://', await pgliteTemplate));
}
