import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { inTransaction } from '../db/transaction.ts';
import { accounts } from './accounts.ts';
import { Ledger } from './ledger.ts';

const RECEIVABLE = accounts.lenderReceivable('xinghe-bank');
const SERVICE = accounts.revenue('service', 'shop');

describe('ledger on the database', () => {
  let handle: DatabaseHandle;
  let ledger: Ledger;
  const clock = () => new Date('2026-03-01T00:00:00Z');
  const fee = (causeId: string, amountFen: number) => ({
    kind: 'service',
    causeType: 'repayment',
    causeId,
    requestId: `cb-${causeId}`,
    occurredAt: new Date('2026-02-10T02:00:00Z'),
    postings: [
      { account: RECEIVABLE, amountFen },
      { account: SERVICE, amountFen: -amountFen },
    ],
  });

  beforeAll(async () => {
    handle = await createTestDatabase();
    ledger = new Ledger(handle.db, clock);
  });
  afterAll(async () => handle.close());

  it('posts balanced entries in sequence, once per cause', async () => {
    const first = await ledger.post(handle.db, fee('xinghe-bank/R-1', 2250));
    const again = await ledger.post(handle.db, fee('xinghe-bank/R-1', 2250));
    const second = await ledger.post(handle.db, fee('xinghe-bank/R-2', 1000));
    expect(first).toMatchObject({ seq: 1, created: true });
    expect(again).toEqual({ ...first, created: false });
    expect(second.seq).toBe(2);
    await expect(ledger.post(handle.db, fee('xinghe-bank/R-1', 2251))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await ledger.balances('lender:')).toEqual([{ account: RECEIVABLE, balanceFen: 3250 }]);
  });

  it('reverses an entry exactly once, as a new entry', async () => {
    const reversal = await ledger.reverse(handle.db, 2, {
      causeType: 'repayment',
      causeId: 'xinghe-bank/R-2-reversal',
      occurredAt: new Date('2026-02-11T02:00:00Z'),
    });
    expect(reversal).toMatchObject({ seq: 3, created: true });
    const entry = await ledger.findByCause(handle.db, 'repayment', 'xinghe-bank/R-2-reversal');
    expect(entry).toMatchObject({ kind: 'reversal', reversesSeq: 2 });
    expect(entry?.postings).toEqual([
      { account: RECEIVABLE, amountFen: -1000 },
      { account: SERVICE, amountFen: 1000 },
    ]);
    await expect(
      ledger.reverse(handle.db, 2, { causeType: 'repayment', causeId: 'other', occurredAt: clock() }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await ledger.balances()).toEqual([
      { account: RECEIVABLE, balanceFen: 2250 },
      { account: SERVICE, balanceFen: -2250 },
    ]);
  });

  it('refuses an unbalanced entry in the database itself, at commit', async () => {
    await expect(
      inTransaction(handle.db, async (trx) => {
        const head = await trx.selectFrom('ledger_chain_head').selectAll().executeTakeFirstOrThrow();
        await trx
          .insertInto('ledger_entries')
          .values({
            seq: head.seq + 1,
            kind: 'forged',
            cause_type: 'test',
            cause_id: 'unbalanced',
            request_id: null,
            occurred_at: clock(),
            recorded_at: clock(),
            reverses_seq: null,
            memo: '',
            prev_hash: head.hash,
            hash: 'f'.repeat(64),
          })
          .execute();
        await trx
          .insertInto('ledger_postings')
          .values([
            { entry_seq: head.seq + 1, account: RECEIVABLE, amount_fen: 5 },
            { entry_seq: head.seq + 1, account: SERVICE, amount_fen: -4 },
          ])
          .execute();
      }),
    ).rejects.toThrow(/unbalanced/);
    // An entry without postings is refused too, and a posting added to an old entry.
    await expect(
      sql`INSERT INTO ledger_postings (entry_seq, account, amount_fen) VALUES (1, 'platform:cash', 7)`.execute(
        handle.db,
      ),
    ).rejects.toThrow(/unbalanced/);
    expect((await ledger.verify()).ok).toBe(true);
  });

  it('refuses an entry that does not extend the chain head (no fork)', async () => {
    await expect(
      sql`INSERT INTO ledger_entries (seq, kind, cause_type, cause_id, occurred_at, recorded_at, prev_hash, hash)
          VALUES (1000, 'forged', 'test', 'fork', now(), now(), ${'0'.repeat(64)}, ${'e'.repeat(64)})`.execute(
        handle.db,
      ),
    ).rejects.toThrow(/does not extend the chain head/);
  });

  it('refuses updates, deletes and truncation of entries and postings', async () => {
    await expect(sql`UPDATE ledger_postings SET amount_fen = 1`.execute(handle.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`UPDATE ledger_entries SET memo = 'x'`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM ledger_entries`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE ledger_postings CASCADE`.execute(handle.db)).rejects.toThrow(/append-only/);
  });

  it('keeps one unforked chain under concurrent posts', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        inTransaction(handle.db, (trx) => ledger.post(trx, fee(`parallel/${i}`, i + 1))),
      ),
    );
    const verification = await ledger.verify();
    expect(verification).toMatchObject({ ok: true, entries: 43, headSeq: 43 });
    const page = await ledger.entries({ account: SERVICE, limit: 5 });
    expect(page.map((e) => e.seq)).toEqual([43, 42, 41, 40, 39]);
  });

  it('detects tampering that bypasses the triggers', async () => {
    // A superuser can switch triggers off; the chain still shows what was changed.
    await inTransaction(handle.db, async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`UPDATE ledger_postings SET amount_fen = amount_fen * 10 WHERE entry_seq = 2`.execute(trx);
    });
    expect(await ledger.verify()).toMatchObject({ ok: false, problem: { seq: 2, problem: 'hash_mismatch' } });
  });
});
