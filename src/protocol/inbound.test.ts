import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { AppError } from '../shared/errors.ts';
import { type CallbackHandler, type InboundCallback, InboundCallbacks } from './inbound.ts';

/**
 * A toy domain to drive the pipeline: schedules and repayments per loan, where a repayment needs
 * its loan's schedule first. The effects land in a scratch table so that "one effect" is countable.
 */
describe('inbound callbacks', () => {
  let handle: DatabaseHandle;
  let inbound: InboundCallbacks;
  const clock = () => new Date('2026-11-29T10:00:00Z');

  beforeAll(async () => {
    handle = await createTestDatabase();
    await sql`CREATE TABLE test_effects (loan_id text, kind text, ref text)`.execute(handle.db);
    const schedule: CallbackHandler = async (trx, { body }) => {
      const { loanId } = body as { loanId: string };
      await sql`INSERT INTO test_effects VALUES (${loanId}, 'schedule', ${loanId})`.execute(trx);
      return { status: 'applied' };
    };
    const repayment: CallbackHandler = async (trx, { body, partnerId }) => {
      const { loanId, repaymentId } = body as { loanId: string; repaymentId: string };
      if (loanId.startsWith('other-'))
        throw new AppError('FORBIDDEN', `Loan ${loanId} is not ${partnerId}'s.`);
      const { rows } =
        await sql`SELECT 1 FROM test_effects WHERE loan_id = ${loanId} AND kind = 'schedule'`.execute(trx);
      if (rows.length === 0) return { status: 'deferred', waitingFor: `schedule of ${loanId}` };
      await sql`INSERT INTO test_effects VALUES (${loanId}, 'repayment', ${repaymentId})`.execute(trx);
      return { status: 'applied', result: { repaymentId } };
    };
    inbound = new InboundCallbacks(handle.db, { schedule, repayment }, clock);
  });
  afterAll(async () => handle.close());
  beforeEach(async () => {
    await sql`DELETE FROM test_effects`.execute(handle.db);
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
    return rows.map((row) => `${row.kind}:${row.ref}`);
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

  it('refuses an unknown kind', async () => {
    await expect(inbound.ingest(callback('teleport', { loanId: 'L7' }, 'L7'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
