import { describe, expect, it } from 'vitest';
import { aprToPercent, buildDisclosure } from './disclosure.ts';

describe('buildDisclosure', () => {
  it('lists amount, amount received, term, method, APR first, totals and every installment', () => {
    const sheet = buildDisclosure({
      principalFen: 1_000_000,
      termMonths: 12,
      method: 'equal_principal',
      annualRate: '0.12',
      startDate: '2026-01-31',
      fees: { upfrontFen: 10_000, perInstallmentFen: 500 },
    });
    expect(Object.keys(sheet)[0]).toBe('apr');
    expect(sheet).toMatchObject({
      principalFen: 1_000_000,
      principalYuan: '10000.00',
      amountReceivedFen: 990_000,
      amountReceivedYuan: '9900.00',
      termMonths: 12,
      startDate: '2026-01-31',
      maturityDate: '2027-01-31',
      method: 'equal_principal',
      methodLabel: '等额本金',
      annualRate: '0.12',
      // Equal principal 83,333 ×11 + 83,337; interest at 1% of 1,000,000, 916,667, …
      totalFeeFen: 16_000,
      totalFeeYuan: '160.00',
    });
    expect(sheet.installments).toHaveLength(12);
    expect(sheet.installments[0]).toMatchObject({
      period: 1,
      dueDate: '2026-02-28',
      principalFen: 83_333,
      interestFen: 10_000,
      feeFen: 500,
      totalFen: 93_833,
      totalYuan: '938.33',
    });
    const sum = (f: (r: (typeof sheet.installments)[number]) => number) =>
      sheet.installments.reduce((s, r) => s + f(r), 0);
    expect(sheet.totalInterestFen).toBe(sum((r) => r.interestFen));
    expect(sheet.totalRepaymentFen).toBe(sum((r) => r.totalFen));
    expect(sheet.totalRepaymentFen).toBe(1_000_000 + sheet.totalInterestFen + 6000);
    expect(sheet.totalCostFen).toBe(sheet.totalInterestFen + sheet.totalFeeFen);
    expect(sheet.aprPercent).toBe(aprToPercent(sheet.apr));
    expect(Number(sheet.apr)).toBeGreaterThan(0.12);
  });
});

describe('aprToPercent', () => {
  it('rounds half-up to two decimals of a percent', () => {
    expect(aprToPercent('0.214571')).toBe('21.46%');
    expect(aprToPercent('0.240001')).toBe('24.00%');
    expect(aprToPercent('0.036050')).toBe('3.61%');
    expect(aprToPercent('0.036049')).toBe('3.60%');
    expect(aprToPercent('0.000000')).toBe('0.00%');
    expect(aprToPercent('1.500000')).toBe('150.00%');
    expect(aprToPercent('-0.012350')).toBe('-1.24%');
  });
});
