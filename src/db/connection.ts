import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { MEMORY_DATA_DIR } from '../config.ts';
import type { Database } from './schema.ts';
import { TYPE_PARSERS } from './type-parsers.ts';

export type DatabaseKind = 'pglite' | 'postgres';

/** An open database: the Kysely handle, which back end it is, and how to close it. */
export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  close(): Promise<void>;
}

export interface ConnectionOptions {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Pool size for PostgreSQL. */
  readonly poolSize?: number;
}

/** Opens PostgreSQL when a URL is given, otherwise the embedded PGlite in `dataDir`. */
export async function openDatabase(options: ConnectionOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl !== undefined) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  if (options.dataDir !== MEMORY_DATA_DIR) mkdirSync(options.dataDir, { recursive: true });
  return wrapPglite(await createPglite(options.dataDir));
}

/** Boots PGlite in `dataDir`, optionally from a dump of another instance (see db/testing.ts). */
export async function createPglite(dataDir: string, loadDataDir?: Blob): Promise<PGlite> {
  return PGlite.create(dataDir, { parsers: { ...TYPE_PARSERS }, ...(loadDataDir ? { loadDataDir } : {}) });
}

/** Wraps an already-open PGlite instance (the test helper hands in clones). */
export function wrapPglite(pglite: PGlite): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

export function openPostgres(databaseUrl: string, poolSize: number): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that errors (e.g. the server restarts) must not crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}
