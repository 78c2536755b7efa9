import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { inTransaction } from '../db/transaction.ts';
import { ApplicationLifecycleService } from './lifecycle.ts';
import { seedDrawdown } from './testing.ts';

/** The application side of a loan (loans/ports.ts), as loans' callback handlers drive it. */
describe('ApplicationLifecycleService', () => {
  let handle: DatabaseHandle;
  const at = new Date('2026-03-10T02:00:00Z');
  const lifecycle = new ApplicationLifecycleService(() => at);
  const seed = () =>
    seedDrawdown(handle.db, {
      partnerId: 'xinghe-bank',
      channelCode: 'shop',
      amountFen: 1_000_000,
      termMonths: 12,
      startDate: '2026-03-10',
      apr: '0.18',
    });
  const status = async (id: string) =>
    (
      await handle.db
        .selectFrom('applications')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;
  const drawdown = (id: string) =>
    handle.db
      .selectFrom('drawdowns')
      .select(['status', 'lender_loan_id', 'failure_reason'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const events = (id: string) =>
    handle.db
      .selectFrom('application_events')
      .select(['event', 'from_status', 'to_status', 'cause_type', 'cause_id', 'details'])
      .where('application_id', '=', id)
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => handle.close());

  it('hands over the drawdown a lender names, and refuses one unknown or sent to another lender', async () => {
    const { applicationId, drawdownId } = await seed();
    const found = await inTransaction(handle.db, (trx) =>
      lifecycle.drawdownFor(trx, 'xinghe-bank', drawdownId),
    );
    expect(found).toMatchObject({
      drawdownId,
      applicationId,
      channelCode: 'shop',
      amountFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
      dayCount: 'ACT/360',
    });
    expect(Number(found.approvedApr)).toBe(0.18);
    for (const unknown of ['dd-0001', '7d1f7a8e-0000-4000-8000-00000000ffff']) {
      await expect(
        inTransaction(handle.db, (trx) => lifecycle.drawdownFor(trx, 'xinghe-bank', unknown)),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', message: `No drawdown ${unknown}.` });
    }
    await expect(
      inTransaction(handle.db, (trx) => lifecycle.drawdownFor(trx, 'other-lender', drawdownId)),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('fails a drawdown with the lender’s reason; the application may draw again', async () => {
    const { applicationId, drawdownId } = await seed();
    await inTransaction(handle.db, (trx) =>
      lifecycle.drawdownFailed(trx, drawdownId, 'account closed', 'cb-1'),
    );
    expect(await drawdown(drawdownId)).toEqual({
      status: 'failed',
      lender_loan_id: null,
      failure_reason: 'account closed',
    });
    expect(await status(applicationId)).toBe('drawdown_failed');
    expect(await events(applicationId)).toEqual([
      {
        event: 'disbursement_failed',
        from_status: 'drawdown_requested',
        to_status: 'drawdown_failed',
        cause_type: 'lender',
        cause_id: 'cb-1',
        details: { drawdownId },
      },
    ]);
  });

  it('follows the loan: disbursed, repaying, overdue, current, settled; a write-off changes nothing', async () => {
    const { applicationId, drawdownId } = await seed();
    const loanId = '7d1f7a8e-0000-4000-8000-00000000a001';
    await inTransaction(handle.db, (trx) =>
      lifecycle.drawdownSucceeded(trx, drawdownId, { loanId, lenderLoanId: 'XH-LOAN-9' }, 'cb-2'),
    );
    expect(await drawdown(drawdownId)).toMatchObject({ status: 'succeeded', lender_loan_id: 'XH-LOAN-9' });
    expect(await status(applicationId)).toBe('disbursed');
    await inTransaction(handle.db, (trx) => lifecycle.loanScheduleReceived(trx, applicationId, 'cb-3'));
    expect(await status(applicationId)).toBe('repaying');
    // A later schedule version moves nothing: the application is already being repaid.
    await inTransaction(handle.db, (trx) => lifecycle.loanScheduleReceived(trx, applicationId, 'cb-4'));
    await inTransaction(handle.db, (trx) =>
      lifecycle.loanStatusChanged(trx, applicationId, 'overdue', 'cb-5'),
    );
    expect(await status(applicationId)).toBe('overdue');
    await inTransaction(handle.db, (trx) =>
      lifecycle.loanStatusChanged(trx, applicationId, 'written_off', 'cb-6'),
    );
    expect(await status(applicationId)).toBe('overdue');
    await inTransaction(handle.db, (trx) =>
      lifecycle.loanStatusChanged(trx, applicationId, 'repaying', 'cb-7'),
    );
    await inTransaction(handle.db, (trx) =>
      lifecycle.loanStatusChanged(trx, applicationId, 'settled', 'cb-8'),
    );
    // Settled is final: a late status is ignored rather than refused.
    await inTransaction(handle.db, (trx) =>
      lifecycle.loanStatusChanged(trx, applicationId, 'overdue', 'cb-9'),
    );
    expect(await status(applicationId)).toBe('settled');
    const history = await events(applicationId);
    expect(history.map((e) => [e.event, e.to_status, e.cause_id])).toEqual([
      ['disbursement_succeeded', 'disbursed', 'cb-2'],
      ['schedule_received', 'repaying', 'cb-3'],
      ['loan_overdue', 'overdue', 'cb-5'],
      ['loan_current', 'repaying', 'cb-7'],
      ['loan_settled', 'settled', 'cb-8'],
    ]);
    expect(history[0]?.details).toEqual({ drawdownId, loanId });
  });

  it('leaves everything as it was when the callback’s transaction rolls back', async () => {
    const { applicationId, drawdownId } = await seed();
    await expect(
      inTransaction(handle.db, async (trx) => {
        await lifecycle.drawdownSucceeded(
          trx,
          drawdownId,
          { loanId: applicationId, lenderLoanId: 'L' },
          'cb-10',
        );
        throw new Error('the loan could not be opened');
      }),
    ).rejects.toThrow('the loan could not be opened');
    expect(await drawdown(drawdownId)).toMatchObject({ status: 'requested', lender_loan_id: null });
    expect(await status(applicationId)).toBe('drawdown_requested');
    expect(await events(applicationId)).toEqual([]);
  });
});
