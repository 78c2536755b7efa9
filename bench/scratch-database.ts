/**
 * A throwaway database for a benchmark, dropped at the end so a bench never touches real data:
 * a scratch database of its own on the PostgreSQL server of DATABASE_URL when it is set, otherwise
 * the embedded PGlite (in memory, or in a temporary folder for data too large for its heap).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPglite, type DatabaseHandle, openPostgres, wrapPglite } from '../src/db/connection.ts';

export interface ScratchDatabase {
  readonly handle: DatabaseHandle;
  /** Which database the figures come from, to print with them. */
  readonly label: string;
  drop(): Promise<void>;
}

export interface ScratchOptions {
  /**
   * Where PGlite keeps the data when DATABASE_URL is unset: `memory` (the default), or `disk` for
   * data that would not fit PGlite's WebAssembly heap (ten million rows do not).
   */
  readonly pglite?: 'memory' | 'disk';
}

/** Runs one statement on the server of `url` outside any database the bench uses. */
async function onServer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function openScratchDatabase(options: ScratchOptions = {}): Promise<ScratchDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) {
    // The process id and a random suffix keep two benches run side by side apart.
    const name = `lendgate_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    await onServer(url, `CREATE DATABASE ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    const handle = openPostgres(target.toString(), 16);
    return {
      handle,
      label: 'PostgreSQL (DATABASE_URL)',
      async drop() {
        await handle.close();
        await onServer(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  const unset = 'DATABASE_URL unset: set it to measure PostgreSQL';
  if (options.pglite === 'disk') {
    const dir = mkdtempSync(join(tmpdir(), 'lendgate-bench-'));
    const handle = wrapPglite(await createPglite(dir));
    return {
      handle,
      label: `embedded PGlite on disk (${unset})`,
      async drop() {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const handle = wrapPglite(await createPglite('memory://'));
  return { handle, label: `embedded PGlite (${unset})`, drop: () => handle.close() };
}
