import { describe, expect, it } from 'vitest';
import { APR_CAP, APR_FLOOR, checkAprWithinCap, checkProductAprRange } from './cap.ts';
import { MoneyValidationError } from './errors.ts';
import { checkOfferWithinCap, quoteLoan } from './quote.ts';

describe('checkAprWithinCap', () => {
  it('accepts the inclusive range [3.60%, 24.00%] measured in basis points', () => {
    // 0.240001 is what fen rounding makes of a loan priced at exactly 24% nominal: it is 24.00%.
    for (const apr of ['0.036000', '0.036', '0.18', '0.240000', '0.24', '0.240001', '0.240049', '0.035950']) {
      expect(checkAprWithinCap(apr)).toEqual({ ok: true });
    }
  });

  it('refuses anything that is above 24.00% in basis points, with the limit and a message', () => {
    expect(checkAprWithinCap('0.240050')).toEqual({
      ok: false,
      reason: 'APR_ABOVE_CAP',
      apr: '0.240050',
      limit: APR_CAP,
      message: 'APR 24.005% is above the 24% all-in cap',
    });
    expect(checkAprWithinCap('0.2401')).toMatchObject({ ok: false, reason: 'APR_ABOVE_CAP' });
    expect(checkAprWithinCap('3.5')).toMatchObject({ ok: false, reason: 'APR_ABOVE_CAP' });
  });

  it('refuses anything below 3.6%', () => {
    expect(checkAprWithinCap('0.035949')).toEqual({
      ok: false,
      reason: 'APR_BELOW_FLOOR',
      apr: '0.035949',
      limit: APR_FLOOR,
      message: 'APR 3.5949% is below the 3.6% floor',
    });
    expect(checkAprWithinCap('0.000000')).toMatchObject({ reason: 'APR_BELOW_FLOOR' });
    expect(checkAprWithinCap('-0.010000')).toMatchObject({ reason: 'APR_BELOW_FLOOR' });
  });

  it('rejects strings that are not decimals', () => {
    expect(() => checkAprWithinCap('24%')).toThrow(MoneyValidationError);
    expect(() => checkAprWithinCap('1e-1')).toThrow(MoneyValidationError);
  });
});

describe('checkProductAprRange', () => {
  it('accepts a range inside the limits', () => {
    expect(checkProductAprRange({ aprMin: '0.036', aprMax: '0.24' })).toEqual({ ok: true });
    expect(checkProductAprRange({ aprMin: '0.1', aprMax: '0.1' })).toEqual({ ok: true });
  });

  it('reports the breached end, the cap first', () => {
    expect(checkProductAprRange({ aprMin: '0.08', aprMax: '0.2401' })).toMatchObject({
      ok: false,
      reason: 'APR_ABOVE_CAP',
      apr: '0.2401',
    });
    expect(checkProductAprRange({ aprMin: '0.01', aprMax: '0.36' })).toMatchObject({
      reason: 'APR_ABOVE_CAP',
    });
    expect(checkProductAprRange({ aprMin: '0.03', aprMax: '0.2' })).toMatchObject({
      reason: 'APR_BELOW_FLOOR',
      apr: '0.03',
      limit: APR_FLOOR,
    });
  });

  it('rejects an inverted or malformed range naming the field', () => {
    expect(() => checkProductAprRange({ aprMin: '0.2', aprMax: '0.1' })).toThrow(
      expect.objectContaining({ field: 'aprMin' }),
    );
    expect(() => checkProductAprRange({ aprMin: '0.1', aprMax: 'high' })).toThrow(
      expect.objectContaining({ field: 'aprMax' }),
    );
  });
});

describe('cap check on offers and quotes', () => {
  const offer = {
    principalFen: 1_000_000,
    termMonths: 12,
    method: 'equal_installment',
    annualRate: '0.18',
    startDate: '2026-01-15',
  } as const;

  it('passes an 18% offer', () => {
    expect(checkOfferWithinCap(offer)).toEqual({ ok: true });
  });

  it('counts fees: 18% plus a 2% upfront fee on a 3-month loan is over the cap', () => {
    const result = checkOfferWithinCap({ ...offer, termMonths: 3, fees: { upfrontFen: 20_000 } });
    expect(result).toMatchObject({ ok: false, reason: 'APR_ABOVE_CAP' });
  });

  it('quotes carry the same verdict as checking their APR: 24% nominal is within the cap', () => {
    const at24 = quoteLoan({ ...offer, annualRate: '0.24' });
    expect(at24.apr).toBe('0.240001');
    expect(at24.withinCap).toEqual(checkAprWithinCap(at24.apr));
    expect(at24.withinCap.ok).toBe(true);
    const above = quoteLoan({ ...offer, annualRate: '0.2401' });
    expect(above.withinCap).toEqual(checkAprWithinCap(above.apr));
    expect(above.withinCap.ok).toBe(false);
  });

  it('a zero-rate, fee-free loan is below the floor', () => {
    expect(checkOfferWithinCap({ ...offer, annualRate: '0' })).toMatchObject({ reason: 'APR_BELOW_FLOOR' });
  });
});
