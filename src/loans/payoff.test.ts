import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LoanTerms, quoteLoan, quotePayoff } from '../money/index.ts';
import { type InstallmentState, payoffFromSchedule } from './payoff.ts';

const terms: LoanTerms = {
  principalFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  annualRate: '0.18',
  startDate: '2026-03-10',
};

function schedule(paidThrough = 0): InstallmentState[] {
  return quoteLoan(terms).installments.map((row) => ({
    ...row,
    penaltyFen: 0,
    paidFen: row.period <= paidThrough ? row.totalFen : 0,
    status: row.period <= paidThrough ? 'paid' : 'pending',
  }));
}

describe('payoff from the loan state', () => {
  it('equals the money module payoff when installments were paid as they fell due', () => {
    // Two installments paid on time, payoff on 2026-05-25: interest for 15 days on what remains.
    const state = payoffFromSchedule(terms, schedule(2), '2026-05-25');
    const plain = quotePayoff(terms, '2026-05-25');
    expect(state).toMatchObject({
      principalFen: plain.principalFen,
      interestFen: plain.interestFen,
      feeFen: 0,
    });
    expect(state.totalFen).toBe(plain.totalFen);
  });

  it('charges no interest for a period whose installment was paid ahead', () => {
    // Installment 1 (due 2026-04-10) paid on the start day; payoff the same day.
    const state = payoffFromSchedule(terms, schedule(1), '2026-03-10');
    const first = quoteLoan(terms).installments[0]!;
    expect(state.interestFen).toBe(0);
    expect(state.principalFen).toBe(1_000_000 - first.principalFen);
    expect(state.totalFen).toBe(1_000_000 - first.principalFen);
  });

  it('collects an overdue installment whole, with its penalty, before the free payoff of the rest', () => {
    const rows = schedule(0).map((row) =>
      row.period === 1 ? { ...row, status: 'overdue' as const, penaltyFen: 500 } : row,
    );
    const state = payoffFromSchedule(terms, rows, '2026-04-20');
    const first = quoteLoan(terms).installments[0]!;
    const plain = quotePayoff(terms, '2026-04-20');
    expect(state.feeFen).toBe(500);
    expect(state.totalFen).toBe(first.totalFen + 500 + plain.totalFen);
  });

  it('never exceeds what the schedule would cost (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 360 }), (paid, day) => {
        const date = new Date(Date.UTC(2026, 2, 10 + day)).toISOString().slice(0, 10);
        const rows = schedule(paid);
        const state = payoffFromSchedule(terms, rows, date);
        const remaining = rows
          .filter((row) => row.status !== 'paid')
          .reduce((sum, row) => sum + row.principalFen + row.interestFen + row.feeFen, 0);
        expect(state.totalFen).toBeLessThanOrEqual(remaining);
        expect(Number.isSafeInteger(state.totalFen) && state.totalFen >= 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
