import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { termsArb } from './arbitraries.ts';
import { parseRate } from './rate.ts';
import { referenceSchedule } from './reference.ts';
import { buildSchedule, equalInstallmentPayment } from './schedule.ts';
import { type LoanTerms, validateTerms } from './terms.ts';

const schedule = (terms: LoanTerms) => buildSchedule(validateTerms(terms));
const amounts = (terms: LoanTerms) =>
  schedule(terms).map((r) => [r.dueDate, r.principalFen, r.interestFen, r.feeFen, r.totalFen]);

describe('equal installment (等额本息)', () => {
  it('10,000.00 yuan, 12 months, 24%: 945.60 a month, last period absorbs −5 fen', () => {
    // r = 0.02; 1.02^12 = 1.2682417945625…; 1,000,000 · 0.02 · 1.26824 / 0.26824 = 94559.5966 → 94560.
    expect(equalInstallmentPayment(1_000_000, 12, parseRate('0.24').monthly)).toBe(94560);
    // Interest = round(balance · 0.02): 20000; 925440·0.02 = 18508.8 → 18509; … 92701·0.02 = 1854.02 → 1854.
    expect(
      amounts({
        principalFen: 1_000_000,
        termMonths: 12,
        method: 'equal_installment',
        annualRate: '0.24',
        startDate: '2026-01-31',
      }),
    ).toEqual([
      ['2026-02-28', 74560, 20000, 0, 94560],
      ['2026-03-31', 76051, 18509, 0, 94560],
      ['2026-04-30', 77572, 16988, 0, 94560],
      ['2026-05-31', 79124, 15436, 0, 94560],
      ['2026-06-30', 80706, 13854, 0, 94560],
      ['2026-07-31', 82320, 12240, 0, 94560],
      ['2026-08-31', 83967, 10593, 0, 94560],
      ['2026-09-30', 85646, 8914, 0, 94560],
      ['2026-10-31', 87359, 7201, 0, 94560],
      ['2026-11-30', 89106, 5454, 0, 94560],
      ['2026-12-31', 90888, 3672, 0, 94560],
      // Remaining balance 92701 + round(1854.02): 94555, 5 fen less than the level payment.
      ['2027-01-31', 92701, 1854, 0, 94555],
    ]);
  });

  it('zero rate: round(P/n) with the remainder in the last period, fees added to every row', () => {
    // 1,000,000 / 12 = 83333.33 → 83333; last = 1,000,000 − 11·83333 = 83337.
    const rows = schedule({
      principalFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
      annualRate: '0',
      startDate: '2026-01-15',
      fees: { perInstallmentFen: 10_000 },
    });
    expect(rows.slice(0, 11).every((r) => r.principalFen === 83333 && r.totalFen === 93333)).toBe(true);
    expect(rows[11]).toMatchObject({ principalFen: 83337, interestFen: 0, feeFen: 10_000, totalFen: 93337 });
  });

  it('never repays more principal than is outstanding (tiny loans)', () => {
    // 15 fen over 10 months at 0%: round(1.5) = 2 a month would repay 18; it stops at 15.
    const rows = schedule({
      principalFen: 15,
      termMonths: 10,
      method: 'equal_installment',
      annualRate: '0',
      startDate: '2026-01-15',
    });
    expect(rows.map((r) => r.principalFen)).toEqual([2, 2, 2, 2, 2, 2, 2, 1, 0, 0]);
  });
});

