import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../ledger/index.ts';
import { statementCsv } from './statement-export.ts';
import {
  createHarnessWithContract,
  deliver,
  FINANCE,
  fixedReferralRule,
  type SettlementHarness,
  scheduleBody,
  seedDrawdown,
} from './testing.ts';

/**
 * The worked example, by hand, through the real callback pipeline and LoanService:
 * a 10,000.00 yuan loan (1,000,000 fen), 12 months, equal installments at 18% a year
 * (r = 0.18 / 12 = 0.015 a month), referral fee 50.00 yuan (5,000 fen), service fee 1,500 bps
 * (15%) of the interest collected; six installments repaid, then paid off early in month 7.
 * Every fee is rounded half-up on its own.
 */
const LENDER = 'xinghe-bank';
const LOAN = 'XH-LOAN-7';
const START = '2026-01-10';

// Interest of installment k = round(balance before k × 0.015); the payment is 91,680 fen:
//   P·r·(1+r)^12 / ((1+r)^12 − 1) = 1,000,000 × 0.015 × 1.195618… / 0.195618… = 91,679.99… → 91,680
const INSTALLMENTS = [
  // balance 1,000,000 × 0.015 = 15,000.00 → 15,000; principal 91,680 − 15,000 = 76,680
  { period: 1, paidAt: '2026-02-10T02:00:00Z', principal: 76_680, interest: 15_000 },
  // balance 923,320 × 0.015 = 13,849.80 → 13,850; principal 77,830
  { period: 2, paidAt: '2026-03-10T02:00:00Z', principal: 77_830, interest: 13_850 },
  // balance 845,490 × 0.015 = 12,682.35 → 12,682; principal 78,998
  { period: 3, paidAt: '2026-04-10T02:00:00Z', principal: 78_998, interest: 12_682 },
  // balance 766,492 × 0.015 = 11,497.38 → 11,497; principal 80,183
  { period: 4, paidAt: '2026-05-10T02:00:00Z', principal: 80_183, interest: 11_497 },
  // balance 686,309 × 0.015 = 10,294.635 → 10,295; principal 81,385
  { period: 5, paidAt: '2026-06-10T02:00:00Z', principal: 81_385, interest: 10_295 },
  // balance 604,924 × 0.015 = 9,073.86 → 9,074; principal 82,606
  { period: 6, paidAt: '2026-07-10T02:00:00Z', principal: 82_606, interest: 9_074 },
];
// Early payoff on 2026-07-25, 15 days after the 6th due date (ACT/360), balance 522,318:
//   interest = 522,318 × 0.18 × 15 / 360 = 3,917.385 → 3,917; total 522,318 + 3,917 = 526,235
const PAYOFF = { paidAt: '2026-07-25T02:00:00Z', principal: 522_318, interest: 3_917 };

// Service fee = round(interest × 15%):
const SERVICE_FEES = [
  2_250, // 15,000 × 0.15 = 2,250.00
  2_078, // 13,850 × 0.15 = 2,077.50 → 2,078 (half-up)
  1_902, // 12,682 × 0.15 = 1,902.30 → 1,902
  1_725, // 11,497 × 0.15 = 1,724.55 → 1,725
  1_544, // 10,295 × 0.15 = 1,544.25 → 1,544
  1_361, //  9,074 × 0.15 = 1,361.10 → 1,361
  588, //    3,917 × 0.15 =   587.55 →   588 (the payoff)
];
// Σ service fees = 2,250 + 2,078 + 1,902 + 1,725 + 1,544 + 1,361 + 588 = 11,448
// Σ interest = 15,000 + 13,850 + 12,682 + 11,497 + 10,295 + 9,074 + 3,917 = 76,315;
//   fee on the aggregate = 76,315 × 0.15 = 11,447.25 → 11,447: one fen apart, within ⌊7/2⌋ = 3.
// Referral 5,000 + service 11,448 = 16,448 fen = 164.48 yuan owed by the lender.

