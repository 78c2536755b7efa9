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
  /** Told when a pooled PostgreSQL connection breaks (the server restarted, the network cut). */
  readonly onConnectionError?: (error: Error) => void;
}

/** Opens PostgreSQL when a URL is given, otherwise the embedded PGlite in `dataDir`. */
export async function openDatabase(options: ConnectionOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl !== undefined)
    return openPostgres(options.databaseUrl, options.poolSize ?? 10, options.onConnectionError);
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

/**
 * How long a request waits for a connection — a new one, or a free one of a full pool — before
 * it fails (503) instead of hanging while the database is away.
 */
export const CONNECT_TIMEOUT_MS = 5_000;
/** An idle connection is closed after this long, so that a pool does not keep dead ones around. */
export const IDLE_TIMEOUT_MS = 30_000;

export function openPostgres(
  databaseUrl: string,
  poolSize: number,
  onConnectionError: (error: Error) => void = () => {},
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    // TCP keep-alive notices a peer that vanished without closing the connection.
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // A client that loses its connection emits 'error'; without a listener that is an uncaught
  // exception and the process dies. The pool listens only while a client is idle ('error' below);
  // a client checked out — say, inside a transaction between two statements — has no listener
  // of the pool's, so every client gets one of its own when it connects. The failure itself also
  // reaches the query in flight, or the next one on that client, which fails; the broken client
  // is then dropped from the pool when it is released, and a new one connects on demand.
  pool.on('connect', (client) => {
    client.on('error', onConnectionError);
  });
  // The pool re-emits an idle client's error (already reported above): it too needs a listener.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}
