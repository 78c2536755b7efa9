import { describe, expect, it } from 'vitest';
import { payoffFromSchedule } from '../../src/loans/payoff.ts';
import { checkScheduleWithinCap, quoteLoan, quotePayoff } from '../../src/money/index.ts';
import type { ScheduleInstallment } from '../sdk/index.ts';
import {
  initialSchedule,
  type LoanTerms,
  overdueSchedule,
  penaltyFen,
  planInstallments,
  planPayoff,
  withAmount,
  withPrepaymentFee,
} from './loans.ts';

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

  it('asks a prepayment fee under the fault, on a payoff only', () => {
    const plan = planPayoff(TERMS, rows, '2026-01-15');
    if (!plan.ok) throw new Error('unreachable');
    const charged = withPrepaymentFee(plan, 5_000);
    expect(charged).toMatchObject({ ok: true, feeFen: 5_000, totalFen: plan.totalFen + 5_000 });
    expect(withAmount(charged, plan.totalFen)).toMatchObject({ ok: false });
    expect(withPrepaymentFee(plan, 0)).toBe(plan);
    const installment = planInstallments(rows, [1]);
    expect(withPrepaymentFee(installment, 5_000)).toBe(installment);
  });
});

describe('overdue', () => {
  const rows = initialSchedule(TERMS);
  const allIn = (schedule: readonly ScheduleInstallment[], terms = TERMS) =>
    checkScheduleWithinCap({
      amountReceivedFen: terms.principalFen,
      startDate: terms.startDate,
      installments: schedule.map((r) => ({
        dueDate: r.dueDate,
        totalFen: r.principalFen + r.interestFen + r.feeFen + r.penaltyFen,
      })),
    });

  it('charges principal and interest × rate × days / 360, rounded half up to the fen', () => {
    // Installment 1: 92,016 + 18,000 = 110,016 fen; × 0.18 × 30 / 360 = 1,650.24 → 1,650.
    expect(rows[0]).toMatchObject({ principalFen: 92_016, interestFen: 18_000 });
    expect(penaltyFen(rows[0]!, '0.18', 30)).toBe(1_650);
    // 110,016 × 0.05 × 3 / 360 = 45.84 → 46; × 0.000001 × 1 / 360 → 0.0003 → 0.
    expect(penaltyFen(rows[0]!, '0.05', 3)).toBe(46);
    expect(penaltyFen(rows[0]!, '0.000001', 1)).toBe(0);
    // Exactly half a fen rounds up: 36,000 × 0.01 × 1 / 360 = 1 → 1; 18,000 × 0.01 / 360 = 0.5 → 1.
    expect(penaltyFen({ ...rows[0]!, principalFen: 18_000, interestFen: 0 }, '0.01', 1)).toBe(1);
  });

  it('makes the earliest unpaid installment overdue with its penalty, and refuses no-ops', () => {
    const plan = overdueSchedule(TERMS, rows, { penaltyRate: '0.18', days: 30 });
    expect(plan).toMatchObject({ periods: [1], penaltyFen: 1_650, capped: false });
    expect(plan!.installments[0]).toEqual({ ...rows[0]!, status: 'overdue', penaltyFen: 1_650 });
    expect(plan!.installments.slice(1)).toEqual(rows.slice(1));
    // Again: installment 1 is overdue already, nothing new falls.
    expect(overdueSchedule(TERMS, plan!.installments, { penaltyRate: '0.18', days: 30 })).toBeUndefined();
    // Repaid, it is paid whole with its penalty; then installment 2 can fall overdue.
    const repaid = planInstallments(plan!.installments, [1]);
    expect(repaid).toMatchObject({ ok: true, totalFen: 110_016 + 1_650, penaltyFen: 1_650 });
    if (!repaid.ok) throw new Error('unreachable');
    expect(overdueSchedule(TERMS, repaid.installments, { period: 1, penaltyRate: '0.18', days: 30 })).toBe(
      undefined,
    );
    expect(overdueSchedule(TERMS, repaid.installments, { penaltyRate: '0.18', days: 30 })?.periods).toEqual([
      2,
    ]);
  });

  it('takes the unpaid installments before the one named with it', () => {
    const plan = overdueSchedule(TERMS, rows, { period: 3, penaltyRate: '0.12', days: 10 });
    expect(plan?.periods).toEqual([1, 2, 3]);
    const each = rows.slice(0, 3).map((r) => penaltyFen(r, '0.12', 10));
    expect(plan?.installments.slice(0, 3).map((r) => r.penaltyFen)).toEqual(each);
    expect(plan?.penaltyFen).toBe(each.reduce((a, b) => a + b, 0));
    expect(plan!.installments[3]!.status).toBe('pending');
  });

  it('lowers penalties that would lift the all-in APR above 24% to the largest that fits', () => {
    const hot: LoanTerms = { ...TERMS, apr: '0.2399' };
    const schedule = initialSchedule(hot);
    const full = rows.slice(0, 3).map((r) => penaltyFen(r, '1', 1_000));
    const plan = overdueSchedule(hot, schedule, { period: 3, penaltyRate: '1', days: 1_000 });
    expect(plan?.capped).toBe(true);
    expect(plan!.penaltyFen).toBeGreaterThan(0);
    expect(plan!.penaltyFen).toBeLessThan(full.reduce((a, b) => a + b, 0));
    expect(allIn(plan!.installments, hot).ok).toBe(true);
    // Two fen more on the first overdue installment break the cap: the penalties are near the most it allows.
    const more = plan!.installments.map((r, i) => (i === 0 ? { ...r, penaltyFen: r.penaltyFen + 2 } : r));
    expect(allIn(more, hot)).toMatchObject({ ok: false, reason: 'APR_ABOVE_CAP' });
    // An ordinary penalty at 18% leaves it within the cap untouched.
    expect(overdueSchedule(TERMS, rows, { penaltyRate: '0.18', days: 30 })?.capped).toBe(false);
  });

  it('asks the same payoff of an overdue loan as the platform quotes (src/loans/payoff.ts)', () => {
    const plan = overdueSchedule(TERMS, rows, { period: 2, penaltyRate: '0.18', days: 30 })!;
    const platform = (day: string) =>
      payoffFromSchedule({ ...TERMS, annualRate: TERMS.apr }, plan.installments, day);
    // Before the due dates (the sandbox's overdue is make-believe): principal and accrued interest.
    // After installment 1's due date: it is collected whole, with its penalty.
    for (const day of ['2026-01-20', '2026-02-20']) {
      const payoff = planPayoff(TERMS, plan.installments, day);
      expect(payoff.ok && payoff.totalFen).toBe(platform(day).totalFen);
    }
    const late = planPayoff(TERMS, plan.installments, '2026-02-20');
    expect(late.ok && late.penaltyFen).toBe(plan.installments[0]!.penaltyFen);
  });
});

describe('a product on ACT/365', () => {
  // Found by the chaos suite's reference: the sandbox priced every payoff ACT/360, so a platform
  // payoff of an ACT/365 product (500,000 fen, 3-month bullet at 16.8%, 10 days in) was refused.
  const terms = {
    principalFen: 500_000,
    termMonths: 3,
    method: 'bullet' as const,
    apr: '0.168',
    startDate: '2026-03-01',
    dayCount: 'ACT/365' as const,
  };

  it('pays off early for the amount the platform quotes with the same day count', () => {
    const plan = planPayoff(terms, initialSchedule(terms), '2026-03-11');
    const platform = quotePayoff(
      {
        principalFen: 500_000,
        termMonths: 3,
        method: 'bullet',
        annualRate: '0.168',
        startDate: '2026-03-01',
        dayCount: 'ACT/365',
      },
      '2026-03-11',
    );
    expect(plan.ok && plan.totalFen).toBe(platform.totalFen);
    const act360 = quotePayoff(
      {
        principalFen: 500_000,
        termMonths: 3,
        method: 'bullet',
        annualRate: '0.168',
        startDate: '2026-03-01',
      },
      '2026-03-11',
    );
    expect(platform.totalFen).not.toBe(act360.totalFen);
  });
});