describe('worked example: 10,000.00 yuan, referral 50.00, 15% of interest, paid off in month 7', () => {
  let h: SettlementHarness;
  let drawdown: string;

  beforeAll(async () => {
    h = await createHarnessWithContract(LENDER, { rules: [fixedReferralRule(5_000, 1_500)] }, 'XH-2026-001');
    const { applicationId, drawdownId } = await seedDrawdown(h.handle, {
      partnerId: LENDER,
      channelCode: 'shop',
      amountFen: 1_000_000,
      termMonths: 12,
      startDate: START,
    });
    drawdown = drawdownId;
    const disbursed = await deliver(
      h.inbound,
      LENDER,
      'disbursement',
      {
        drawdownId,
        applicationId,
        loanId: LOAN,
        status: 'succeeded',
        principalFen: 1_000_000,
        disbursedAt: '2026-01-10T02:00:00Z',
        startDate: START,
      },
      drawdownId,
    );
    expect(disbursed.httpStatus).toBe(200);
    const terms = { principalFen: 1_000_000, termMonths: 12, startDate: START };
    await deliver(h.inbound, LENDER, 'repayment-schedule', scheduleBody(LOAN, 1, terms), `${LOAN}:1`);
    for (const row of INSTALLMENTS) {
      const body = {
        loanId: LOAN,
        repaymentId: `XH-R-${row.period}`,
        paidAt: row.paidAt,
        principalFen: row.principal,
        interestFen: row.interest,
        feeFen: 0,
        penaltyFen: 0,
        periods: [row.period],
        earlyPayoff: false,
      };
      expect((await deliver(h.inbound, LENDER, 'repayment', body, body.repaymentId)).httpStatus).toBe(200);
      // A lender resending the same callback changes nothing.
      expect((await deliver(h.inbound, LENDER, 'repayment', body, body.repaymentId)).replayed).toBe(true);
    }
    const payoff = {
      loanId: LOAN,
      repaymentId: 'XH-R-PAYOFF',
      paidAt: PAYOFF.paidAt,
      principalFen: PAYOFF.principal,
      interestFen: PAYOFF.interest,
      feeFen: 0,
      penaltyFen: 0,
      periods: [7, 8, 9, 10, 11, 12],
      earlyPayoff: true,
    };
    expect((await deliver(h.inbound, LENDER, 'repayment', payoff, payoff.repaymentId)).httpStatus).toBe(200);
  });
  afterAll(async () => h.close());

  it('posts the referral at disbursement and a service fee per repayment, each to the fen', async () => {
    const entries = (await h.services.ledger.entries({ limit: 100 })).reverse();
    const receivable = accounts.lenderReceivable(LENDER);
    expect(entries.map((e) => [e.kind, e.causeId, e.postings])).toEqual([
      [
        'referral',
        `${LENDER}/${drawdown}`,
        [
          { account: receivable, amountFen: 5_000 },
          { account: 'revenue:referral:shop', amountFen: -5_000 },
        ],
      ],
      ...[...INSTALLMENTS.map((row) => `XH-R-${row.period}`), 'XH-R-PAYOFF'].map((id, k) => [
        'service',
        `${LENDER}/${id}`,
        [
          { account: receivable, amountFen: SERVICE_FEES[k] },
          { account: 'revenue:service:shop', amountFen: -SERVICE_FEES[k]! },
        ],
      ]),
    ]);
    expect(entries[0]!.occurredAt).toBe('2026-01-10T02:00:00.000Z');
    expect(entries.at(-1)!.memo).toContain('early payoff');
    expect(await h.services.ledger.balances()).toEqual([
      { account: receivable, balanceFen: 16_448 },
      { account: 'revenue:referral:shop', balanceFen: -5_000 },
      { account: 'revenue:service:shop', balanceFen: -11_448 },
    ]);
    expect(await h.services.ledger.verify()).toMatchObject({ ok: true, entries: 8 });
  });

  it('puts each month’s fees on its statement; the statements add up to 164.48 yuan', async () => {
    h.setNow('2026-08-01T00:00:00Z');
    const expected: Record<string, { referral: number; service: number; interest: number }> = {
      '2026-01': { referral: 5_000, service: 0, interest: 0 },
      '2026-02': { referral: 0, service: 2_250, interest: 15_000 },
      '2026-03': { referral: 0, service: 2_078, interest: 13_850 },
      '2026-04': { referral: 0, service: 1_902, interest: 12_682 },
      '2026-05': { referral: 0, service: 1_725, interest: 11_497 },
      '2026-06': { referral: 0, service: 1_544, interest: 10_295 },
      // The 6th installment and the payoff: 1,361 + 588 = 1,949 on 9,074 + 3,917 = 12,991 interest.
      '2026-07': { referral: 0, service: 1_949, interest: 12_991 },
    };
    let sum = 0;
    for (const [month, want] of Object.entries(expected)) {
      const statement = await h.services.statements.generate({ lenderCode: LENDER, month }, FINANCE);
      expect([month, statement.totals]).toMatchObject([
        month,
        {
          lineCount: 1,
          referralFen: want.referral,
          serviceInterestFen: want.service,
          serviceFeeFen: 0,
          interestCollectedFen: want.interest,
          totalFen: want.referral + want.service,
        },
      ]);
      sum += statement.totals.totalFen;
    }
    expect(sum).toBe(16_448);
    const july = await h.services.statements.generate({ lenderCode: LENDER, month: '2026-07' }, FINANCE);
    const [line] = await h.services.statements.lines(july.id);
    expect(line).toMatchObject({
      lenderLoanId: LOAN,
      events: 2,
      principalCollectedFen: 82_606 + 522_318,
      totalFen: 1_949,
    });
    expect(statementCsv(july, [line!]).split('\r\n')[2]).toBe(
      'TOTAL,,,*,2026-07,2,0.00,6049.24,129.91,0.00,0.00,19.49,0.00,19.49',
    );
  });

  it('settles the statements against the receivable', async () => {
    for (const statement of await h.services.statements.list({ lenderCode: LENDER, limit: 20 })) {
      await h.services.statements.transition(statement.id, { to: 'issued' }, FINANCE);
      await h.services.statements.transition(statement.id, { to: 'confirmed' }, FINANCE);
      await h.services.statements.transition(statement.id, { to: 'settled' }, FINANCE);
    }
    expect(await h.services.ledger.balances()).toEqual([
      { account: accounts.lenderReceivable(LENDER), balanceFen: 0 },
      { account: accounts.cash, balanceFen: 16_448 },
      { account: 'revenue:referral:shop', balanceFen: -5_000 },
      { account: 'revenue:service:shop', balanceFen: -11_448 },
    ]);
    expect(await h.services.ledger.verify()).toMatchObject({ ok: true, entries: 15 });
  });
});
