import { describe, expect, it } from 'vitest';
import { checkContractTerms, referralFee, ruleFor, serviceFee, serviceRates } from './contract-terms.ts';

const terms = checkContractTerms({
  rules: [
    {
      channels: ['maps'],
      referral: { type: 'bps', bps: 80, capFen: 10_000 },
      service: { interestBps: 1000, feeBps: 500 },
    },
    {
      channels: null,
      referral: { type: 'fixed', fen: 5000 },
      service: {
        interestBps: 1500,
        feeBps: 1000,
        tiers: [
          { minMonthlyVolumeFen: 100_000_000, interestBps: 1400, feeBps: 900 },
          { minMonthlyVolumeFen: 500_000_000, interestBps: 1200, feeBps: 800 },
        ],
      },
    },
  ],
});

describe('contract terms', () => {
  it('picks the rule naming the channel, else the all-channels rule', () => {
    expect(ruleFor(terms, 'maps')?.referral).toEqual({ type: 'bps', bps: 80, capFen: 10_000 });
    expect(ruleFor(terms, 'shop')?.referral).toEqual({ type: 'fixed', fen: 5000 });
    const only = checkContractTerms({ rules: [{ channels: ['maps'], referral: null, service: null }] });
    expect(ruleFor(only, 'shop')).toBeUndefined();
  });

  it('computes the referral fee: fixed, or bps of principal rounded half-up, then capped', () => {
    expect(referralFee(ruleFor(terms, 'shop')?.referral, 1_000_000)).toBe(5000);
    // 1,000,050 × 0.8% = 8,000.4 → 8,000; 1,000,063 × 0.8% = 8,000.504 → 8,001
    expect(referralFee(ruleFor(terms, 'maps')?.referral, 1_000_050)).toBe(8000);
    expect(referralFee(ruleFor(terms, 'maps')?.referral, 1_000_063)).toBe(8001);
    // 2,000,000 × 0.8% = 16,000 → capped at 10,000
    expect(referralFee(ruleFor(terms, 'maps')?.referral, 2_000_000)).toBe(10_000);
    expect(referralFee(null, 2_000_000)).toBe(0);
  });

  it('chooses service rates by the previous month’s volume tier', () => {
    const service = ruleFor(terms, 'shop')?.service;
    expect(serviceRates(service, 0)).toEqual({ interestBps: 1500, feeBps: 1000, tier: null });
    expect(serviceRates(service, 99_999_999)).toMatchObject({ tier: null });
    expect(serviceRates(service, 100_000_000)).toEqual({ interestBps: 1400, feeBps: 900, tier: 0 });
    expect(serviceRates(service, 900_000_000)).toEqual({ interestBps: 1200, feeBps: 800, tier: 1 });
    expect(serviceRates(null, 900_000_000)).toEqual({ interestBps: 0, feeBps: 0, tier: null });
  });

  it('rounds the two service fee parts separately', () => {
    // 12,345 × 15% = 1,851.75 → 1,852; 333 × 10% = 33.3 → 33
    expect(
      serviceFee({ interestBps: 1500, feeBps: 1000, tier: null }, { interestFen: 12_345, feesFen: 333 }),
    ).toEqual({ onInterestFen: 1852, onFeesFen: 33 });
  });

  it('refuses malformed terms, naming the field', () => {
    const bad = (rules: unknown) => () => checkContractTerms({ rules } as never);
    expect(bad([])).toThrow(/rules/);
    expect(bad([{ channels: null, referral: { type: 'bps', bps: 10_001 }, service: null }])).toThrow(
      /rules\.0\.referral\.bps/,
    );
    expect(bad([{ channels: null, referral: { type: 'fixed', fen: -1 }, service: null }])).toThrow(/fen/);
    expect(
      bad([
        { channels: ['a'], referral: null, service: null },
        { channels: ['a'], referral: null, service: null },
      ]),
    ).toThrow(/named by two rules/);
    expect(
      bad([
        { channels: null, referral: null, service: null },
        { channels: null, referral: null, service: null },
      ]),
    ).toThrow(/only one rule/);
    expect(
      bad([
        {
          channels: null,
          referral: null,
          service: {
            interestBps: 1,
            feeBps: 1,
            tiers: [
              { minMonthlyVolumeFen: 5, interestBps: 1, feeBps: 1 },
              { minMonthlyVolumeFen: 5, interestBps: 1, feeBps: 1 },
            ],
          },
        },
      ]),
    ).toThrow(/rise strictly/);
  });
});
