import { describe, expect, it } from 'vitest';
import type { PreCheckRequest } from '../sdk/index.ts';
import {
  creditDecision,
  DEFAULT_PRODUCT,
  drawdownRefusal,
  type ProductPolicy,
  preCheckDecision,
  productProblems,
  profileOf,
} from './policy.ts';

const PRODUCT: ProductPolicy = { ...DEFAULT_PRODUCT, declinedRegions: ['65', '540100'], dailyQuota: 2 };
const PRE_CHECK: PreCheckRequest = {
  productCode: 'SBX-CASH',
  phoneHmac: 'a'.repeat(64),
  idNumberHmac: 'b'.repeat(64),
  hashKeyId: 'pck_1',
  ageBand: '25-34',
  region: '310000',
  amountBandFen: { min: 100_000, max: 300_000 },
};
const FRESH = { appliedToday: 0, existingCustomer: false, hashKeyKnown: true };
const NOW = Date.UTC(2026, 5, 1, 12);
const ADULT = { ageBand: '25-34', region: '310000' } as const;
const TERMS = { requestedAmountFen: 1_000_000, termMonths: 12, method: 'equal_installment' } as const;

describe('pre-check', () => {
  it('accepts within the rules with the limit and APR range', () => {
    expect(preCheckDecision(PRODUCT, PRE_CHECK, FRESH)).toEqual({
      decision: 'accept',
      indicativeLimitFen: 5_000_000,
      aprMin: '0.12',
      aprMax: '0.21',
    });
  });

  it('declines with the reason: unknown key, unknown product, customer, quota, band, age, region', () => {
    // Hashes under a key the lender does not hold cannot be checked against its book: never accepted.
    expect(preCheckDecision(PRODUCT, PRE_CHECK, { ...FRESH, hashKeyKnown: false })).toEqual({
      decision: 'decline',
      reason: 'unknown_hash_key',
    });
    expect(preCheckDecision(undefined, PRE_CHECK, FRESH).reason).toBe('not_eligible');
    expect(preCheckDecision(PRODUCT, PRE_CHECK, { ...FRESH, existingCustomer: true }).reason).toBe(
      'existing_customer',
    );
    expect(preCheckDecision(PRODUCT, PRE_CHECK, { ...FRESH, appliedToday: 2 }).reason).toBe('over_quota');
    const tooBig = { ...PRE_CHECK, amountBandFen: { min: 6_000_000, max: 9_000_000 } };
    expect(preCheckDecision(PRODUCT, tooBig, FRESH).reason).toBe('not_eligible');
    expect(preCheckDecision(PRODUCT, { ...PRE_CHECK, ageBand: '55+' }, FRESH).reason).toBe('not_eligible');
    expect(preCheckDecision(PRODUCT, { ...PRE_CHECK, region: '650100' }, FRESH).reason).toBe('not_eligible');
    expect(preCheckDecision(PRODUCT, { ...PRE_CHECK, region: '540100' }, FRESH).reason).toBe('not_eligible');
    expect(preCheckDecision(PRODUCT, { ...PRE_CHECK, region: '540200' }, FRESH).decision).toBe('accept');
  });
});

describe('applicant profile', () => {
  it('reads the age band and province from the id number, on the CST calendar', () => {
    expect(profileOf('110101199003071234', '2026-03-06')).toEqual({ ageBand: '35-44', region: '110000' });
    expect(profileOf('310101200803071234', '2026-03-06')).toEqual({ ageBand: undefined, region: '310000' });
    expect(profileOf('310101200803071234', '2026-03-07').ageBand).toBe('18-24');
    expect(profileOf('440101196001011234', '2026-01-01').ageBand).toBe('55+');
    expect(profileOf('440101196013011234', '2026-01-01').ageBand).toBeUndefined();
  });
});

