import { describe, expect, it } from 'vitest';
import { quoteLoan, quotePayoff } from '../../src/money/index.ts';
import { initialSchedule, type LoanTerms, planInstallments, planPayoff, withAmount } from './loans.ts';

const TERMS: LoanTerms = {
  principalFen: 1_200_000,
  termMonths: 12,
  method: 'equal_installment',
  apr: '0.18',
  startDate: '2026-01-15',
};

describe('loan schedule', () => {
  it('is the src/money quote, every installment pending', () => {
    const rows = initialSchedule(TERMS);
    const quote = quoteLoan({ ...TERMS, annualRate: TERMS.apr });
    expect(rows).toHaveLength(12);
    rows.forEach((row, i) => {
      const q = quote.installments[i]!;
      expect(row).toEqual({
        period: q.period,
        dueDate: q.dueDate,
        principalFen: q.principalFen,
        interestFen: q.interestFen,
        feeFen: 0,
        penaltyFen: 0,
        paidFen: 0,
        status: 'pending',
      });
    });
  });
});

describe('installment repayment', () => {
  const rows = initialSchedule(TERMS);

  it('pays the earliest unpaid installments whole, for exactly their amount', () => {
    const due = rows[0]!.principalFen + rows[0]!.interestFen + rows[1]!.principalFen + rows[1]!.interestFen;
    const plan = planInstallments(rows, [1, 2]);
    expect(plan).toMatchObject({
      ok: true,
      totalFen: due,
      periods: [1, 2],
      earlyPayoff: false,
      settled: false,
    });
    expect(withAmount(plan, due).ok).toBe(true);
    expect(withAmount(plan, due - 1)).toEqual({
      ok: false,
      message: `amountFen must be ${due} for this repayment, not ${due - 1}`,
    });
    if (!plan.ok) throw new Error('unreachable');
    expect(plan.installments[0]).toMatchObject({
      status: 'paid',
      paidFen: rows[0]!.principalFen + rows[0]!.interestFen,
    });
    expect(plan.installments[2]!.status).toBe('pending');
  });

  it('refuses out-of-order periods and a settled loan', () => {
    expect(planInstallments(rows, [2])).toEqual({
      ok: false,
      message: 'installments are paid in order: the next unpaid ones are 1',
    });
    const all = planInstallments(
      rows,
      rows.map((r) => r.period),
    );
    expect(all).toMatchObject({ ok: true, settled: true, principalFen: 1_200_000 });
    if (!all.ok) throw new Error('unreachable');
    expect(planInstallments(all.installments, [1])).toEqual({
      ok: false,
      message: 'the loan is already settled',
    });
    expect(planPayoff(TERMS, all.installments, '2026-03-01').ok).toBe(false);
  });
});

describe('early payoff', () => {
  const rows = initialSchedule(TERMS);

  it('charges the remaining principal and interest to the day, as src/money quotes it', () => {
    const afterTwo = planInstallments(rows, [1, 2]);
    if (!afterTwo.ok) throw new Error('unreachable');
    const plan = planPayoff(TERMS, afterTwo.installments, '2026-04-01');
    const quote = quotePayoff({ ...TERMS, annualRate: TERMS.apr }, '2026-04-01');
    expect(plan).toMatchObject({
      ok: true,
      principalFen: quote.principalFen,
      interestFen: quote.interestFen,
      feeFen: 0,
      earlyPayoff: true,
      settled: true,
      periods: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    });
  });

  it('pays overdue installments in full and charges no interest on the start day', () => {
    const plan = planPayoff(TERMS, rows, '2026-02-20');
    expect(plan).toMatchObject({ ok: true, periods: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] });
    if (!plan.ok) throw new Error('unreachable');
    const quote = quotePayoff({ ...TERMS, annualRate: TERMS.apr }, '2026-02-20');
    expect(plan.interestFen).toBe(rows[0]!.interestFen + quote.interestFen);
    expect(planPayoff(TERMS, rows, '2026-01-01')).toMatchObject({
      ok: true,
      principalFen: 1_200_000,
      interestFen: 0,
    });
  });

  it('charges no more interest when the next installment was paid ahead', () => {
    const ahead = planInstallments(rows, [1]);
    if (!ahead.ok) throw new Error('unreachable');
    const plan = planPayoff(TERMS, ahead.installments, '2026-01-20');
    expect(plan).toMatchObject({ ok: true, interestFen: 0, principalFen: 1_200_000 - rows[0]!.principalFen });
  });
});
