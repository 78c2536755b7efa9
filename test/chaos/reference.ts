import { Decimal } from 'decimal.js';

/**
 * The chaos run's own idea of the money: the contracts it gives the lenders (plain JSON, as sent
 * to the operator API) and the fees they imply, computed here with decimal.js — not with
 * src/settlement — from the contract terms: half-up to the fen once per posting.
 */

type Referral = { type: 'fixed'; fen: number } | { type: 'bps'; bps: number; capFen: number | null } | null;
type Service = { interestBps: number; feeBps: number } | null;
interface Rule {
  channels: string[] | null;
  referral: Referral;
  service: Service;
}

/** One contract per demo lender: channel rules, caps, bps and fixed referrals, odd rates. */
export const CHAOS_CONTRACTS: Readonly<Record<string, { rules: Rule[] }>> = {
  'xinghe-bank': {
    rules: [
      {
        channels: ['maps'],
        referral: { type: 'bps', bps: 80, capFen: 20_000 },
        service: { interestBps: 1000, feeBps: 500 },
      },
      {
        channels: null,
        referral: { type: 'fixed', fen: 5_000 },
        service: { interestBps: 1500, feeBps: 1000 },
      },
    ],
  },
  'anhe-cf': {
    rules: [
      {
        channels: null,
        referral: { type: 'bps', bps: 155, capFen: null },
        service: { interestBps: 1234, feeBps: 800 },
      },
    ],
  },
  'qingsong-ml': {
    rules: [
      { channels: ['shop'], referral: { type: 'fixed', fen: 3_000 }, service: null },
      { channels: null, referral: null, service: { interestBps: 2001, feeBps: 0 } },
    ],
  },
  'yuanfan-fac': {
    rules: [
      {
        channels: null,
        referral: { type: 'bps', bps: 37, capFen: 9_999 },
        service: { interestBps: 1733, feeBps: 250 },
      },
    ],
  },
};

function ruleFor(lender: string, channel: string): Rule | undefined {
  const rules = CHAOS_CONTRACTS[lender]?.rules ?? [];
  return rules.find((r) => r.channels?.includes(channel)) ?? rules.find((r) => r.channels === null);
}

/** amount × bps / 10,000, rounded half-up (ties away from zero) to the fen. */
function share(amountFen: number, bps: number): number {
  return new Decimal(amountFen).mul(bps).div(10_000).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

export function expectedReferralFen(lender: string, channel: string, principalFen: number): number {
  const referral = ruleFor(lender, channel)?.referral ?? null;
  if (referral === null) return 0;
  if (referral.type === 'fixed') return referral.fen;
  const fee = share(principalFen, referral.bps);
  return referral.capFen === null ? fee : Math.min(fee, referral.capFen);
}

/** The service fee on one repayment: on its interest, and on its fees and penalties, separately. */
export function expectedServiceFen(
  lender: string,
  channel: string,
  repayment: { interestFen: number; feeFen: number; penaltyFen: number },
): { onInterest: number; onFees: number } {
  const service = ruleFor(lender, channel)?.service ?? null;
  if (service === null) return { onInterest: 0, onFees: 0 };
  return {
    onInterest: share(repayment.interestFen, service.interestBps),
    onFees: share(repayment.feeFen + repayment.penaltyFen, service.feeBps),
  };
}

/** Account balances by the posting rules of docs/settlement.md, kept by the reference. */
export class ReferenceLedger {
  readonly balances = new Map<string, number>();
  entries = 0;

  #post(legs: readonly [string, number][]): void {
    if (legs.every(([, amount]) => amount === 0)) return; // a zero fee posts nothing
    this.entries += 1;
    for (const [account, amount] of legs)
      this.balances.set(account, (this.balances.get(account) ?? 0) + amount);
  }

  referral(lender: string, channel: string, fen: number): void {
    this.#post([
      [`lender:${lender}:receivable`, fen],
      [`revenue:referral:${channel}`, -fen],
    ]);
  }

  service(lender: string, channel: string, fen: number): void {
    this.#post([
      [`lender:${lender}:receivable`, fen],
      [`revenue:service:${channel}`, -fen],
    ]);
  }

  nonZero(): Record<string, number> {
    return Object.fromEntries(
      [...this.balances].filter(([, v]) => v !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  }
}
