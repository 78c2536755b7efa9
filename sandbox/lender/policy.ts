/**
 * The credit policy of a sandbox lender: pure functions from a product's rules and a request to a
 * decision. No clock (the time is an argument), no I/O, no personal data kept: the applicant is
 * reduced to an age band and a region before the policy sees it.
 */

import { checkAprWithinCap, type DayCount } from '../../src/money/index.ts';
import {
  AGE_BANDS,
  type AgeBand,
  type CreditDecisionCallback,
  type DrawdownRequest,
  type PreCheckRequest,
  type PreCheckResponse,
  REPAYMENT_METHODS,
  type RepaymentMethod,
} from '../sdk/index.ts';

/** The rules of one product. */
export interface ProductPolicy {
  readonly productCode: string;
  /** Requested amounts accepted, inclusive, fen. */
  readonly minAmountFen: number;
  readonly maxAmountFen: number;
  /** Credit limit granted on approval, fen (a request above it is declined). */
  readonly limitFen: number;
  /** APR (all-in, decimal string) for each allowed term in months, e.g. `{ "12": "0.18" }`. */
  readonly aprByTerm: Readonly<Record<string, string>>;
  readonly methods: readonly RepaymentMethod[];
  /** Age bands served; others are declined as `not_eligible`. */
  readonly ageBands: readonly AgeBand[];
  /** Region codes not served: 2-digit province prefixes (`65`) or full 6-digit codes. */
  readonly declinedRegions: readonly string[];
  /** Applications accepted per product per day (China Standard Time); then `over_quota`. */
  readonly dailyQuota: number;
  /** How long an approval can be drawn. */
  readonly offerValidDays: number;
  /** Day count of the product's interest for part of a period (early payoff), as the platform lists it. */
  readonly dayCount: DayCount;
}

export const DEFAULT_PRODUCT: ProductPolicy = {
  productCode: 'SBX-CASH',
  minAmountFen: 50_000,
  maxAmountFen: 5_000_000,
  limitFen: 5_000_000,
  aprByTerm: { '3': '0.12', '6': '0.15', '12': '0.18', '24': '0.21' },
  methods: ['equal_installment', 'equal_principal', 'interest_first'],
  ageBands: ['18-24', '25-34', '35-44', '45-54'],
  declinedRegions: [],
  dailyQuota: 1000,
  offerValidDays: 30,
  dayCount: 'ACT/360',
};

/** Problems with a product's rules: notably every APR within [3.6%, 24%] (COMPLIANCE.md). */
export function productProblems(p: ProductPolicy): string[] {
  const problems: string[] = [];
  const at = `product ${p.productCode}`;
  const fen = (v: number) => Number.isSafeInteger(v) && v > 0;
  if (!fen(p.minAmountFen) || !fen(p.maxAmountFen) || p.minAmountFen > p.maxAmountFen)
    problems.push(`${at}: minAmountFen and maxAmountFen must be positive integers, min ≤ max`);
  if (!fen(p.limitFen)) problems.push(`${at}: limitFen must be a positive integer`);
  const terms = Object.keys(p.aprByTerm);
  if (terms.length === 0) problems.push(`${at}: aprByTerm needs at least one term`);
  for (const [term, apr] of Object.entries(p.aprByTerm)) {
    if (!/^[1-9][0-9]{0,2}$/.test(term) || Number(term) > 360)
      problems.push(`${at}: term ${term} must be 1–360 months`);
    const cap = typeof apr === 'string' && /^0\.[0-9]{1,6}$/.test(apr) ? checkAprWithinCap(apr) : undefined;
    if (cap === undefined)
      problems.push(`${at}: APR for ${term} months must be a decimal string like "0.18"`);
    else if (!cap.ok) problems.push(`${at}: APR for ${term} months: ${cap.message}`);
  }
  if (p.methods.length === 0 || !p.methods.every((m) => (REPAYMENT_METHODS as readonly string[]).includes(m)))
    problems.push(`${at}: methods must be repayment methods`);
  if (!p.ageBands.every((b) => (AGE_BANDS as readonly string[]).includes(b)))
    problems.push(`${at}: ageBands must be of ${AGE_BANDS.join(', ')}`);
  if (!p.declinedRegions.every((r) => /^[0-9]{2}([0-9]{4})?$/.test(r)))
    problems.push(`${at}: declinedRegions must be 2- or 6-digit codes`);
  if (!Number.isSafeInteger(p.dailyQuota) || p.dailyQuota < 0) problems.push(`${at}: dailyQuota must be ≥ 0`);
  if (!Number.isSafeInteger(p.offerValidDays) || p.offerValidDays < 1)
    problems.push(`${at}: offerValidDays must be ≥ 1`);
  return problems;
}

function termsOf(p: ProductPolicy): number[] {
  return Object.keys(p.aprByTerm)
    .map(Number)
    .sort((a, b) => a - b);
}

function aprRange(p: ProductPolicy): { readonly aprMin: string; readonly aprMax: string } {
  const aprs = Object.values(p.aprByTerm).sort((a, b) => Number(a) - Number(b));
  return { aprMin: aprs[0]!, aprMax: aprs[aprs.length - 1]! };
}

function regionDeclined(p: ProductPolicy, region: string): boolean {
  return p.declinedRegions.some((code) => region.startsWith(code));
}

