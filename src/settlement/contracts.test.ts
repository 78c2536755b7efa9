import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accrueDisbursement,
  accrueRepayment,
  createSettlementHarness,
  FINANCE,
  fixedReferralRule,
  type SettlementHarness,
} from './testing.ts';

const LENDER = 'xinghe-bank';
const terms = (referralFen: number, interestBps: number) => ({
  rules: [fixedReferralRule(referralFen, interestBps)],
});

describe('revenue contracts', () => {
  let h: SettlementHarness;
  beforeAll(async () => {
    h = await createSettlementHarness('2026-01-01T00:00:00Z');
  });
  afterAll(async () => h.close());

  it('appends versions, refuses backdating, unknown lenders and bad terms', async () => {
    const v1 = await h.services.contracts.addVersion(
      LENDER,
      { effectiveFrom: '2026-01-01', terms: terms(5000, 1500) },
      FINANCE,
    );
    expect(v1).toMatchObject({ version: 1, effectiveFrom: '2026-01-01', lenderCode: LENDER });
    h.setNow('2026-02-15T00:00:00Z');
    await expect(
      h.services.contracts.addVersion(LENDER, { effectiveFrom: '2026-02-14', terms: terms(1, 1) }, FINANCE),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'body.effectiveFrom' }] },
    });
    await expect(
      h.services.contracts.addVersion('nobody', { effectiveFrom: '2026-03-01', terms: terms(1, 1) }, FINANCE),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      h.services.contracts.addVersion(LENDER, { effectiveFrom: '2026-03-01', terms: { rules: [] } }, FINANCE),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const v2 = await h.services.contracts.addVersion(
      LENDER,
      { effectiveFrom: '2026-03-01', terms: terms(8000, 1000) },
      FINANCE,
    );
    expect(v2.version).toBe(2);
    expect((await h.services.contracts.versions(LENDER)).map((v) => v.version)).toEqual([2, 1]);
    expect((await h.services.contracts.latest()).map((v) => [v.lenderCode, v.version])).toEqual([
      [LENDER, 2],
    ]);
  });

  it('prices each event by the version in effect on its own date; a new version changes nothing posted', async () => {
    await accrueDisbursement(h, {
      lender: LENDER,
      loan: 'L-1',
      channel: 'shop',
      principalFen: 1_000_000,
      at: '2026-02-16T01:00:00Z',
    });
    await accrueRepayment(h, {
      lender: LENDER,
      loan: 'L-1',
      id: 'R-1',
      at: '2026-02-28T01:00:00Z',
      interestFen: 10_000,
    });
    h.setNow('2026-03-02T00:00:00Z');
    // A callback about February arriving in March still gets February's terms.
    await accrueRepayment(h, {
      lender: LENDER,
      loan: 'L-1',
      id: 'R-late',
      at: '2026-02-28T02:00:00Z',
      interestFen: 10_000,
    });
    await accrueRepayment(h, {
      lender: LENDER,
      loan: 'L-1',
      id: 'R-2',
      at: '2026-03-02T01:00:00Z',
      interestFen: 10_000,
    });
    // A third version for April does not touch what was posted.
    await h.services.contracts.addVersion(
      LENDER,
      { effectiveFrom: '2026-04-01', terms: terms(0, 0) },
      FINANCE,
    );
    const rows = await h.handle.db
      .selectFrom('fee_accruals')
      .select(['business_id', 'contract_version', 'referral_fen', 'service_interest_fen'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { business_id: 'dd-L-1', contract_version: 1, referral_fen: 5000, service_interest_fen: 0 },
      { business_id: 'R-1', contract_version: 1, referral_fen: 0, service_interest_fen: 1500 },
      { business_id: 'R-late', contract_version: 1, referral_fen: 0, service_interest_fen: 1500 },
      { business_id: 'R-2', contract_version: 2, referral_fen: 0, service_interest_fen: 1000 },
    ]);
  });

  it('applies volume tiers by the previous month’s disbursed principal', async () => {
    const lender = 'yuelu-finance';
    h.setNow('2026-03-02T00:00:00Z');
    await h.services.contracts.addVersion(
      lender,
      {
        effectiveFrom: '2026-03-02',
        terms: {
          rules: [
            {
              channels: null,
              referral: null,
              service: {
                interestBps: 2000,
                feeBps: 0,
                tiers: [{ minMonthlyVolumeFen: 2_000_000, interestBps: 1000, feeBps: 0 }],
              },
            },
          ],
        },
      },
      FINANCE,
    );
    await accrueDisbursement(h, {
      lender,
      loan: 'Y-1',
      channel: 'shop',
      principalFen: 1_500_000,
      at: '2026-03-03T01:00:00Z',
    });
    await accrueRepayment(h, {
      lender,
      loan: 'Y-1',
      id: 'Y-R-1',
      at: '2026-03-20T01:00:00Z',
      interestFen: 10_000,
    });
    await accrueDisbursement(h, {
      lender,
      loan: 'Y-2',
      channel: 'shop',
      principalFen: 600_000,
      at: '2026-03-21T01:00:00Z',
    });
    await accrueRepayment(h, {
      lender,
      loan: 'Y-1',
      id: 'Y-R-2',
      at: '2026-03-25T01:00:00Z',
      interestFen: 10_000,
    });
    await accrueRepayment(h, {
      lender,
      loan: 'Y-1',
      id: 'Y-R-3',
      at: '2026-04-20T01:00:00Z',
      interestFen: 10_000,
    });
    const rows = await h.handle.db
      .selectFrom('fee_accruals')
      .select(['business_id', 'tier', 'tier_volume_fen', 'service_interest_fen'])
      .where('lender_code', '=', lender)
      .where('record_type', '=', 'repayment')
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      // February had no volume: base rate 20% all through March.
      { business_id: 'Y-R-1', tier: null, tier_volume_fen: 0, service_interest_fen: 2000 },
      { business_id: 'Y-R-2', tier: null, tier_volume_fen: 0, service_interest_fen: 2000 },
      // March disbursed 2,100,000 ≥ 2,000,000: April gets tier 0 (10%).
      { business_id: 'Y-R-3', tier: 0, tier_volume_fen: 2_100_000, service_interest_fen: 1000 },
    ]);
  });
});
