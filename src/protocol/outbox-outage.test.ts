import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openPostgres } from '../db/connection.ts';
import { createPostgresTestDatabase } from '../db/testing.ts';
import { createLogger } from '../shared/logger.ts';
import { TcpProxy } from '../testing/tcp-proxy.ts';
import { enqueueLenderCall, type OutboxMessage } from './outbox.ts';
import { type DeliveryOutcome, OutboxWorker } from './outbox-worker.ts';

/**
 * The outbox worker while its database is away: it reaches PostgreSQL through a proxy the test
 * cuts and restores. Its loop must live through the outage — logging each failed pass, waiting
 * longer after each, never dying — and deliver what was enqueued meanwhile once the database is
 * back, by itself.
 */
describe.skipIf(!process.env.DATABASE_URL)('outbox worker through a database outage (PostgreSQL)', () => {
  let database: { url: string; drop(): Promise<void> };
  let direct: DatabaseHandle;
  let proxy: TcpProxy;
  let viaProxy: DatabaseHandle;

  beforeAll(async () => {
    database = await createPostgresTestDatabase(process.env.DATABASE_URL!);
    direct = openPostgres(database.url, 2);
    proxy = await TcpProxy.start('127.0.0.1', Number(new URL(database.url).port || 5432));
    viaProxy = openPostgres(TcpProxy.via(database.url, proxy), 3);
  });
  afterAll(async () => {
    await viaProxy?.close();
    await proxy?.close();
    await direct?.close();
    await database?.drop();
  });

  it('keeps polling through the outage, backing off, and delivers once the database is back', async () => {
    // Each line with when the worker wrote it, to measure how far apart its failing passes are.
    const log: { msg: string; failures?: number; at: number }[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n').filter(Boolean))
            log.push({ ...JSON.parse(line), at: Date.now() });
          done();
        },
      }),
    );
    const delivered: string[] = [];
    const deliver = async (message: OutboxMessage): Promise<DeliveryOutcome> => {
      delivered.push(message.requestId);
      return { ok: true, status: 200, body: {} };
    };
    const worker = new OutboxWorker({
      db: viaProxy.db,
      deliver,
      clock: () => new Date(),
      logger,
      pollMs: 50,
    });
    worker.start();
    try {
      await enqueueLenderCall(
        direct.db,
        { partnerId: 'p', call: 'pre_check', path: '/pre-check', body: {}, requestId: 'before' },
        new Date(),
      );
      await until(() => delivered.includes('before'), 5_000, 'the first message');

      await proxy.cut();
      await enqueueLenderCall(
        direct.db,
        { partnerId: 'p', call: 'pre_check', path: '/pre-check', body: {}, requestId: 'during' },
        new Date(),
      );
      const failedPasses = () => log.filter((line) => line.msg === 'outbox pass failed');
      await until(() => failedPasses().length >= 4, 10_000, 'four failed passes');
      const failed = failedPasses();
      // Failing passes are logged, each one with how many failed in a row…
      expect(failed.map((line) => line.failures)).toEqual(failed.map((_, i) => i + 1));
      // …and they slow down: the next pass waits 100, 200, 400 ms (pollMs · 2^failures) rather
      // than polling every 50 ms. A timer never fires early; 2 ms allow for the clock's rounding.
      const gaps = failed.slice(1, 4).map((line, i) => line.at - failed[i]!.at);
      expect(gaps.map((gap, i) => gap >= 50 * 2 ** (i + 1) - 2)).toEqual([true, true, true]);
      expect(delivered).not.toContain('during');

      await proxy.restore();
      await until(() => delivered.includes('during'), 10_000, 'the message enqueued during the outage');
      // (Logged once the pass that delivered it has recorded the delivery.)
      await until(
        () => log.some((line) => line.msg === 'outbox passes succeed again'),
        5_000,
        'the worker to say it is back',
      );
      const row = await direct.db
        .selectFrom('outbox_messages')
        .select('status')
        .where('request_id', '=', 'during')
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('delivered');
    } finally {
      await worker.stop();
    }
  }, 30_000);
});

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
