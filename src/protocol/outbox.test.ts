import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { inTransaction } from '../db/transaction.ts';
import { createLogger } from '../shared/logger.ts';
import { DatabaseNonceStore } from './nonce-store.ts';
import {
  claimDueMessages,
  enqueueLenderCall,
  listDeadLetters,
  type OutboxMessage,
  requeueDeadLetter,
} from './outbox.ts';
import { type DeliveryOutcome, OutboxWorker } from './outbox-worker.ts';

describe('outbox', () => {
  let handle: DatabaseHandle;
  let now = new Date('2026-11-29T10:00:00Z');
  const clock = () => now;
  const logger = createLogger('silent');

  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => handle.close());

  async function pending(): Promise<{ status: string; attempts: number; request_id: string }[]> {
    return handle.db.selectFrom('outbox_messages').select(['status', 'attempts', 'request_id']).execute();
  }

  it('writes nothing when the surrounding transaction rolls back', async () => {
    await expect(
      inTransaction(handle.db, async (trx) => {
        await enqueueLenderCall(
          trx,
          { partnerId: 'p1', call: 'apply', path: '/x', body: {}, requestId: 'rolled-back' },
          now,
        );
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    expect((await pending()).map((row) => row.request_id)).not.toContain('rolled-back');
  });

  it('lets only one of two claimers take a message while its lease runs', async () => {
    await enqueueLenderCall(
      handle.db,
      { partnerId: 'p1', call: 'apply', path: '/x', body: { n: 1 }, requestId: 'lease-1' },
      now,
    );
    const lease = new Date(now.getTime() + 60_000);
    const [a, b] = await Promise.all([
      claimDueMessages(handle.db, 'A', now, lease, 10),
      claimDueMessages(handle.db, 'B', now, lease, 10),
    ]);
    const claimed = [...a, ...b].filter((m) => m.requestId === 'lease-1');
    expect(claimed).toHaveLength(1);
    // While the lease runs nobody else gets it; once it has run out (owner died), another worker may.
    expect(
      (await claimDueMessages(handle.db, 'C', now, lease, 10)).some((m) => m.requestId === 'lease-1'),
    ).toBe(false);
    const later = new Date(lease.getTime() + 1);
    expect(
      (await claimDueMessages(handle.db, 'C', later, new Date(later.getTime() + 60_000), 10)).map(
        (m) => m.requestId,
      ),
    ).toContain('lease-1');
  });

  it('delivers each message exactly once with several workers, retrying failures with backoff', async () => {
    const delivered = new Map<string, number>();
    let failFirst = new Set(['w-3', 'w-7']);
    const deliver = async (message: OutboxMessage): Promise<DeliveryOutcome> => {
      if (failFirst.has(message.requestId)) {
        failFirst = new Set([...failFirst].filter((id) => id !== message.requestId));
        return { ok: false, error: 'lender 503', status: 503, retryable: true };
      }
      delivered.set(message.requestId, (delivered.get(message.requestId) ?? 0) + 1);
      return { ok: true, status: 202, body: { accepted: true } };
    };
    for (let i = 0; i < 10; i++) {
      await enqueueLenderCall(
        handle.db,
        { partnerId: 'p2', call: 'apply', path: '/apply', body: { i }, requestId: `w-${i}` },
        now,
      );
    }
    const workers = [1, 2, 3].map(
      (n) => new OutboxWorker({ db: handle.db, deliver, clock, logger, owner: `w${n}`, random: () => 1 }),
    );
    await Promise.all(workers.map((worker) => worker.runOnce()));
    expect([...delivered.keys()].filter((id) => id.startsWith('w-'))).toHaveLength(8);
    // The two failures wait ~2 s (attempt 1, full jitter) before anyone retries them.
    await Promise.all(workers.map((worker) => worker.runOnce()));
    expect(delivered.size).toBe(8);
    now = new Date(now.getTime() + 2_001);
    await Promise.all(workers.map((worker) => worker.runOnce()));
    const counts = [...delivered.entries()].filter(([id]) => id.startsWith('w-')).map(([, count]) => count);
    expect(counts).toHaveLength(10);
    expect(counts.every((count) => count === 1)).toBe(true);
    const rows = (await pending()).filter((row) => row.request_id.startsWith('w-'));
    expect(rows.every((row) => row.status === 'delivered')).toBe(true);
    expect(rows.find((row) => row.request_id === 'w-3')?.attempts).toBe(2);
  });

  it('dead-letters a final refusal at once and a retryable failure after the horizon; operators can requeue', async () => {
    await enqueueLenderCall(
      handle.db,
      { partnerId: 'p3', call: 'drawdown', path: '/d', body: {}, requestId: 'refused' },
      now,
    );
    await enqueueLenderCall(
      handle.db,
      { partnerId: 'p3', call: 'drawdown', path: '/d', body: {}, requestId: 'flaky' },
      now,
    );
    const deliver = async (message: OutboxMessage): Promise<DeliveryOutcome> =>
      message.requestId === 'refused'
        ? { ok: false, error: 'lender says 400 bad request', status: 400, retryable: true }
        : { ok: false, error: 'connection refused', retryable: true };
    const worker = new OutboxWorker({ db: handle.db, deliver, clock, logger, random: () => 1 });
    await worker.runOnce();
    let dead = await listDeadLetters(handle.db, 10, 'p3');
    expect(dead.map((letter) => letter.requestId)).toEqual(['refused']);
    expect(dead[0]?.responseStatus).toBe(400);

    // Keep failing for 25 hours of clock: the flaky message then becomes a dead letter too.
    for (let hour = 0; hour < 26 * 4; hour++) {
      now = new Date(now.getTime() + 15 * 60_000);
      await worker.runOnce();
    }
    dead = await listDeadLetters(handle.db, 10, 'p3');
    expect(dead.map((letter) => letter.requestId).sort()).toEqual(['flaky', 'refused']);
    expect(dead.find((letter) => letter.requestId === 'flaky')!.attempts).toBeGreaterThan(40);

    expect(await requeueDeadLetter(handle.db, dead.find((l) => l.requestId === 'refused')!.id, now)).toBe(
      true,
    );
    expect((await listDeadLetters(handle.db, 10, 'p3')).map((letter) => letter.requestId)).toEqual(['flaky']);
  });
});

describe('database nonce store', () => {
  let handle: DatabaseHandle;
  let now = new Date('2026-11-29T10:00:00Z');
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => handle.close());

  it('claims a nonce once while its window is open, and again after it closes', async () => {
    const store = new DatabaseNonceStore(handle.db, () => now);
    const expires = now.getTime() + 300_000;
    const claims = await Promise.all([store.claim('p', 'n1', expires), store.claim('p', 'n1', expires)]);
    expect(claims.sort()).toEqual([false, true]);
    expect(await store.claim('other-partner', 'n1', expires)).toBe(true);
    now = new Date(expires + 1);
    expect(await store.claim('p', 'n1', now.getTime() + 300_000)).toBe(true);
    expect(await store.sweep()).toBe(1);
  });

  it('deletes the closed nonces by itself while messages keep coming, not on every claim', async () => {
    const store = new DatabaseNonceStore(handle.db, () => now, 60_000);
    const rows = async () =>
      (
        await handle.db
          .selectFrom('protocol_nonces')
          .select('nonce')
          .where('partner_id', '=', 'sweeper')
          .execute()
      ).map((row) => row.nonce);
    await store.claim('sweeper', 'old-1', now.getTime() + 30_000);
    await store.claim('sweeper', 'old-2', now.getTime() + 30_000);
    now = new Date(now.getTime() + 45_000);
    // Their window has closed, but the last sweep is not a minute old: nothing is deleted yet.
    await store.claim('sweeper', 'new-1', now.getTime() + 300_000);
    await store.sweeping;
    expect((await rows()).sort()).toEqual(['new-1', 'old-1', 'old-2']);
    now = new Date(now.getTime() + 20_000);
    await store.claim('sweeper', 'new-2', now.getTime() + 300_000);
    await store.sweeping;
    expect((await rows()).sort()).toEqual(['new-1', 'new-2']);
  });
});
