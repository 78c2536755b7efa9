/**
 * Fault behaviours of a sandbox lender: the ways real lenders misbehave that the platform must
 * survive. Pure: settings, merging an update, and the decisions taken from them.
 */
import type { OverdueTerms } from './loans.ts';

export interface FaultSettings {
  /** Every answer is held this long before it is sent (a slow lender; compare with the call budgets). */
  readonly responseDelayMs: number;
  /** Fraction (0–1) of verified calls answered `503 UNAVAILABLE` without any effect. */
  readonly errorRate: number;
  /** Each callback is sent twice: the copy has a new request id and the same body bytes. */
  readonly duplicateCallbacks: boolean;
  /** The callbacks caused by one event go out in reverse order (schedule before its disbursement…). */
  readonly outOfOrderCallbacks: boolean;
  /** Extra delay before each callback's first attempt (a late callback; the status query still answers). */
  readonly callbackDelayMs: number;
  /** Signatures of answers and callbacks are corrupted (one bit flipped): the platform must refuse them. */
  readonly badSignature: boolean;
  /**
   * Every repay call is refused for good (`422 INVALID_STATE`, "银行卡余额不足"): the platform must
   * end the repayment as failed with that reason and let the borrower try again.
   */
  readonly refuseRepayments: boolean;
  /**
   * The lender never calls back: decisions, disbursements, schedules and repayments happen in its
   * book (the status query shows them) but no callback is sent — the platform must pull.
   */
  readonly silentCallbacks: boolean;
  /**
   * Each credit decision is taken this much later than the lender's configured delay: until then
   * the status query says `pending` and the drawdown is refused (unlike `callbackDelayMs`, where the
   * decision is taken and only its callback is late).
   */
  readonly decisionDelayMs: number;
  /** Every new application is rejected with this reason (`"credit_score"`…); `null`: the policy decides. */
  readonly rejectReason: string | null;
  /**
   * Installments fall overdue with a penalty: at once for the open loans when this is set, and for
   * each loan disbursed while it stays set (or only loan `loanId`). `null`: none.
   */
  readonly overdue: OverdueFault | null;
  /**
   * Every repayment bounces: it is called back as collected, then reversed — a repayment callback
   * with `reversalOf` — and the schedule is pushed with its installments unpaid again.
   */
  readonly reverseRepayments: boolean;
  /**
   * A final refusal of a callback (`400`, `403`, `404`, `409`, `422`…) is retried like a `5xx`: a
   * lender that does not honour the protocol's "do not retry" answers (the conformance kit's
   * `callback-refusal.final-4xx` check must catch it).
   */
  readonly retryRefusals: boolean;
  /**
   * An early payoff (提前结清) is charged this prepayment fee, in fen, on top of principal and
   * interest to date — which the protocol forbids (early payoff is free): a payoff call must carry
   * it, and its repayment callback reports it as `feeFen`. `0`: none.
   */
  readonly prepaymentFeeFen: number;
  /**
   * Every new application is approved with the product's terms whatever the policy says — minors
   * included (a broken credit policy; the conformance kit's `rejection` check must catch it).
   */
  readonly approveAll: boolean;
  /**
   * The status query lags behind the callbacks: it answers as if nothing had been decided yet —
   * every application `pending`, every drawdown `processing`, no loan known (`404`).
   */
  readonly staleStatus: boolean;
}

/** The `overdue` fault (loans.ts `overdueSchedule`). */
export interface OverdueFault extends OverdueTerms {
  /** Only this loan (at once); without it every open loan, and the loans disbursed while it is set. */
  readonly loanId?: string;
}

export const DEFAULT_OVERDUE: OverdueFault = { penaltyRate: '0.18', days: 30 };

export const NO_FAULTS: FaultSettings = {
  responseDelayMs: 0,
  errorRate: 0,
  duplicateCallbacks: false,
  outOfOrderCallbacks: false,
  callbackDelayMs: 0,
  badSignature: false,
  refuseRepayments: false,
  silentCallbacks: false,
  decisionDelayMs: 0,
  rejectReason: null,
  overdue: null,
  reverseRepayments: false,
  retryRefusals: false,
  prepaymentFeeFen: 0,
  approveAll: false,
  staleStatus: false,
};

/** What a sandbox lender says when it refuses a repayment (the `refuseRepayments` fault). */
export const REFUSED_REPAYMENT_REASON = '银行卡余额不足，扣款失败';

