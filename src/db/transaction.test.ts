import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../http/error-handler.ts';
import { AppError } from '../shared/errors.ts';
import { TcpProxy } from '../testing/tcp-proxy.ts';
import { type DatabaseHandle, openPostgres } from './connection.ts';
import { isConnectionFailure } from './failures.ts';
import type { Database } from './schema.ts';
import { createPostgresTestDatabase, createTestDatabase } from './testing.ts';
import { CommitOutcomeUnknown, inTransaction, type RetryPolicy } from './transaction.ts';

/** No waiting between reruns, and every wait recorded. */
function instantRetry(attempts: number, waits: number[] = []): RetryPolicy {
  return { attempts, baseDelayMs: 25, random: () => 0.999, sleep: async (ms) => void waits.push(ms) };
}

function serializationFailure(): Error {
  return Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });
}

// A table of no module's: these tests are about transactions, not about any domain.
async function createProbeTable(db: Kysely<Database>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS tx_probe (note text NOT NULL)`.execute(db);
}

async function insertNote(db: Kysely<Database>, note: string): Promise<void> {
  await sql`INSERT INTO tx_probe (note) VALUES (${note})`.execute(db);
}

async function notes(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ note: string }>`SELECT note FROM tx_probe ORDER BY note`.execute(db);
  return rows.map((row) => row.note);
}

describe('inTransaction reruns (both back ends)', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
    await createProbeTable(handle.db);
  });
  afterAll(async () => handle.close());

  it('reruns a transaction aborted by a serialization failure, after a bounded jittered wait', async () => {
    const waits: number[] = [];
    let runs = 0;
    const result = await inTransaction(
      handle.db,
      async (trx) => {
        runs += 1;
        await insertNote(trx, `serial-${runs}`);
        if (runs < 3) throw serializationFailure();
        return runs;
      },
      instantRetry(3, waits),
    );
    expect(result).toBe(3);
    // The two failed runs were rolled back: only the third one's row is there.
    expect((await notes(handle.db)).filter((note) => note.startsWith('serial-'))).toEqual(['serial-3']);
    // Full jitter under a doubling ceiling: below 25 ms, then below 50 ms.
    expect(waits).toEqual([24, 49]);
  });

  it('gives up after the last run and reports the failure itself', async () => {
    let runs = 0;
    const failure = inTransaction(
      handle.db,
      async () => {
        runs += 1;
        throw serializationFailure();
      },
      instantRetry(3),
    );
    await expect(failure).rejects.toMatchObject({ code: '40001' });
    expect(runs).toBe(3);
  });

  it('does not rerun after a connect timeout: the request already waited its whole budget', async () => {
    let runs = 0;
    await expect(
      inTransaction(
        handle.db,
        async () => {
          runs += 1;
          throw new Error('timeout exceeded when trying to connect');
        },
        instantRetry(3),
      ),
    ).rejects.toThrow(/timeout exceeded/);
    expect(runs).toBe(1);
  });

  it('never reruns a failure of the request itself', async () => {
    let runs = 0;
    await expect(
      inTransaction(
        handle.db,
        async () => {
          runs += 1;
          throw new AppError('CONFLICT');
        },
        instantRetry(3),
      ),
    ).rejects.toThrow(AppError);
    expect(runs).toBe(1);
  });

  it('does not rerun a nested call on its own: the outermost transaction is rerun as a whole', async () => {
    let outerRuns = 0;
    let innerRuns = 0;
    await inTransaction(
      handle.db,
      async (outer) => {
        outerRuns += 1;
        await insertNote(outer, `outer-${outerRuns}`);
        await inTransaction(
          outer,
          async () => {
            innerRuns += 1;
            // A rerun of only this part would keep the outer run's work of a failed transaction.
            if (innerRuns === 1) throw serializationFailure();
          },
          instantRetry(3),
        );
      },
      instantRetry(3),
    );
    expect([outerRuns, innerRuns]).toEqual([2, 2]);
    expect((await notes(handle.db)).filter((note) => note.startsWith('outer-'))).toEqual(['outer-2']);
  });
});

/**
 * The connection to PostgreSQL breaks inside a transaction. Without an 'error' listener on the
 * checked-out client the first test does not fail: it kills the test process (an uncaught
 * 'error' event of pg's Client), as it killed the server when PostgreSQL restarted under load.
 */
describe.skipIf(!process.env.DATABASE_URL)('inTransaction when the connection breaks (PostgreSQL)', () => {
  let database: { url: string; drop(): Promise<void> };
  let handle: DatabaseHandle;
  let admin: pg.Client;
  const errors: Error[] = [];

  beforeAll(async () => {
    database = await createPostgresTestDatabase(process.env.DATABASE_URL!);
    handle = openPostgres(database.url, 2, (error) => errors.push(error));
    await createProbeTable(handle.db);
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await handle?.close();
    await database?.drop();
  });

  /**
   * Terminates the backend of `trx`, as a restart would, and returns once its client has read the
   * server's last words — when the pool's error listener has heard of it (at most 5 s).
   */
  async function terminateBackendOf(trx: Kysely<Database>): Promise<void> {
    const heard = errors.length;
    const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    const deadline = Date.now() + 5_000;
    while (errors.length === heard) {
      if (Date.now() > deadline) throw new Error('the terminated client never reported its error');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('survives a backend terminated between two statements, and reruns the transaction', async () => {
    const before = errors.length;
    let runs = 0;
    await inTransaction(
      handle.db,
      async (trx) => {
        runs += 1;
        await insertNote(trx, `terminated-${runs}`);
        if (runs === 1) await terminateBackendOf(trx);
        await insertNote(trx, `second-statement-${runs}`);
      },
      instantRetry(3),
    );
    expect(runs).toBe(2);
    // The first run's insert went with its backend; the rerun committed both statements.
    expect((await notes(handle.db)).filter((note) => /^(terminated|second)/.test(note))).toEqual([
      'second-statement-2',
      'terminated-2',
    ]);
    // The broken client told its listener (the server logs it) instead of crashing the process.
    expect(errors.length).toBeGreaterThan(before);
  });

  it('fails cleanly with a connection failure, answered 503 UNAVAILABLE, when no rerun is left', async () => {
    let runs = 0;
    const failure = await inTransaction(
      handle.db,
      async (trx) => {
        runs += 1;
        await insertNote(trx, 'abandoned');
        await terminateBackendOf(trx);
        await insertNote(trx, 'never');
      },
      instantRetry(1),
    ).catch((error: unknown) => error);
    expect(runs).toBe(1);
    expect(isConnectionFailure(failure)).toBe(true);
    expect(classify(failure).code).toBe('UNAVAILABLE');
    expect(await notes(handle.db)).not.toContain('abandoned');
    // The pool dropped the broken client and connects a new one.
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db)).rows).toEqual([{ one: 1 }]);
  });

  it('does not rerun when the connection breaks during COMMIT: the outcome is unknown', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(database.url).port || 5432));
    const viaProxy = openPostgres(TcpProxy.via(database.url, proxy), 2);
    try {
      let runs = 0;
      const cut = proxy.cutOnNextCommit();
      const failure = await inTransaction(
        viaProxy.db,
        async (trx) => {
          runs += 1;
          await insertNote(trx, `commit-${runs}`);
        },
        instantRetry(3),
      ).catch((error: unknown) => error);
      await cut;
      expect(runs).toBe(1);
      expect(failure).toBeInstanceOf(CommitOutcomeUnknown);
      expect(classify(failure)).toMatchObject({ code: 'UNAVAILABLE' });
      // The server did commit: a rerun would have written the row twice.
      expect((await notes(handle.db)).filter((note) => note.startsWith('commit-'))).toEqual(['commit-1']);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });
});
