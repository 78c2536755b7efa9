import { describe, expect, it } from 'vitest';
import { callbacksFromStatus, PULLED_LOAN_END } from './status-pull.ts';

const schedule = {
  loanId: 'L1',
  version: 3,
  installments: [
    {
      period: 1,
      dueDate: '2026-02-10',
      principalFen: 100,
      interestFen: 2,
      feeFen: 0,
      penaltyFen: 0,
      paidFen: 102,
      status: 'paid' as const,
    },
  ],
};

describe('callbacks reconstructed from a status answer', () => {
  it('adds nothing for what is still pending or processing, or for a loan still running', () => {
    expect(
      callbacksFromStatus({
        application: { applicationId: 'A1', decision: 'pending' },
        drawdowns: [{ drawdownId: 'D1', applicationId: 'A1', status: 'processing' }],
      }),
    ).toEqual([]);
    expect(callbacksFromStatus({ loan: { status: 'repaying', schedule } }).map((c) => c.kind)).toEqual([
      'repayment-schedule',
    ]);
  });

  it('gives the decision, the drawdown outcomes, the schedule and the end, in that order, with their business ids', () => {
    const decision = {
      applicationId: 'A1',
      decision: 'approved' as const,
      limitFen: 500,
      apr: '0.18',
      termsMonths: [12],
      methods: ['equal_installment' as const],
      decidedAt: '2026-01-10T00:00:00Z',
    };
    const disbursed = {
      drawdownId: 'D1',
      applicationId: 'A1',
      loanId: 'L1',
      status: 'succeeded' as const,
      principalFen: 100,
      disbursedAt: '2026-01-10T01:00:00Z',
      startDate: '2026-01-10',
    };
    const pulled = callbacksFromStatus({
      application: decision,
      drawdowns: [disbursed],
      loan: { status: 'settled', schedule },
    });
    expect(pulled).toEqual([
      { kind: 'credit-decision', businessId: 'A1', body: decision },
      { kind: 'disbursement', businessId: 'D1', body: disbursed },
      { kind: 'repayment-schedule', businessId: 'L1:3', body: schedule },
      { kind: PULLED_LOAN_END, businessId: 'L1:settled', body: { loanId: 'L1', status: 'settled' } },
    ]);
  });
});