const MAX_DELAY_MS = 10 * 60_000;
const MAX_OVERDUE_DAYS = 1_000;
const MAX_PREPAYMENT_FEE_FEN = 100_000_000;
const RATE = /^(?:0(?:\.\d{1,12})?|1(?:\.0{1,12})?)$/;
const ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The `overdue` setting: `true` (defaults), `null`/`false` (off), or `{ loanId?, period?, penaltyRate?, days? }`. */
function overdueSetting(value: unknown, problems: string[]): OverdueFault | null {
  if (value === null || value === false) return null;
  if (value === true) return DEFAULT_OVERDUE;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push('faults.overdue: must be true, false, null or { loanId?, period?, penaltyRate?, days? }');
    return null;
  }
  const fault: Mutable<OverdueFault> = { ...DEFAULT_OVERDUE };
  for (const [key, v] of Object.entries(value)) {
    switch (key) {
      case 'loanId':
        if (typeof v === 'string' && ID.test(v)) fault.loanId = v;
        else problems.push('faults.overdue.loanId: must be a loan id');
        break;
      case 'period':
        if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 360) fault.period = v;
        else problems.push('faults.overdue.period: must be an installment number from 1 to 360');
        break;
      case 'penaltyRate':
        if (typeof v === 'string' && RATE.test(v)) fault.penaltyRate = v;
        else
          problems.push('faults.overdue.penaltyRate: must be a decimal string from "0" to "1", e.g. "0.18"');
        break;
      case 'days':
        if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_OVERDUE_DAYS) fault.days = v;
        else problems.push(`faults.overdue.days: must be an integer from 1 to ${MAX_OVERDUE_DAYS}`);
        break;
      default:
        problems.push(`faults.overdue.${key}: is not an overdue setting`);
    }
  }
  return fault;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Applies a partial update (`{ errorRate: 0.5 }`) to `base`. Unknown keys and bad values are
 * problems, so a typo in an operator's request does not silently do nothing.
 */
export function mergeFaults(
  base: FaultSettings,
  update: unknown,
):
  | { readonly ok: true; readonly faults: FaultSettings }
  | { readonly ok: false; readonly problems: string[] } {
  if (typeof update !== 'object' || update === null || Array.isArray(update))
    return { ok: false, problems: ['faults: must be an object'] };
  const next: Mutable<FaultSettings> = { ...base };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(update)) {
    switch (key) {
      case 'responseDelayMs':
      case 'callbackDelayMs':
      case 'decisionDelayMs':
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_DELAY_MS)
          next[key] = value;
        else problems.push(`faults.${key}: must be an integer from 0 to ${MAX_DELAY_MS}`);
        break;
      case 'errorRate':
        if (typeof value === 'number' && value >= 0 && value <= 1) next.errorRate = value;
        else problems.push('faults.errorRate: must be a number from 0 to 1');
        break;
      case 'duplicateCallbacks':
      case 'outOfOrderCallbacks':
      case 'badSignature':
      case 'refuseRepayments':
      case 'silentCallbacks':
      case 'reverseRepayments':
      case 'retryRefusals':
      case 'approveAll':
      case 'staleStatus':
        if (typeof value === 'boolean') next[key] = value;
        else problems.push(`faults.${key}: must be true or false`);
        break;
      case 'prepaymentFeeFen':
        if (
          typeof value === 'number' &&
          Number.isInteger(value) &&
          value >= 0 &&
          value <= MAX_PREPAYMENT_FEE_FEN
        )
          next.prepaymentFeeFen = value;
        else problems.push(`faults.prepaymentFeeFen: must be an integer from 0 to ${MAX_PREPAYMENT_FEE_FEN}`);
        break;
      case 'rejectReason':
        if (value === null || value === '') next.rejectReason = null;
        else if (typeof value === 'string' && value.length <= 200) next.rejectReason = value;
        else
          problems.push('faults.rejectReason: must be a reason (a string of up to 200 characters) or null');
        break;
      case 'overdue':
        next.overdue = overdueSetting(value, problems);
        break;
      default:
        problems.push(`faults.${key}: is not a fault setting`);
    }
  }
  return problems.length === 0 ? { ok: true, faults: next } : { ok: false, problems };
}

/** Whether this call gets an injected error; `random` is injectable so tests are deterministic. */
export function injectError(faults: FaultSettings, random: () => number = Math.random): boolean {
  return faults.errorRate > 0 && random() < faults.errorRate;
}

/**
 * The signature with one bit of its first byte flipped, still canonical base64: verifiers see a
 * well-formed envelope whose signature does not verify (`SIGNATURE_INVALID`, not `MALFORMED_ENVELOPE`).
 */
export function corruptSignature(signature: string): string {
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length === 0) return signature;
  bytes[0] = bytes[0]! ^ 0x01;
  return bytes.toString('base64');
}

/** The order to send the callbacks of one event in. */
export function deliveryOrder<T>(faults: FaultSettings, batch: readonly T[]): readonly T[] {
  return faults.outOfOrderCallbacks ? [...batch].reverse() : batch;
}
