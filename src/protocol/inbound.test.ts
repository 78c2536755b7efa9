import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { createTestDatabase } from '../db/testing.ts';
import { ownTables } from '../db/transaction.ts';
import { AppError } from '../shared/errors.ts';
import { type CallbackHandler, type InboundCallback, InboundCallbacks } from './inbound.ts';

/**
 * A toy domain to drive the pipeline: schedules and repayments per loan, where a repayment needs
 * its loan's schedule first. The effects land in a scratch table so that "one effect" is countable.
 */
describe('inbound callbacks', () => {
  let handle: DatabaseHandle;
  let inbound: InboundCallbacks;
  let now = new Date('2026-11-29T10:00:00Z');
  const clock = () => now;
  const calls: string[] = [];

  beforeAll(async () => {
    handle = await createTestDatabase();
    await sql`CREATE TABLE test_effects (loan_id text, kind text, ref text)`.execute(handle.db);
    const schedule: CallbackHandler = async (trx, { body }) => {
      const { loanId } = body as { loanId: string };
      await sql`INSERT INTO test_effects VALUES (${loanId}, 'schedule', ${loanId})`.execute(
        ownTables<Database>(trx),
      );
      return { status: 'applied', provides: [`schedule of ${loanId}`] };
    };
    const repayment: CallbackHandler = async (trx, { body, partnerId }) => {
      const { loanId, repaymentId } = body as { loanId: string; repaymentId: string };
      calls.push(repaymentId);
      if (loanId.startsWith('other-'))
        throw new AppError('FORBIDDEN', `Loan ${loanId} is not ${partnerId}'s.`);
      const { rows } =
        await sql`SELECT 1 FROM test_effects WHERE loan_id = ${loanId} AND kind = 'schedule'`.execute(
          ownTables<Database>(trx),
        );
      if (rows.length === 0) return { status: 'deferred', waitingFor: `schedule of ${loanId}` };
      // Faults that only show once the schedule is there, i.e. when a held-back callback is retried.
      await sql`INSERT INTO test_effects VALUES (${loanId}, 'attempt', ${repaymentId})`.execute(
        ownTables<Database>(trx),
      );
      if (repaymentId.startsWith('bad-')) throw new AppError('VALIDATION_FAILED', 'periods do not exist');
      if (repaymentId.startsWith('boom-')) throw new Error('a defect');
      await sql`INSERT INTO test_effects VALUES (${loanId}, 'repayment', ${repaymentId})`.execute(
        ownTables<Database>(trx),
      );
      return { status: 'applied', result: { repaymentId } };
    };
    inbound = new InboundCallbacks(handle.db, { schedule, repayment }, clock, {
      maxPerPartner: 5,
      maxAgeMs: 3_600_000,
    });
  });
  afterAll(async () => handle.close());
  beforeEach(async () => {
    await sql`DELETE FROM test_effects`.execute(handle.db);
    calls.length = 0;
  });

  let sequence = 0;
  function callback(
    kind: string,
    body: Record<string, string>,
    businessId: string,
    requestId?: string,
  ): InboundCallback {
    sequence += 1;
    const text = JSON.stringify(body);
    return {
      partnerId: 'lender-a',
      requestId: requestId ?? `req-${sequence}`,
      kind,
      businessId,
      bodySha256: createHash('sha256').update(text).digest('base64'),
      body,
    };
  }

  async function effects(loanId: string): Promise<string[]> {
    const { rows } = await sql<{ kind: string; ref: string }>`
      SELECT kind, ref FROM test_effects WHERE loan_id = ${loanId} ORDER BY kind, ref`.execute(handle.db);
    return rows.filter((row) => row.kind !== 'attempt').map((row) => `${row.kind}:${row.ref}`);
  }

  async function stored(requestId: string) {
    return handle.db
      .selectFrom('inbound_messages')
      .select(['status', 'response_status', 'response_body', 'waiting_for'])
      .where('request_id', '=', requestId)
      .executeTakeFirstOrThrow();
  }

  it('applies a callback once and answers a repeat (same request id) with the first answer', async () => {
    const first = callback('schedule', { loanId: 'L1' }, 'L1:1');
    const answer = await inbound.ingest(first);
    expect(answer).toMatchObject({ httpStatus: 200, replayed: false, body: { status: 'applied' } });
    const again = await inbound.ingest(first);
    expect(again).toMatchObject({ httpStatus: 200, replayed: true, body: { status: 'applied' } });
    expect(await effects('L1')).toEqual(['schedule:L1']);
  });

  it('treats the same business id under a new request id as a repeat, not a second effect', async () => {
    await inbound.ingest(callback('schedule', { loanId: 'L2' }, 'L2:1'));
    const resent = await inbound.ingest(callback('schedule', { loanId: 'L2' }, 'L2:1'));
    expect(resent.replayed).toBe(true);
    expect(await effects('L2')).toEqual(['schedule:L2']);
  });

  it('refuses the same ids with a different body as CONFLICT and changes nothing', async () => {
    await inbound.ingest(callback('schedule', { loanId: 'L3' }, 'L3:1', 'fixed-request'));
    await expect(
      inbound.ingest(callback('schedule', { loanId: 'L3', extra: 'x' }, 'L3:1', 'fixed-request')),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      inbound.ingest(callback('schedule', { loanId: 'L3', extra: 'y' }, 'L3:1')),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await effects('L3')).toEqual(['schedule:L3']);
  });

  it('keeps a repayment that arrives before its schedule and applies it when the schedule comes', async () => {
    const early = await inbound.ingest(callback('repayment', { loanId: 'L4', repaymentId: 'R1' }, 'R1'));
    expect(early).toMatchObject({ httpStatus: 202, body: { status: 'deferred' } });
    expect(await effects('L4')).toEqual([]);
    expect((await inbound.listDeferred('lender-a')).map((row) => row.business_id)).toContain('R1');

    await inbound.ingest(callback('schedule', { loanId: 'L4' }, 'L4:1'));
    expect(await effects('L4')).toEqual(['repayment:R1', 'schedule:L4']);
    expect((await inbound.listDeferred('lender-a')).map((row) => row.business_id)).not.toContain('R1');

    // The repayment sent again is a repeat: still one effect.
    await inbound.ingest(callback('repayment', { loanId: 'L4', repaymentId: 'R1' }, 'R1'));
    expect(await effects('L4')).toEqual(['repayment:R1', 'schedule:L4']);
  });

  it('records a refusal so that a repeat gets the same refusal without running again', async () => {
    const foreign = callback('repayment', { loanId: 'other-L5', repaymentId: 'R5' }, 'R5');
    const refused = await inbound.ingest(foreign);
    expect(refused).toMatchObject({
      httpStatus: 403,
      body: { error: { code: 'FORBIDDEN' } },
      replayed: false,
    });
    const repeat = await inbound.ingest(foreign);
    expect(repeat).toMatchObject({ httpStatus: 403, replayed: true });
    expect(await effects('other-L5')).toEqual([]);
  });

  it('applies two simultaneous deliveries of one callback exactly once', async () => {
    const twin = callback('schedule', { loanId: 'L6' }, 'L6:1');
    const answers = await Promise.all([
      inbound.ingest(twin),
      inbound.ingest({ ...twin, requestId: 'other-req' }),
    ]);
    expect(answers.map((answer) => answer.replayed).sort()).toEqual([false, true]);
    expect(await effects('L6')).toEqual(['schedule:L6']);
  });

  it('retries each held-back callback in its own savepoint: one that fails is refused on its own', async () => {
    const bad = callback('repayment', { loanId: 'L8', repaymentId: 'bad-R8' }, 'bad-R8');
    const boom = callback('repayment', { loanId: 'L8', repaymentId: 'boom-R8' }, 'boom-R8');
    const good = callback('repayment', { loanId: 'L8', repaymentId: 'R8' }, 'R8');
    for (const early of [bad, boom, good]) expect((await inbound.ingest(early)).httpStatus).toBe(202);

    const release = await inbound.ingest(callback('schedule', { loanId: 'L8' }, 'L8:1'));
    // The schedule itself is applied whatever its held-back dependants do.
    expect(release).toMatchObject({ httpStatus: 200, body: { status: 'applied' } });
    expect(await effects('L8')).toEqual(['repayment:R8', 'schedule:L8']);
    // The refusal is recorded against the callback that earned it…
    expect(await stored(bad.requestId)).toMatchObject({
      status: 'refused',
      response_status: 400,
      response_body: { error: { code: 'VALIDATION_FAILED' } },
    });
    // …a defect leaves its callback waiting (its partial effect rolled back to the savepoint)…
    expect(await stored(boom.requestId)).toMatchObject({ status: 'deferred', waiting_for: 'schedule of L8' });
    const { rows } = await sql`SELECT ref FROM test_effects WHERE kind = 'attempt'`.execute(handle.db);
    expect(rows).toEqual([{ ref: 'R8' }]);
    // …and the good one is applied.
    expect(await stored(good.requestId)).toMatchObject({ status: 'applied', response_status: 200 });
  });

  it('retries only the callbacks waiting for what just arrived', async () => {
    await inbound.ingest(callback('repayment', { loanId: 'L9', repaymentId: 'R9' }, 'R9'));
    await inbound.ingest(callback('repayment', { loanId: 'L10', repaymentId: 'R10' }, 'R10'));
    calls.length = 0;
    await inbound.ingest(callback('schedule', { loanId: 'L10' }, 'L10:1'));
    expect(calls).toEqual(['R10']);
    expect(await effects('L9')).toEqual([]);
    expect(await effects('L10')).toEqual(['repayment:R10', 'schedule:L10']);
  });

  it('bounds held-back callbacks per partner in number and age, refusing the excess for operators', async () => {
    // Five may wait at once (this pipeline's limit); L9's from the previous test is one of them.
    const waiting = Number(
      (
        await handle.db
          .selectFrom('inbound_messages')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'deferred')
          .executeTakeFirstOrThrow()
      ).n,
    );
    for (let i = waiting; i < 5; i += 1) {
      expect(
        (await inbound.ingest(callback('repayment', { loanId: `W${i}`, repaymentId: `RW${i}` }, `RW${i}`)))
          .httpStatus,
      ).toBe(202);
    }
    const excess = await inbound.ingest(callback('repayment', { loanId: 'W9', repaymentId: 'RW9' }, 'RW9'));
    expect(excess).toMatchObject({ httpStatus: 409, body: { error: { code: 'PREREQUISITE_MISSING' } } });
    expect((await inbound.listDeferred('lender-a')).map((row) => row.business_id)).not.toContain('RW9');

    // An hour later the old ones are refused, with the reason, and room is made.
    now = new Date(now.getTime() + 3_600_001);
    const later = await inbound.ingest(callback('repayment', { loanId: 'W10', repaymentId: 'RW10' }, 'RW10'));
    expect(later.httpStatus).toBe(202);
    expect((await inbound.listDeferred('lender-a')).map((row) => row.business_id)).toEqual(['RW10']);
    const expired = await handle.db
      .selectFrom('inbound_messages')
      .select(['business_id', 'response_status', 'response_body'])
      .where('business_id', '=', 'R9')
      .executeTakeFirstOrThrow();
    expect(expired).toMatchObject({
      response_status: 409,
      response_body: {
        error: { code: 'PREREQUISITE_MISSING', message: 'Waited more than 1 h for schedule of L9.' },
      },
    });
  });

  it('lets a corrected callback through after a refusal of the same object', async () => {
    const refused = await inbound.ingest(
      callback('repayment', { loanId: 'other-L11', repaymentId: 'R11' }, 'R11'),
    );
    expect(refused.httpStatus).toBe(403);
    await inbound.ingest(callback('schedule', { loanId: 'L11' }, 'L11:1'));
    const corrected = await inbound.ingest(
      callback('repayment', { loanId: 'L11', repaymentId: 'R11' }, 'R11'),
    );
    expect(corrected).toMatchObject({ httpStatus: 200, replayed: false, body: { status: 'applied' } });
    expect(await effects('L11')).toEqual(['repayment:R11', 'schedule:L11']);
  });

  it('refuses an unknown kind', async () => {
    await expect(inbound.ingest(callback('teleport', { loanId: 'L7' }, 'L7'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
