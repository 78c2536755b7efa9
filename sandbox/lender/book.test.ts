import { describe, expect, it } from 'vitest';
import type { RepaymentScheduleCallback, ScheduleInstallment } from '../sdk/index.ts';
import { type BookAnswer, LenderBook, reversalIdOf } from './book.ts';
import {
  ADULT,
  applyRequest,
  bookOptions,
  DRAWDOWN_APP_1,
  installmentRepayment,
  NOW,
} from './book-fixtures.ts';
import { penaltyFen } from './loans.ts';

function book(dailyQuota = 10, state?: ReturnType<LenderBook['state']>): LenderBook {
  return new LenderBook(bookOptions({ dailyQuota, ...(state === undefined ? {} : { state }) }));
}

function ok(answer: BookAnswer) {
  if (!answer.ok) throw new Error(answer.message);
  return answer;
}

/** A book with application app-1 approved and loan-1 disbursed (visible from NOW + 1,500). */
function disbursed(): { b: LenderBook; rows: readonly ScheduleInstallment[] } {
  const b = book();
  b.apply(applyRequest('app-1'), ADULT, NOW);
  const answer = ok(b.drawdown(DRAWDOWN_APP_1, NOW + 1_000));
  const schedule = answer.callbacks[1]!.body as RepaymentScheduleCallback;
  return { b, rows: schedule.installments };
}

/** Repays installment 1 of loan-1 as `rp-1`. */
const installment1 = (amountFen: number) => installmentRepayment('rp-1', [1], amountFen);

