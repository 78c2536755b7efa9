import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { termsArb } from './arbitraries.ts';
import { MoneyValidationError } from './errors.ts';
import { quoteLoan, quotePayoff } from './quote.ts';
import { referenceDueDate, referencePayoff } from './reference.ts';
import type { LoanTerms } from './terms.ts';

const loan: LoanTerms = {
  principalFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  annualRate: '0.24',
  startDate: '2026-01-15',
};

describe('quotePayoff hand vectors', () => {
  it('ACT/360: 14 days after the first due date', () => {
    // Installment 1 (2026-02-15) paid: 925,440 left. 925,440 · 0.24 · 14 / 360 = 8637.44 → 8637.
    expect(quotePayoff(loan, '2026-03-01')).toEqual({
      principalFen: 925_440,
      interestFen: 8637,
      feeFen: 0,
      totalFen: 934_077,
      accrualStartDate: '2026-02-15',
      accrualDays: 14,
    });
  });

  it('ACT/365: same day, 925,440 · 0.24 · 14 / 365 = 8519.12 → 8519', () => {
    expect(quotePayoff({ ...loan, dayCount: 'ACT/365' }, '2026-03-01')).toMatchObject({
      principalFen: 925_440,
      interestFen: 8519,
      totalFen: 933_959,
    });
  });

  it('before the first due date interest runs from the start date', () => {
    // 10 days: 1,000,000 · 0.24 · 10 / 360 = 6666.67 → 6667.
    expect(quotePayoff(loan, '2026-01-25')).toMatchObject({
      principalFen: 1_000_000,
      interestFen: 6667,
      totalFen: 1_006_667,
      accrualStartDate: '2026-01-15',
      accrualDays: 10,
    });
  });

  it('on the start date the borrower returns the principal and nothing more', () => {
    expect(quotePayoff(loan, '2026-01-15')).toMatchObject({
      principalFen: 1_000_000,
      interestFen: 0,
      totalFen: 1_000_000,
    });
  });

  it('on the maturity date everything has been paid', () => {
    expect(quotePayoff(loan, '2027-01-15')).toMatchObject({ principalFen: 0, interestFen: 0, totalFen: 0 });
  });

  it('bullet: never more interest than the schedule would charge', () => {
    const bullet: LoanTerms = { ...loan, principalFen: 1_200_000, method: 'bullet', annualRate: '0.12' };
    // Scheduled interest 144,000. One day before maturity (364 days): ACT/360 would accrue
    // 1,200,000 · 0.12 · 364 / 360 = 145,600, so it is capped to 144,000; ACT/365 accrues
    // 143,605.48 → 143,605.
    expect(quotePayoff(bullet, '2027-01-14')).toMatchObject({ interestFen: 144_000, accrualDays: 364 });
    expect(quotePayoff({ ...bullet, dayCount: 'ACT/365' }, '2027-01-14')).toMatchObject({
      interestFen: 143_605,
    });
    // Halfway (181 days, ACT/360): 1,200,000 · 0.12 · 181 / 360 = 72,400.
    expect(quotePayoff(bullet, '2026-07-15')).toMatchObject({ principalFen: 1_200_000, interestFen: 72_400 });
  });
});

describe('quotePayoff validation', () => {
  it.each([
    ['2026-01-14', 'before'],
    ['2027-01-16', 'after'],
  ])('rejects %s (%s the loan) naming payoffDate', (date) => {
    expect(() => quotePayoff(loan, date)).toThrow(expect.objectContaining({ field: 'payoffDate' }));
  });

  it('rejects impossible payoff dates', () => {
    expect(() => quotePayoff(loan, '2026-02-30')).toThrow(MoneyValidationError);
  });
});

describe('quotePayoff properties', () => {
  const withDay = termsArb.chain((terms) =>
    fc.tuple(fc.constant(terms), fc.integer({ min: 0, max: terms.termMonths * 31 })),
  );

  it('on a due date equals the remaining principal, with no interest', () => {
    fc.assert(
      fc.property(
        termsArb.chain((terms) =>
          fc.tuple(fc.constant(terms), fc.integer({ min: 1, max: terms.termMonths })),
        ),
        ([terms, k]) => {
          const quote = quoteLoan(terms);
          // A bullet loan has a single due date, at maturity.
          const dueDate = quote.installments[Math.min(k, quote.installments.length) - 1]!.dueDate;
          const paid = quote.installments
            .filter((r) => r.dueDate <= dueDate)
            .reduce((s, r) => s + r.principalFen, 0);
          const payoff = quotePayoff(terms, dueDate);
          expect(payoff.interestFen).toBe(0);
          expect(payoff.principalFen).toBe(terms.principalFen - paid);
          expect(payoff.totalFen).toBe(terms.principalFen - paid);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('equals the decimal.js reference on any day of the loan, and is never worth delaying', () => {
    fc.assert(
      fc.property(withDay, ([terms, offset]) => {
        const start = new Date(`${terms.startDate}T00:00:00Z`).getTime();
        const day = new Date(start + offset * 86_400_000).toISOString().slice(0, 10);
        const maturity = referenceDueDate(terms.startDate, terms.termMonths);
        fc.pre(day <= maturity);
        const payoff = quotePayoff(terms, day);
        const reference = referencePayoff(terms, day);
        expect([payoff.principalFen, payoff.interestFen, payoff.totalFen]).toEqual([
          reference.principalFen,
          reference.interestFen,
          reference.totalFen,
        ]);
        // Paying off never costs more than the next installment's principal-plus-interest path.
        const next = quoteLoan(terms).installments.find((r) => r.dueDate > day);
        if (next) expect(payoff.interestFen).toBeLessThanOrEqual(next.interestFen);
      }),
      { numRuns: 2000 },
    );
  });
});