/** What the lender knows about its book when it answers a pre-check. */
export interface PreCheckContext {
  /** Applications already accepted today for this product. */
  readonly appliedToday: number;
  /** Whether the hashed phone or id number belongs to a current customer. */
  readonly existingCustomer: boolean;
  /** Whether the hashes are under a pre-check key of this lender valid now (pre-check-keys.ts). */
  readonly hashKeyKnown: boolean;
}

/** 撞库: accept or decline on bands only, with an indicative limit and APR range. */
export function preCheckDecision(
  product: ProductPolicy | undefined,
  request: PreCheckRequest,
  context: PreCheckContext,
): PreCheckResponse {
  // Hashes under a key the lender does not hold cannot be checked against its book: no blind accept.
  if (!context.hashKeyKnown) return { decision: 'decline', reason: 'unknown_hash_key' };
  if (product === undefined) return { decision: 'decline', reason: 'not_eligible' };
  if (context.existingCustomer) return { decision: 'decline', reason: 'existing_customer' };
  if (context.appliedToday >= product.dailyQuota) return { decision: 'decline', reason: 'over_quota' };
  const top = Math.min(product.maxAmountFen, product.limitFen);
  const overlaps = request.amountBandFen.max >= product.minAmountFen && request.amountBandFen.min <= top;
  if (!overlaps || !product.ageBands.includes(request.ageBand) || regionDeclined(product, request.region))
    return { decision: 'decline', reason: 'not_eligible' };
  return { decision: 'accept', indicativeLimitFen: product.limitFen, ...aprRange(product) };
}

/** The applicant as the policy sees it: derived from the decrypted id number, nothing else kept. */
export interface ApplicantProfile {
  /** `undefined` when under 18 or the birth date is not readable. */
  readonly ageBand: AgeBand | undefined;
  /** 6-digit province code (`310000`). */
  readonly region: string;
}

/** Age band and province from an 18-character resident id number (digits 7–14 are the birth date). */
export function profileOf(idNumber: string, today: string): ApplicantProfile {
  const region = `${idNumber.slice(0, 2)}0000`;
  const birth = idNumber.slice(6, 14);
  const [year, month, day] = [birth.slice(0, 4), birth.slice(4, 6), birth.slice(6, 8)].map(Number) as [
    number,
    number,
    number,
  ];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  if (!(year >= 1900 && month >= 1 && month <= 12 && day >= 1 && day <= 31))
    return { ageBand: undefined, region };
  const age = ty - year - (tm < month || (tm === month && td < day) ? 1 : 0);
  const ageBand: AgeBand | undefined =
    age < 18
      ? undefined
      : age <= 24
        ? '18-24'
        : age <= 34
          ? '25-34'
          : age <= 44
            ? '35-44'
            : age <= 54
              ? '45-54'
              : '55+';
  return { ageBand, region };
}

/** The parts of an application the decision depends on. */
export interface ApplicationTerms {
  readonly requestedAmountFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
}

export type CreditOutcome = Omit<CreditDecisionCallback, 'applicationId' | 'decidedAt'>;

/** 授信: approve with the product's limit, APR and terms, or reject with a reason. */
export function creditDecision(
  product: ProductPolicy | undefined,
  application: ApplicationTerms,
  applicant: ApplicantProfile,
  context: { readonly appliedToday: number; readonly decidedAtMs: number },
): CreditOutcome {
  if (product === undefined) return { decision: 'rejected', reason: 'unknown_product' };
  if (context.appliedToday >= product.dailyQuota) return { decision: 'rejected', reason: 'over_quota' };
  if (applicant.ageBand === undefined || !product.ageBands.includes(applicant.ageBand))
    return { decision: 'rejected', reason: 'not_eligible' };
  if (regionDeclined(product, applicant.region)) return { decision: 'rejected', reason: 'not_eligible' };
  const amount = application.requestedAmountFen;
  if (amount < product.minAmountFen || amount > product.maxAmountFen || amount > product.limitFen)
    return { decision: 'rejected', reason: 'amount_not_eligible' };
  const apr = product.aprByTerm[String(application.termMonths)];
  if (apr === undefined) return { decision: 'rejected', reason: 'term_not_offered' };
  if (!product.methods.includes(application.method))
    return { decision: 'rejected', reason: 'method_not_offered' };
  return {
    decision: 'approved',
    limitFen: product.limitFen,
    apr,
    // The callback carries one APR, so the offer allows exactly the terms priced at that APR.
    termsMonths: termsOf(product).filter((term) => product.aprByTerm[String(term)] === apr),
    methods: [...product.methods],
    validUntil: new Date(context.decidedAtMs + product.offerValidDays * 86_400_000).toISOString(),
  };
}

/** Why a drawdown of an approved offer cannot be disbursed, or `undefined` when it can. */
export function drawdownRefusal(
  decision: CreditDecisionCallback | undefined,
  drawdown: DrawdownRequest,
  alreadyDrawnFen: number,
  nowMs: number,
): string | undefined {
  if (decision === undefined || decision.decision !== 'approved') return 'not_approved';
  if (decision.validUntil !== undefined && nowMs >= Date.parse(decision.validUntil)) return 'offer_expired';
  if (drawdown.amountFen + alreadyDrawnFen > (decision.limitFen ?? 0)) return 'over_limit';
  if (!(decision.termsMonths ?? []).includes(drawdown.termMonths)) return 'term_not_offered';
  if (!(decision.methods ?? []).includes(drawdown.method)) return 'method_not_offered';
  return undefined;
}