describe('lender book', () => {
  it('decides at once, calls back after the delay, and shows the decision only from then', () => {
    const b = book();
    const answer = b.apply(applyRequest('app-1'), ADULT, NOW);
    expect(answer).toMatchObject({ ok: true, status: 202, body: { accepted: true } });
    if (!answer.ok) throw new Error('unreachable');
    expect(answer.callbacks).toEqual([
      expect.objectContaining({ kind: 'credit-decision', delayMs: 1_000, stream: 'app-1' }),
    ]);
    expect(answer.callbacks[0]!.body).toMatchObject({
      decision: 'approved',
      decidedAt: new Date(NOW + 1_000).toISOString(),
    });
    expect(b.statusQuery({ applicationId: 'app-1' }, NOW + 999)).toMatchObject({
      body: { application: { applicationId: 'app-1', decision: 'pending' } },
    });
    expect(b.statusQuery({ applicationId: 'app-1' }, NOW + 1_000)).toMatchObject({
      body: { application: { decision: 'approved' } },
    });
    expect(b.drawdown(DRAWDOWN_APP_1, NOW + 10)).toMatchObject({ ok: false, code: 'INVALID_STATE' });
  });

  it('disburses, then pushes schedule version 1; the loan exists for repayment only once disbursed', () => {
    const b = book();
    b.apply(applyRequest('app-1'), ADULT, NOW);
    const answer = b.drawdown(DRAWDOWN_APP_1, NOW + 1_000);
    if (!answer.ok) throw new Error('unreachable');
    expect(answer.callbacks.map((c) => c.kind)).toEqual(['disbursement', 'repayment-schedule']);
    expect(answer.callbacks[1]!.body).toMatchObject({ loanId: 'loan-1', version: 1 });
    const repay = {
      loanId: 'loan-1',
      repaymentId: 'rp',
      kind: 'payoff',
      amountFen: 1_000_000,
      requestedAt: '2026-03-01T05:00:00Z',
    } as const;
    expect(b.repay(repay, NOW + 1_100)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    const paid = b.repay(repay, NOW + 1_500);
    if (!paid.ok) throw new Error(paid.message);
    expect(paid.callbacks.map((c) => c.kind)).toEqual(['repayment', 'repayment-schedule', 'loan-status']);
    expect(paid.callbacks[2]!.body).toMatchObject({ status: 'settled', version: 1 });
    expect(b.ledger().map((e) => [e.type, e.businessId, e.amountFen])).toEqual([
      ['disbursement', 'dd-1', 1_000_000],
      ['repayment', 'rp', 1_000_000],
    ]);
    expect(b.statusQuery({ loanId: 'loan-1' }, NOW + 2_000)).toMatchObject({
      body: { loan: { status: 'settled', schedule: { version: 2 } } },
    });
  });

  it('counts the daily quota per product on the CST day, and answers 404 for unknown ids', () => {
    const b = book(1);
    b.apply(applyRequest('app-1'), ADULT, NOW);
    const second = b.apply(applyRequest('app-2'), ADULT, NOW);
    if (!second.ok) throw new Error('unreachable');
    expect(second.callbacks[0]!.body).toMatchObject({ decision: 'rejected', reason: 'over_quota' });
    const nextDay = b.apply(applyRequest('app-3'), ADULT, NOW + 86_400_000);
    if (!nextDay.ok) throw new Error('unreachable');
    expect(nextDay.callbacks[0]!.body).toMatchObject({ decision: 'approved' });
    expect(b.statusQuery({ applicationId: 'nope' }, NOW)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(b.drawdown({ ...DRAWDOWN_APP_1, applicationId: 'nope' }, NOW)).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
  });

  it('rebuilds from its state: the same records, answers and ledger, and only changes handed over', () => {
    const { b } = disbursed();
    const first = b.takeChanges();
    expect(first.applications.map((a) => a.applicationId)).toEqual(['app-1']);
    expect(first.drawdowns.map((d) => d.result.drawdownId)).toEqual(['dd-1']);
    expect(first.loans.map((l) => l.loanId)).toEqual(['loan-1']);
    expect(first.appliedPerDay).toEqual([{ productCode: 'SBX-CASH', day: '2026-03-01', count: 1 }]);
    expect([first.ledgerFrom, first.ledger.length]).toEqual([0, 1]);
    expect(b.hasChanges()).toBe(false);
    expect(b.takeChanges()).toEqual({
      ...first,
      applications: [],
      drawdowns: [],
      loans: [],
      appliedPerDay: [],
      ledgerFrom: 1,
      ledger: [],
    });

    const again = book(10, b.state());
    expect(again.state()).toEqual(b.state());
    expect(again.statusQuery({ applicationId: 'app-1', loanId: 'loan-1' }, NOW + 2_000)).toEqual(
      b.statusQuery({ applicationId: 'app-1', loanId: 'loan-1' }, NOW + 2_000),
    );
    const rows = again.state().loans[0]!.installments;
    const due = rows[0]!.principalFen + rows[0]!.interestFen;
    ok(again.repay(installment1(due), NOW + 2_000));
    const changes = again.takeChanges();
    expect(changes.loans.map((l) => [l.loanId, l.scheduleVersion])).toEqual([['loan-1', 2]]);
    expect(changes.applications).toEqual([]);
    expect(changes.ledgerFrom).toBe(1);
    expect(changes.ledger.map((e) => [e.type, e.businessId, e.amountFen])).toEqual([
      ['repayment', 'rp-1', due],
    ]);
    // A copy: a later transition does not reach what was handed over.
    ok(
      again.repay(
        { ...installment1(rows[1]!.principalFen + rows[1]!.interestFen), repaymentId: 'rp-2', periods: [2] },
        NOW + 3_000,
      ),
    );
    expect(changes.loans[0]!.scheduleVersion).toBe(2);
  });

  it("decides late under the decision-delay fault, and rejects with the fault's reason", () => {
    const b = book();
    const late = ok(b.apply(applyRequest('app-1'), ADULT, NOW, { decisionDelayMs: 5_000 }));
    expect(late.callbacks[0]).toMatchObject({
      delayMs: 6_000,
      body: { decision: 'approved', decidedAt: new Date(NOW + 6_000).toISOString() },
    });
    expect(ok(b.statusQuery({ applicationId: 'app-1' }, NOW + 5_999)).body).toEqual({
      application: { applicationId: 'app-1', decision: 'pending' },
    });
    expect(b.drawdown(DRAWDOWN_APP_1, NOW + 5_999)).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    expect(ok(b.statusQuery({ applicationId: 'app-1' }, NOW + 6_000)).body).toMatchObject({
      application: { decision: 'approved' },
    });
    const rejected = ok(b.apply(applyRequest('app-2'), ADULT, NOW, { rejectReason: 'credit_score' }));
    expect(rejected.callbacks[0]!.body).toEqual({
      applicationId: 'app-2',
      decision: 'rejected',
      reason: 'credit_score',
      decidedAt: new Date(NOW + 1_000).toISOString(),
    });
    expect(
      b.drawdown({ ...DRAWDOWN_APP_1, applicationId: 'app-2', drawdownId: 'dd-2' }, NOW + 1_000),
    ).toMatchObject({
      ok: true,
      callbacks: [{ kind: 'disbursement', body: { status: 'failed', reason: 'not_approved' } }],
    });
  });

  it('makes an installment overdue with its penalty, and the loan current again once it is repaid', () => {
    const { b, rows } = disbursed();
    expect(b.markOverdue('loan-1', { penaltyRate: '0.18', days: 30 }, NOW + 1_000)).toMatchObject({
      periods: [1],
      capped: false,
    });
    const penalty = penaltyFen(rows[0]!, '0.18', 30);
    expect(penalty).toBeGreaterThan(0);
    const loan = ok(b.statusQuery({ loanId: 'loan-1' }, NOW + 1_500)).body as {
      loan: { status: string; schedule: { version: number; installments: ScheduleInstallment[] } };
    };
    expect(loan.loan.status).toBe('overdue');
    expect(loan.loan.schedule.version).toBe(2);
    expect(loan.loan.schedule.installments[0]).toMatchObject({ status: 'overdue', penaltyFen: penalty });
    expect(b.markOverdue('loan-1', { penaltyRate: '0.18', days: 30 }, NOW + 2_000)).toBeUndefined();
    expect(b.markOverdue('loan-x', { penaltyRate: '0.18', days: 30 }, NOW)).toBeUndefined();

    const due = rows[0]!.principalFen + rows[0]!.interestFen;
    expect(b.repay(installment1(due), NOW + 2_000)).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    const paid = ok(b.repay(installment1(due + penalty), NOW + 2_000));
    expect(paid.callbacks.map((c) => c.kind)).toEqual(['repayment', 'repayment-schedule', 'loan-status']);
    expect(paid.callbacks[0]!.body).toMatchObject({ penaltyFen: penalty, periods: [1] });
    expect(paid.callbacks[2]!.body).toMatchObject({ status: 'repaying', version: 2 });
    expect(b.ledger().at(-1)).toMatchObject({ amountFen: due + penalty, penaltyFen: penalty });
  });

  it("calls back the overdue fault's schedule after the disbursement of a loan not yet visible", () => {
    const b = book();
    b.apply(applyRequest('app-1'), ADULT, NOW);
    ok(b.drawdown(DRAWDOWN_APP_1, NOW + 1_000));
    const fallen = b.markOverdue('loan-1', { penaltyRate: '0.18', days: 30 }, NOW + 1_000);
    expect(fallen?.callbacks.map((c) => [c.kind, c.delayMs])).toEqual([
      ['repayment-schedule', 500],
      ['loan-status', 500],
    ]);
    expect(fallen!.callbacks[1]!.body).toMatchObject({
      status: 'overdue',
      version: 1,
      asOf: new Date(NOW + 1_500).toISOString(),
    });
    expect(b.openLoanIds()).toEqual(['loan-1']);
  });

  it('reverses a repayment: reported, then reversed, the installment unpaid again, the ledger net zero', () => {
    const { b, rows } = disbursed();
    const due = rows[0]!.principalFen + rows[0]!.interestFen;
    const bounced = ok(b.repay(installment1(due), NOW + 2_000, { reverse: true }));
    expect(bounced.callbacks.map((c) => [c.kind, c.delayMs])).toEqual([
      ['repayment', 200],
      ['repayment-schedule', 200],
      ['repayment', 400],
      ['repayment-schedule', 400],
    ]);
    const [repayment, paidSchedule, reversal, restored] = bounced.callbacks.map((c) => c.body) as unknown as [
      Record<string, unknown>,
      { version: number; installments: ScheduleInstallment[] },
      Record<string, unknown>,
      { version: number; installments: ScheduleInstallment[] },
    ];
    expect(paidSchedule.installments[0]!.status).toBe('paid');
    expect(reversal).toEqual({
      ...repayment,
      repaymentId: reversalIdOf('rp-1'),
      reversalOf: 'rp-1',
      paidAt: new Date(NOW + 2_400).toISOString(),
    });
    expect(restored.version).toBe(3);
    expect(restored.installments).toEqual(rows);
    expect(
      b
        .ledger()
        .slice(1)
        .map((e) => [e.businessId, e.amountFen, e.principalFen, e.interestFen]),
    ).toEqual([
      ['rp-1', due, rows[0]!.principalFen, rows[0]!.interestFen],
      ['rev:rp-1', -due, -rows[0]!.principalFen, -rows[0]!.interestFen],
    ]);
    // The same installment can be paid again (under a new repayment id).
    expect(
      ok(b.repay({ ...installment1(due), repaymentId: 'rp-2' }, NOW + 3_000)).callbacks[0]!.body,
    ).toMatchObject({ periods: [1] });
  });

  it('reverses a payoff that settled the loan: settled, then repaying again, as before', () => {
    const { b, rows } = disbursed();
    const payoff = {
      loanId: 'loan-1',
      repaymentId: 'rp-9',
      kind: 'payoff',
      amountFen: 1_000_000,
      requestedAt: '2026-03-01T05:00:00Z',
    } as const;
    const bounced = ok(b.repay(payoff, NOW + 2_000, { reverse: true }));
    expect(bounced.callbacks.map((c) => c.kind)).toEqual([
      'repayment',
      'repayment-schedule',
      'loan-status',
      'repayment',
      'repayment-schedule',
      'loan-status',
    ]);
    expect(bounced.callbacks[2]!.body).toMatchObject({ status: 'settled', version: 1 });
    expect(bounced.callbacks[5]!.body).toMatchObject({ status: 'repaying', version: 2 });
    expect(ok(b.statusQuery({ loanId: 'loan-1' }, NOW + 3_000)).body).toMatchObject({
      loan: { status: 'repaying', schedule: { version: 3, installments: rows } },
    });
    expect(reversalIdOf('x'.repeat(64))).toMatch(/^rev:[0-9a-f]{60}$/);
  });
});
