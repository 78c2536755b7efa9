import { describe, expect, it } from 'vitest';
import { quoteLoan } from './quote.ts';
import { checkScheduleWithinCap, scheduleApr } from './schedule-apr.ts';

const terms = {
  principalFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  annualRate: '0.18',
  startDate: '2026-01-31',
  fees: { upfrontFen: 5000, perInstallmentFen: 300 },
} as const;

describe('scheduleApr', () => {
  it('reproduces the quote APR from the quote’s own installments', () => {
    const quote = quoteLoan(terms);
    const apr = scheduleApr({
      amountReceivedFen: quote.amountReceivedFen,
      startDate: terms.startDate,
      installments: quote.installments,
    });
    expect(apr).toBe(quote.apr);
    expect(
      checkScheduleWithinCap({
        amountReceivedFen: 995_000,
        startDate: '2026-01-31',
        installments: quote.installments,
      }),
    ).toEqual(quote.withinCap);
  });

  it('handles a bullet schedule, whose only installment is at maturity', () => {
    const bullet = { ...terms, method: 'bullet' } as const;
    const quote = quoteLoan(bullet);
    expect(
      scheduleApr({
        amountReceivedFen: 995_000,
        startDate: terms.startDate,
        installments: quote.installments,
      }),
    ).toBe(quote.apr);
  });

  it('flags a lender schedule above the cap', () => {
    // 1,000.00 received, 12 × 95.00 back: about 25.8% APR.
    const installments = Array.from({ length: 12 }, (_, k) => ({
      dueDate: `2026-${String(k + 2).padStart(2, '0')}-15`.replace('2026-13', '2027-01'),
      totalFen: 9_500,
    }));
    const result = checkScheduleWithinCap({
      amountReceivedFen: 100_000,
      startDate: '2026-01-15',
      installments,
    });
    expect(result).toMatchObject({ ok: false, reason: 'APR_ABOVE_CAP' });
  });

  it('rejects due dates that are not monthly due dates, naming the installment', () => {
    const bad = {
      amountReceivedFen: 100_000,
      startDate: '2026-01-31',
      installments: [
        { dueDate: '2026-02-28', totalFen: 50_000 },
        { dueDate: '2026-03-30', totalFen: 51_000 },
      ],
    };
    expect(() => scheduleApr(bad)).toThrow(expect.objectContaining({ field: 'installments[1].dueDate' }));
    expect(() => scheduleApr({ ...bad, installments: [] })).toThrow(
      expect.objectContaining({ field: 'installments' }),
    );
    expect(() => scheduleApr({ ...bad, installments: [{ dueDate: '2026-01-31', totalFen: 1 }] })).toThrow(
      expect.objectContaining({ field: 'installments[0].dueDate' }),
    );
    expect(() => scheduleApr({ ...bad, installments: [{ dueDate: '2026-02-28', totalFen: 0 }] })).toThrow(
      expect.objectContaining({ field: 'installments' }),
    );
    expect(() => scheduleApr({ ...bad, amountReceivedFen: 0 })).toThrow(
      expect.objectContaining({ field: 'amountReceivedFen' }),
    );
  });
});
