import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLoan } from '../../money/index.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

const base = {
  principalFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  annualRate: '0.24',
  startDate: '2026-01-31',
} as const;

describe('POST /api/v1/quotes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const quote = (payload: unknown, url = '/api/v1/quotes') =>
    t.server.inject({ method: 'POST', url, payload: payload as object });

  it('quotes 10,000.00 yuan over 12 months at 24% as 945.60 a month, within the cap, due dates clamped', async () => {
    const response = await quote(base);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    // Rounding the payment up to the fen lifts the IRR to 24.00006%: 24.00% in basis points.
    expect(body.apr).toBe('0.240001');
    expect(body.withinCap).toBe(true);
    expect(body.installments).toHaveLength(12);
    expect(body.installments.slice(0, 11).every((row: { totalFen: number }) => row.totalFen === 94_560)).toBe(
      true,
    );
    expect(body.installments.map((row: { dueDate: string }) => row.dueDate).slice(0, 3)).toEqual([
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
    ]);
    const principal = body.installments.reduce(
      (sum: number, row: { principalFen: number }) => sum + row.principalFen,
      0,
    );
    expect(principal).toBe(1_000_000);
    // The HTTP answer is exactly the money module's answer.
    const direct = quoteLoan(base);
    expect(body.totalRepaymentFen).toBe(direct.totalRepaymentFen);
    expect(body.totalInterestFen).toBe(direct.totalInterestFen);
  });

  it('flags a price above the cap instead of hiding it', async () => {
    const response = await quote({
      ...base,
      annualRate: '0.2',
      fees: { upfrontFen: 0, perInstallmentFen: 5_000 },
    });
    const body = response.json();
    expect(Number(body.apr)).toBeGreaterThan(0.24);
    expect(body.withinCap).toBe(false);
    expect(body.capReason).toMatch(/24/);
  });

  it('prices an early payoff with interest only to the payoff day, no fee', async () => {
    const response = await quote(
      { ...base, dayCount: 'ACT/365', payoffDate: '2026-03-15' },
      '/api/v1/quotes/payoff',
    );
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.feeFen).toBe(0);
    expect(body.accrualStartDate).toBe('2026-02-28');
    expect(body.accrualDays).toBe(15);
    expect(body.totalFen).toBe(body.principalFen + body.interestFen);
    // Remaining after one installment of 945.60 with 200.00 interest: 1,000,000 − 74,560 = 925,440 fen.
    expect(body.principalFen).toBe(925_440);
    // 925,440 × 0.24 × 15 / 365 = 9,127.627… → 9,128 fen (half-up).
    expect(body.interestFen).toBe(9_128);
  });

  const badInputs: [string, object, string, string?][] = [
    ['non-integer fen', { ...base, principalFen: 100.5 }, 'body.principalFen'],
    ['negative fee', { ...base, fees: { upfrontFen: -1 } }, 'body.fees.upfrontFen'],
    ['fen as a string', { ...base, principalFen: '1000000' }, 'body.principalFen'],
    ['principal above 1,000,000,000 fen', { ...base, principalFen: 1_000_000_001 }, 'body.principalFen'],
    ['term 0', { ...base, termMonths: 0 }, 'body.termMonths'],
    ['term 361', { ...base, termMonths: 361 }, 'body.termMonths'],
    ['unknown method', { ...base, method: 'balloon' }, 'body.method'],
    ['rate not a decimal', { ...base, annualRate: 'abc' }, 'body.annualRate'],
    ['rate above 1', { ...base, annualRate: '1.5' }, 'body.annualRate'],
    ['negative rate', { ...base, annualRate: '-0.1' }, 'body.annualRate'],
    ['impossible date', { ...base, startDate: '2026-02-30' }, 'body.startDate'],
    [
      'upfront fee as large as the principal',
      { ...base, fees: { upfrontFen: 1_000_000 } },
      'body.fees.upfrontFen',
    ],
    [
      'payoff before start',
      { ...base, payoffDate: '2026-01-30' },
      'body.payoffDate',
      '/api/v1/quotes/payoff',
    ],
    [
      'payoff after maturity',
      { ...base, payoffDate: '2027-02-01' },
      'body.payoffDate',
      '/api/v1/quotes/payoff',
    ],
    ['unknown field', { ...base, discount: 5 }, 'body.discount'],
  ];

  it.each(badInputs)(
    'refuses %s with VALIDATION_FAILED naming the field',
    async (_name, payload, field, url) => {
      const response = await quote(payload, url);
      expect(response.statusCode).toBe(400);
      const { error } = response.json();
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    },
  );
});
