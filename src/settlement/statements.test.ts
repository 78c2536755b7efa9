import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../ledger/index.ts';
import { statementCsv, statementXlsx } from './statement-export.ts';
import {
  accrueDisbursement,
  accrueRepayment,
  createHarnessWithContract,
  FINANCE,
  fixedReferralRule,
  type SettlementHarness,
} from './testing.ts';

const LENDER = 'yuelu-finance';

describe('monthly statements', () => {
  let h: SettlementHarness;

  beforeAll(async () => {
    h = await createHarnessWithContract(LENDER, {
      rules: [
        {
          channels: ['maps'],
          referral: { type: 'bps', bps: 100, capFen: 20_000 },
          service: { interestBps: 1000, feeBps: 500 },
        },
        fixedReferralRule(3000, 2000, 1000),
      ],
    });
    h.setNow('2026-02-20T00:00:00Z');
    // January: two loans, one per channel; a repayment each.
    await accrueDisbursement(h, {
      lender: LENDER,
      loan: 'YL-1',
      channel: 'shop',
      principalFen: 500_000,
      at: '2026-01-05T01:00:00Z',
    });
    await accrueDisbursement(h, {
      lender: LENDER,
      loan: 'YL-2',
      channel: 'maps',
      principalFen: 3_000_000,
      at: '2026-01-06T01:00:00Z',
    });
    await accrueRepayment(h, {
      lender: LENDER,
      loan: 'YL-1',
      id: 'R-1',
      at: '2026-01-20T01:00:00Z',
      principalFen: 40_000,
      interestFen: 7_501,
      feeFen: 1_000,
    });
    await accrueRepayment(h, {
      lender: LENDER,
      loan: 'YL-2',
      id: 'R-2',
      at: '2026-01-31T15:59:00Z',
      principalFen: 250_000,
      interestFen: 45_000,
      penaltyFen: 333,
    });
    // 2026-01-31T16:00Z is February 1st in China: February's.
    await accrueRepayment(h, {
      lender: LENDER,
      loan: 'YL-1',
      id: 'R-3',
      at: '2026-01-31T16:00:00Z',
      principalFen: 40_000,
      interestFen: 7_000,
    });
  });
  afterAll(async () => h.close());

  it('generates a closed month once, with lines per loan and totals, by channel too', async () => {
    await expect(
      h.services.statements.generate({ lenderCode: LENDER, month: '2026-02' }, FINANCE),
    ).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
    const january = await h.services.statements.generate({ lenderCode: LENDER, month: '2026-01' }, FINANCE);
    // shop: referral 3,000; R-1 interest 7,501 × 20% = 1,500.2 → 1,500; fees 1,000 × 10% = 100
    // maps: referral 3,000,000 × 1% = 30,000 → cap 20,000; R-2 45,000 × 10% = 4,500; penalty 333 × 5% = 16.65 → 17
    expect(january).toMatchObject({
      status: 'draft',
      channelScope: '*',
      totals: {
        lineCount: 2,
        eventCount: 4,
        disbursedPrincipalFen: 3_500_000,
        principalCollectedFen: 290_000,
        interestCollectedFen: 52_501,
        feesCollectedFen: 1_333,
        referralFen: 23_000,
        serviceInterestFen: 6_000,
        serviceFeeFen: 117,
        totalFen: 29_117,
      },
    });
    const again = await h.services.statements.generate({ lenderCode: LENDER, month: '2026-01' }, FINANCE);
    expect(again).toEqual(january);
    expect(await h.services.statements.byChannel(january.id)).toEqual([
      { channelCode: 'maps', lineCount: 1, totalFen: 24_517, referralFen: 20_000, serviceFen: 4_517 },
      { channelCode: 'shop', lineCount: 1, totalFen: 4_600, referralFen: 3_000, serviceFen: 1_600 },
    ]);
    const maps = await h.services.statements.generate(
      { lenderCode: LENDER, month: '2026-01', channelCode: 'maps' },
      FINANCE,
    );
    expect(maps.totals).toMatchObject({ lineCount: 1, totalFen: 24_517 });
    await expect(h.services.statements.transition(maps.id, { to: 'issued' }, FINANCE)).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });

    const lines = await h.services.statements.lines(january.id);
    const csv = statementCsv(january, lines).split('\r\n');
    expect(csv[0]).toBe(
      'line,loan_id,lender_loan_id,channel,business_month,events,disbursed_principal,principal_collected,interest_collected,fees_collected,referral_fee,service_fee_on_interest,service_fee_on_fees,total_fee',
    );
    expect(csv[3]).toBe('TOTAL,,,*,2026-01,4,35000.00,2900.00,525.01,13.33,230.00,60.00,1.17,291.17');
    const xlsx = statementXlsx(january, lines, await h.services.statements.byChannel(january.id));
    expect(xlsx.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  });

  it('carries a callback that arrives after its month’s statement into the next one, once', async () => {
    // A January repayment reported late, and its reversal; plus a reversal of February's R-3.
    await accrueRepayment(h, {
      lender: LENDER,
      loan: 'YL-2',
      id: 'R-late',
      at: '2026-01-25T01:00:00Z',
      interestFen: 10_000,
    });
    await accrueRepayment(h, {
      lender: LENDER,
      loan: 'YL-1',
      id: 'R-3-rev',
      at: '2026-02-02T01:00:00Z',
      interestFen: 7_000,
      principalFen: 40_000,
      reversalOf: 'R-3',
    });
    h.setNow('2026-03-01T00:00:00Z');
    const february = await h.services.statements.generate({ lenderCode: LENDER, month: '2026-02' }, FINANCE);
    const lines = await h.services.statements.lines(february.id);
    expect(
      lines.map((l) => [l.businessMonth, l.lenderLoanId, l.events, l.interestCollectedFen, l.totalFen]),
    ).toEqual([
      ['2026-01', 'YL-2', 1, 10_000, 1_000], // late: 10,000 × 10%
      ['2026-02', 'YL-1', 2, 0, 0], // R-3 (7,000 × 20% = 1,400) and its reversal (−1,400)
    ]);
    expect(february.totals.totalFen).toBe(1_000);
    const january = await h.services.statements.generate({ lenderCode: LENDER, month: '2026-01' }, FINANCE);
    expect(january.totals.totalFen).toBe(29_117); // unchanged
    // Everything posted is on exactly one statement.
    const [receivable] = await h.services.ledger.balances(accounts.lenderReceivable(LENDER));
    expect(receivable?.balanceFen).toBe(january.totals.totalFen + february.totals.totalFen);
    await expect(
      h.services.statements.generate({ lenderCode: LENDER, month: '2025-12' }, FINANCE),
    ).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
  });

  it('moves through issued, disputed (with a note), confirmed and settled, and records who did it', async () => {
    const [january] = await h.services.statements.list({ lenderCode: LENDER, month: '2026-01', limit: 5 });
    expect(january?.channelScope).toBe('*');
    const id = january!.id;
    await expect(h.services.statements.transition(id, { to: 'settled' }, FINANCE)).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
    await h.services.statements.transition(id, { to: 'issued' }, FINANCE);
    await expect(h.services.statements.transition(id, { to: 'disputed' }, FINANCE)).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
    await h.services.statements.transition(id, { to: 'disputed', note: 'R-2 penalty not ours' }, FINANCE);
    await h.services.statements.transition(
      id,
      { to: 'confirmed', note: 'penalty confirmed by the lender' },
      FINANCE,
    );
    const settled = await h.services.statements.transition(id, { to: 'settled' }, FINANCE);
    expect(settled.settlementLedgerSeq).not.toBeNull();
    expect((await h.services.statements.history(id)).map((e) => [e.fromStatus, e.toStatus, e.note])).toEqual([
      [null, 'draft', null],
      ['draft', 'issued', null],
      ['issued', 'disputed', 'R-2 penalty not ours'],
      ['disputed', 'confirmed', 'penalty confirmed by the lender'],
      ['confirmed', 'settled', null],
    ]);
    expect(await h.services.ledger.balances(accounts.lenderReceivable(LENDER))).toEqual([
      { account: accounts.lenderReceivable(LENDER), balanceFen: 1_000 },
    ]);
    expect((await h.services.ledger.verify()).ok).toBe(true);
  });
});
