import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { feeFreeTermsArb } from '../../src/money/arbitraries.ts';
import { type LoanTerms, quoteLoan, quotePayoff } from '../../src/money/index.ts';
import {
  type CalculatorTerms,
  daysFrom,
  dueDateAfter,
  InvalidTermsError,
  payoffInterest,
  schedule,
} from './calculator.ts';

/** The same loan, as the sandbox's calculator takes it. */
const asSandbox = (terms: LoanTerms): CalculatorTerms => ({
  principalFen: terms.principalFen,
  termMonths: terms.termMonths,
  method: terms.method,
  annualRate: terms.annualRate,
  startDate: terms.startDate,
  ...(terms.dayCount ? { dayCount: terms.dayCount } : {}),
});

const RUNS = 3_000;

describe('the sandbox calculator against src/money, to the fen', () => {
  it('computes the same schedule', () => {
    fc.assert(
      fc.property(feeFreeTermsArb, (terms) => {
        const ours = schedule(asSandbox(terms));
        const theirs = quoteLoan(terms).installments.map(
          ({ period, dueDate, principalFen, interestFen }) => ({
            period,
            dueDate,
            principalFen,
            interestFen,
          }),
        );
        expect(ours).toEqual(theirs);
      }),
      { numRuns: RUNS },
    );
  });

  it('computes the same early-payoff principal and interest on any day of the loan', () => {
    const withDay = feeFreeTermsArb.chain((terms) => {
      const days = daysFrom(terms.startDate, dueDateAfter(terms.startDate, terms.termMonths));
      return fc.tuple(fc.constant(terms), fc.integer({ min: 0, max: days }));
    });
    fc.assert(
      fc.property(withDay, ([terms, offset]) => {
        const day = new Date(Date.parse(`${terms.startDate}T00:00:00Z`) + offset * 86_400_000)
          .toISOString()
          .slice(0, 10);
        const ours = payoffInterest(asSandbox(terms), day);
        const theirs = quotePayoff(terms, day);
        expect(ours).toEqual({
          principalFen: theirs.principalFen,
          interestFen: theirs.interestFen,
          accrualDays: theirs.accrualDays,
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses the terms src/money refuses, and accepts the ones it accepts', () => {
    const bad: CalculatorTerms[] = [
      { principalFen: 0, termMonths: 12, method: 'bullet', annualRate: '0.1', startDate: '2026-01-31' },
      { principalFen: 100, termMonths: 361, method: 'bullet', annualRate: '0.1', startDate: '2026-01-31' },
      { principalFen: 100, termMonths: 12, method: 'bullet', annualRate: '', startDate: '2026-01-31' },
      { principalFen: 100, termMonths: 12, method: 'bullet', annualRate: '1.01', startDate: '2026-01-31' },
      { principalFen: 100, termMonths: 12, method: 'bullet', annualRate: '.5', startDate: '2026-01-31' },
      { principalFen: 100, termMonths: 12, method: 'bullet', annualRate: '0.1', startDate: '2026-02-30' },
      { principalFen: 100, termMonths: 12, method: 'bullet', annualRate: '0.1', startDate: '1899-12-31' },
      { principalFen: 100, termMonths: 12, method: 'bullet', annualRate: '0.1', startDate: '9999-06-01' },
    ];
    for (const terms of bad) {
      expect(() => schedule(terms)).toThrow(InvalidTermsError);
      expect(() => quoteLoan(terms)).toThrow();
    }
  });

  it('follows the written examples of docs/money.md', () => {
    // 15 fen over 10 months at 0%: 2 fen a month for seven months, 1 fen in the eighth, none after.
    const tiny = schedule({
      principalFen: 15,
      termMonths: 10,
      method: 'equal_principal',
      annualRate: '0',
      startDate: '2026-01-31',
    });
    expect(tiny.map((row) => row.principalFen)).toEqual([2, 2, 2, 2, 2, 2, 2, 1, 0, 0]);
    expect(tiny.slice(0, 3).map((row) => row.dueDate)).toEqual(['2026-02-28', '2026-03-31', '2026-04-30']);
    expect(dueDateAfter('2028-01-31', 1)).toBe('2028-02-29');
  });
});