describe('credit decision', () => {
  it('approves with the limit, the APR of the term, the terms at that APR, and a validity', () => {
    const tied = { ...PRODUCT, aprByTerm: { '6': '0.18', '12': '0.18', '24': '0.2' } };
    expect(creditDecision(tied, TERMS, ADULT, { appliedToday: 0, decidedAtMs: NOW })).toEqual({
      decision: 'approved',
      limitFen: 5_000_000,
      apr: '0.18',
      termsMonths: [6, 12],
      methods: ['equal_installment', 'equal_principal', 'interest_first'],
      validUntil: new Date(NOW + 30 * 86_400_000).toISOString(),
    });
  });

  it('rejects with the reason', () => {
    const ctx = { appliedToday: 0, decidedAtMs: NOW };
    expect(creditDecision(undefined, TERMS, ADULT, ctx).reason).toBe('unknown_product');
    expect(creditDecision(PRODUCT, TERMS, ADULT, { ...ctx, appliedToday: 2 }).reason).toBe('over_quota');
    expect(creditDecision(PRODUCT, TERMS, { ageBand: undefined, region: '310000' }, ctx).reason).toBe(
      'not_eligible',
    );
    expect(creditDecision(PRODUCT, TERMS, { ageBand: '55+', region: '310000' }, ctx).reason).toBe(
      'not_eligible',
    );
    expect(creditDecision(PRODUCT, TERMS, { ...ADULT, region: '650000' }, ctx).reason).toBe('not_eligible');
    expect(creditDecision(PRODUCT, { ...TERMS, requestedAmountFen: 10 }, ADULT, ctx).reason).toBe(
      'amount_not_eligible',
    );
    expect(creditDecision(PRODUCT, { ...TERMS, termMonths: 9 }, ADULT, ctx).reason).toBe('term_not_offered');
    expect(creditDecision(PRODUCT, { ...TERMS, method: 'bullet' }, ADULT, ctx).reason).toBe(
      'method_not_offered',
    );
  });
});

describe('drawdown', () => {
  const approved = creditDecision(PRODUCT, TERMS, ADULT, { appliedToday: 0, decidedAtMs: NOW });
  const decision = { applicationId: 'a', decidedAt: new Date(NOW).toISOString(), ...approved };
  const drawdown = {
    applicationId: 'a',
    drawdownId: 'd',
    amountFen: 1_000_000,
    termMonths: 12,
    method: 'equal_installment',
    startDate: '2026-06-01',
  } as const;

  it('allows a drawdown within the offer and names what is wrong otherwise', () => {
    expect(drawdownRefusal(decision, drawdown, 0, NOW)).toBeUndefined();
    expect(drawdownRefusal(undefined, drawdown, 0, NOW)).toBe('not_approved');
    expect(drawdownRefusal({ ...decision, decision: 'rejected' }, drawdown, 0, NOW)).toBe('not_approved');
    expect(drawdownRefusal(decision, drawdown, 0, NOW + 31 * 86_400_000)).toBe('offer_expired');
    expect(drawdownRefusal(decision, drawdown, 4_500_000, NOW)).toBe('over_limit');
    expect(drawdownRefusal(decision, { ...drawdown, termMonths: 6 }, 0, NOW)).toBe('term_not_offered');
    expect(drawdownRefusal(decision, { ...drawdown, method: 'bullet' }, 0, NOW)).toBe('method_not_offered');
  });
});

describe('product rules', () => {
  it('keeps every APR within 3.6%–24% and the rest consistent', () => {
    expect(productProblems(DEFAULT_PRODUCT)).toEqual([]);
    expect(productProblems({ ...DEFAULT_PRODUCT, aprByTerm: { '12': '0.25' } })[0]).toMatch(
      /APR for 12 months: .*24/,
    );
    expect(productProblems({ ...DEFAULT_PRODUCT, aprByTerm: { '12': '0.03' } })[0]).toMatch(
      /APR for 12 months/,
    );
    expect(productProblems({ ...DEFAULT_PRODUCT, aprByTerm: { '12': '18%' } })[0]).toMatch(/decimal string/);
    expect(productProblems({ ...DEFAULT_PRODUCT, aprByTerm: { '12': '0.240' } })).toEqual([]);
    expect(productProblems({ ...DEFAULT_PRODUCT, minAmountFen: 10, maxAmountFen: 5 })).toHaveLength(1);
    expect(productProblems({ ...DEFAULT_PRODUCT, methods: ['daily' as never] })).toHaveLength(1);
    expect(productProblems({ ...DEFAULT_PRODUCT, declinedRegions: ['6'] })).toHaveLength(1);
  });
});
