/**
 * Revenue-share contract terms and the pure fee computation. A contract version holds rules; the
 * rule for an event is the one naming the event's channel, else the one for all channels
 * (`channels: null`), else none (no fee). Money in integer fen, rates in integer basis points.
 */
import { invalidField } from '../shared/errors.ts';
import { bpsOf } from './rounding.ts';

export type ReferralTerms =
  /** A fixed amount per disbursed loan. */
  | { readonly type: 'fixed'; readonly fen: number }
  /** A share of the disbursed principal, optionally capped per loan. */
  | { readonly type: 'bps'; readonly bps: number; readonly capFen?: number | null };

/** From `minMonthlyVolumeFen` of disbursed principal (in the previous month) upward, these rates. */
export interface ServiceTier {
  readonly minMonthlyVolumeFen: number;
  readonly interestBps: number;
  readonly feeBps: number;
}

export interface ServiceTerms {
  /** Share of the interest collected. */
  readonly interestBps: number;
  /** Share of the fees (and penalties) collected. */
  readonly feeBps: number;
  /** Optional volume tiers, ascending; below the first tier the base rates apply. */
  readonly tiers?: ServiceTier[];
}

export interface ContractRule {
  /** Channel codes this rule applies to; null = every channel not named by another rule. */
  readonly channels: string[] | null;
  readonly referral: ReferralTerms | null;
  readonly service: ServiceTerms | null;
}

export interface ContractTerms {
  readonly rules: ContractRule[];
}

export const MAX_FEN = 1_000_000_000_000;
export const MAX_RULES = 20;
export const MAX_TIERS = 10;
const CHANNEL = /^[A-Za-z0-9._-]{1,64}$/;

function fen(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_FEN) {
    throw invalidField(field, `must be an integer of fen, 0–${MAX_FEN}`);
  }
  return value;
}

function bps(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10_000) {
    throw invalidField(field, 'must be an integer of basis points, 0–10000');
  }
  return value;
}

/** Checks terms given by an operator and returns them in canonical form (what is stored). */
export function checkContractTerms(terms: ContractTerms, field = 'body'): ContractTerms {
  if (!Array.isArray(terms.rules) || terms.rules.length === 0 || terms.rules.length > MAX_RULES) {
    throw invalidField(`${field}.rules`, `must hold 1–${MAX_RULES} rules`);
  }
  const named = new Set<string>();
  let catchAll = false;
  const rules = terms.rules.map((rule, i): ContractRule => {
    const at = `${field}.rules.${i}`;
    let channels: string[] | null = null;
    if (rule.channels === null) {
      if (catchAll) throw invalidField(`${at}.channels`, 'only one rule may apply to all channels');
      catchAll = true;
    } else {
      if (!Array.isArray(rule.channels) || rule.channels.length === 0) {
        throw invalidField(`${at}.channels`, 'must be null (all channels) or a list of channel codes');
      }
      channels = [...new Set<string>(rule.channels)].sort();
      for (const channel of channels) {
        if (!CHANNEL.test(channel))
          throw invalidField(`${at}.channels`, `"${channel}" is not a channel code`);
        if (named.has(channel))
          throw invalidField(`${at}.channels`, `channel ${channel} is named by two rules`);
        named.add(channel);
      }
    }
    let referral: ReferralTerms | null = null;
    if (rule.referral) {
      if (rule.referral.type === 'fixed') {
        referral = { type: 'fixed', fen: fen(rule.referral.fen, `${at}.referral.fen`) };
      } else if (rule.referral.type === 'bps') {
        const cap = rule.referral.capFen;
        referral = {
          type: 'bps',
          bps: bps(rule.referral.bps, `${at}.referral.bps`),
          capFen: cap === undefined || cap === null ? null : fen(cap, `${at}.referral.capFen`),
        };
      } else {
        throw invalidField(`${at}.referral.type`, 'must be fixed or bps');
      }
    }
    let service: ServiceTerms | null = null;
    if (rule.service) {
      const tiers = (rule.service.tiers ?? []).map((tier: ServiceTier, k: number) => ({
        minMonthlyVolumeFen: fen(tier.minMonthlyVolumeFen, `${at}.service.tiers.${k}.minMonthlyVolumeFen`),
        interestBps: bps(tier.interestBps, `${at}.service.tiers.${k}.interestBps`),
        feeBps: bps(tier.feeBps, `${at}.service.tiers.${k}.feeBps`),
      }));
      if (tiers.length > MAX_TIERS) throw invalidField(`${at}.service.tiers`, `at most ${MAX_TIERS} tiers`);
      for (let k = 1; k < tiers.length; k++) {
        if (tiers[k]!.minMonthlyVolumeFen <= tiers[k - 1]!.minMonthlyVolumeFen) {
          throw invalidField(`${at}.service.tiers`, 'volumes must rise strictly from tier to tier');
        }
      }
      service = {
        interestBps: bps(rule.service.interestBps, `${at}.service.interestBps`),
        feeBps: bps(rule.service.feeBps, `${at}.service.feeBps`),
        tiers,
      };
    }
    return { channels, referral, service };
  });
  return { rules };
}

/** The rule for a channel: the one naming it, else the all-channels rule, else none. */
export function ruleFor(terms: ContractTerms, channelCode: string): ContractRule | undefined {
  return (
    terms.rules.find((rule) => rule.channels?.includes(channelCode)) ??
    terms.rules.find((rule) => rule.channels === null)
  );
}

/** The referral fee of one disbursed loan: fixed, or half-up bps of principal, then capped. */
export function referralFee(referral: ReferralTerms | null | undefined, principalFen: number): number {
  if (!referral) return 0;
  if (referral.type === 'fixed') return referral.fen;
  const fee = bpsOf(principalFen, referral.bps);
  return referral.capFen === null || referral.capFen === undefined ? fee : Math.min(fee, referral.capFen);
}

export interface ServiceRates {
  readonly interestBps: number;
  readonly feeBps: number;
  /** Index of the tier applied, or null for the base rates. */
  readonly tier: number | null;
}

/** The rates for a month whose previous month's disbursed volume was `volumeFen`. */
export function serviceRates(service: ServiceTerms | null | undefined, volumeFen: number): ServiceRates {
  if (!service) return { interestBps: 0, feeBps: 0, tier: null };
  let rates: ServiceRates = { interestBps: service.interestBps, feeBps: service.feeBps, tier: null };
  (service.tiers ?? []).forEach((tier, index) => {
    if (volumeFen >= tier.minMonthlyVolumeFen) {
      rates = { interestBps: tier.interestBps, feeBps: tier.feeBps, tier: index };
    }
  });
  return rates;
}

/** The service fee of one repayment, each part rounded half-up on its own (one posting each). */
export function serviceFee(
  rates: ServiceRates,
  collected: { readonly interestFen: number; readonly feesFen: number },
): { readonly onInterestFen: number; readonly onFeesFen: number } {
  return {
    onInterestFen: bpsOf(collected.interestFen, rates.interestBps),
    onFeesFen: bpsOf(collected.feesFen, rates.feeBps),
  };
}