describe('equal principal (等额本金)', () => {
  it('12,000.00 yuan, 12 months, 12%: 1,000.00 principal, interest falling by 10.00', () => {
    const rows = schedule({
      principalFen: 1_200_000,
      termMonths: 12,
      method: 'equal_principal',
      annualRate: '0.12',
      startDate: '2026-03-15',
    });
    expect(rows.map((r) => r.principalFen)).toEqual(Array(12).fill(100_000));
    // round(balance · 0.01): 12000, 11000, …, 1000.
    expect(rows.map((r) => r.interestFen)).toEqual(
      [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((x) => x * 1000),
    );
    expect(rows[0]!.dueDate).toBe('2026-04-15');
  });

  it('rounds P/n half-up and gives the rest to the last period', () => {
    // 1,000,000 / 7 = 142857.14 → 142857; last = 1,000,000 − 6·142857 = 142858.
    // Interest at 0.05/12 on 1,000,000 = 4166.67 → 4167; on 857,143: 3571.43 → 3571.
    const rows = schedule({
      principalFen: 1_000_000,
      termMonths: 7,
      method: 'equal_principal',
      annualRate: '0.05',
      startDate: '2026-01-10',
    });
    expect(rows.map((r) => r.principalFen)).toEqual([...Array(6).fill(142857), 142858]);
    expect(rows[0]!.interestFen).toBe(4167);
    expect(rows[1]!.interestFen).toBe(3571);
  });
});

describe('interest first (先息后本)', () => {
  it('12,000.00 yuan, 12 months, 12%: 120.00 interest a month, principal at the end', () => {
    const rows = schedule({
      principalFen: 1_200_000,
      termMonths: 12,
      method: 'interest_first',
      annualRate: '0.12',
      startDate: '2026-03-15',
      fees: { perInstallmentFen: 100 },
    });
    expect(rows.slice(0, 11).every((r) => r.principalFen === 0 && r.interestFen === 12_000)).toBe(true);
    expect(rows[11]).toMatchObject({
      dueDate: '2027-03-15',
      principalFen: 1_200_000,
      interestFen: 12_000,
      totalFen: 1_212_100,
    });
  });
});

describe('bullet (一次性还本付息)', () => {
  it('one installment at maturity with simple interest P · rate · n / 12', () => {
    // 1,234,567 · 0.18 · 7 / 12 = 129629.535 → 129630.
    const rows = schedule({
      principalFen: 1_234_567,
      termMonths: 7,
      method: 'bullet',
      annualRate: '0.18',
      startDate: '2026-07-31',
      fees: { perInstallmentFen: 500 },
    });
    expect(rows).toEqual([
      {
        period: 1,
        dueDate: '2027-02-28',
        principalFen: 1_234_567,
        interestFen: 129_630,
        feeFen: 500,
        totalFen: 1_364_697,
      },
    ]);
  });
});

describe('schedule properties', () => {
  it('equals the decimal.js reference implementation exactly', () => {
    fc.assert(
      fc.property(termsArb, (terms) => {
        expect(schedule(terms)).toEqual(referenceSchedule(terms));
      }),
      { numRuns: 5000 },
    );
  });

  it('principal sums to P exactly and every amount is a non-negative integer', () => {
    fc.assert(
      fc.property(termsArb, (terms) => {
        const rows = schedule(terms);
        expect(rows.reduce((sum, r) => sum + r.principalFen, 0)).toBe(terms.principalFen);
        expect(rows.length).toBe(terms.method === 'bullet' ? 1 : terms.termMonths);
        // One expect per case: expect() inside a 360-row loop dominates the runtime.
        const bad = rows.filter(
          (r) =>
            ![r.principalFen, r.interestFen, r.feeFen, r.totalFen].every(
              (v) => Number.isSafeInteger(v) && v >= 0,
            ) || r.totalFen !== r.principalFen + r.interestFen + r.feeFen,
        );
        expect(bad).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('due dates are strictly increasing and the last is the maturity date', () => {
    fc.assert(
      fc.property(termsArb, (terms) => {
        const rows = schedule(terms);
        expect(rows.every((r, i) => i === 0 || r.dueDate > rows[i - 1]!.dueDate)).toBe(true);
        const v = validateTerms(terms);
        const m = String(v.maturity.month).padStart(2, '0');
        const d = String(v.maturity.day).padStart(2, '0');
        expect(rows.at(-1)!.dueDate).toBe(`${v.maturity.year}-${m}-${d}`);
      }),
      { numRuns: 1000 },
    );
  });
});
