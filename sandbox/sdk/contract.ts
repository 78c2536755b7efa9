/**
 * The Lendgate open protocol contract: the paths, wire types and runtime validators of every call
 * (platform → lender) and every callback (lender → platform). Every message travels inside the
 * signed envelope of this SDK (docs/protocol.md); this file says what goes inside it.
 *
 * Conventions: all calls are `POST` with a JSON body; `X-Lendgate-Partner` is the lender's partner
 * id in both directions; amounts are integer fen; rates are decimal strings in [0, 1] ("0.18" is
 * 18% a year); dates are ISO `YYYY-MM-DD`, instants ISO 8601 date-times with an offset.
 *
 * The validators are hand-written so that the SDK keeps depending on nothing but `node:` modules.
 * Each returns a list of problems (empty = valid). Problems name the field and the rule and never
 * echo a value, so they may be logged and returned even when the message carries personal data.
 * Unknown fields are ignored: new optional fields can be added without breaking older partners.
 */
import { type EncryptedPii, PII_ALGORITHMS } from './pii.ts';

// ---------------------------------------------------------------------------------------------
// Paths

/** Platform → lender calls, relative to the lender's base URL. */
export const PRE_CHECK = '/lendgate/v1/pre-check';
export const APPLY = '/lendgate/v1/applications';
export const DRAWDOWN = '/lendgate/v1/drawdowns';
export const REPAY = '/lendgate/v1/repayments';
export const STATUS_QUERY = '/lendgate/v1/status-query';

/** Lender → platform callbacks, relative to the platform's base URL. */
export const CALLBACK_CREDIT_DECISION = '/open/v1/callbacks/credit-decision';
export const CALLBACK_DISBURSEMENT = '/open/v1/callbacks/disbursement';
export const CALLBACK_REPAYMENT_SCHEDULE = '/open/v1/callbacks/repayment-schedule';
export const CALLBACK_REPAYMENT = '/open/v1/callbacks/repayment';
export const CALLBACK_LOAN_STATUS = '/open/v1/callbacks/loan-status';

// ---------------------------------------------------------------------------------------------
// Enumerations

export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Reasons a pre-check names; a lender may send others (any string). */
export const PRE_CHECK_DECLINE_REASONS = ['existing_customer', 'not_eligible', 'over_quota'] as const;

/** Same values as `REPAYMENT_METHODS` in src/money (checked by a test; the SDK cannot import it). */
export const REPAYMENT_METHODS = [
  'equal_installment',
  'equal_principal',
  'interest_first',
  'bullet',
] as const;
export type RepaymentMethod = (typeof REPAYMENT_METHODS)[number];

export const INSTALLMENT_STATUSES = ['pending', 'paid', 'overdue', 'waived'] as const;
export type InstallmentStatus = (typeof INSTALLMENT_STATUSES)[number];

export const LOAN_STATUSES = ['repaying', 'overdue', 'settled', 'written_off'] as const;
export type LoanStatus = (typeof LOAN_STATUSES)[number];

// ---------------------------------------------------------------------------------------------
// Platform → lender calls

/** Requested amount band of a pre-check, both ends inclusive, in fen. */
export interface AmountBandFen {
  readonly min: number;
  readonly max: number;
}

/**
 * Pre-check (撞库), before the borrower consents to anything: no PII, only keyed hashes and
 * coarse bands. Answer: 200 {@link PreCheckResponse}, within about a second.
 */
export interface PreCheckRequest {
  readonly productCode: string;
  /**
   * Lower-case hex HMAC-SHA256 of the phone (11 digits, UTF-8), keyed with the partner's pre-check
   * key `hashKeyId`. The key is exchanged at admission and never travels in a message, so holding a
   * message does not let anyone recover the phone by trying every number.
   */
  readonly phoneHmac: string;
  /** Lower-case hex HMAC-SHA256 of the id number (18 characters, upper-case X), same key. */
  readonly idNumberHmac: string;
  /** Id of the partner's pre-check key used (keys rotate with an overlap; the id says which one). */
  readonly hashKeyId: string;
  readonly ageBand: AgeBand;
  /** 6-digit administrative-division code prefix, zero-padded, e.g. `310000` (Shanghai). */
  readonly region: string;
  readonly amountBandFen: AmountBandFen;
}

export interface PreCheckResponse {
  readonly decision: 'accept' | 'decline';
  /** Why a decline: one of {@link PRE_CHECK_DECLINE_REASONS} or a lender-specific string. */
  readonly reason?: string;
  readonly indicativeLimitFen?: number;
  readonly aprMin?: string;
  readonly aprMax?: string;
}

/** Evidence of the borrower's separate consent to this lender (PIPL art. 23, 29). */
export interface ConsentEvidence {
  readonly version: string;
  /** Lower-case hex SHA-256 of the exact consent text shown. */
  readonly textSha256: string;
  readonly givenAt: string;
}

/** One emergency contact of the applicant. */
export interface ApplicantContact {
  readonly name: string;
  readonly phone: string;
  readonly relation: string;
}

/** The personal data of an application, carried only inside {@link ApplyRequest.pii}, encrypted. */
export interface ApplicantPii {
  readonly name: string;
  /** 18-character resident id number. */
  readonly idNumber: string;
  /** 11-digit mainland mobile number. */
  readonly phone: string;
  readonly bankCard?: string;
  readonly contacts?: readonly ApplicantContact[];
}

/**
 * Apply (进件), after consent. Answer: 202 {@link Accepted}; the decision comes later by the
 * credit-decision callback. Business id: `applicationId`.
 */
export interface ApplyRequest {
  readonly applicationId: string;
  readonly productCode: string;
  readonly requestedAmountFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
  /** Channel (host app) the borrower came from. */
  readonly channel: string;
  readonly consent: ConsentEvidence;
  /** {@link ApplicantPii} encrypted for the lender with `encryptPii` (AAD binds it to this message). */
  readonly pii: EncryptedPii;
}

/** The synchronous acknowledgement of an asynchronous call (apply, drawdown, repay). */
export interface Accepted {
  readonly accepted: true;
}

/** Drawdown (借款) of an approved application. Answer: 202; result by the disbursement callback. */
export interface DrawdownRequest {
  readonly applicationId: string;
  readonly drawdownId: string;
  readonly amountFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
  /** The day the loan starts (interest accrues from it; installment k falls k months later). */
  readonly startDate: string;
}

/**
 * Repayment (主动还款) initiated in Lendgate: installments by number, or a full early payoff.
 * Answer: 202; result by the repayment callback. Business id: `repaymentId`.
 */
export interface RepayRequest {
  readonly loanId: string;
  readonly repaymentId: string;
  readonly kind: 'installment' | 'payoff';
  /** Installment numbers being paid; required for `installment`, ignored for `payoff`. */
  readonly periods?: readonly number[];
  readonly amountFen: number;
  readonly requestedAt: string;
}

/** Pull fallback when a callback is late: at least one of the ids. Answer: 200. */
export interface StatusQueryRequest {
  readonly applicationId?: string;
  readonly loanId?: string;
}

/** An application the lender has not decided yet. */
export interface PendingApplication {
  readonly applicationId: string;
  readonly decision: 'pending';
}

/** A drawdown the lender has not disbursed or failed yet. */
export interface PendingDrawdown {
  readonly drawdownId: string;
  readonly applicationId: string;
  readonly status: 'processing';
}

/**
 * The current state, in the same shapes as the callbacks so the platform can apply a queried state
 * with the code that applies callbacks.
 */
export interface StatusQueryResponse {
  readonly application?: PendingApplication | CreditDecisionCallback;
  /** Drawdowns of the queried application (an extension: it lets a late disbursement be pulled). */
  readonly drawdowns?: readonly (PendingDrawdown | DisbursementCallback)[];
  readonly loan?: {
    readonly status: LoanStatus;
    readonly schedule: RepaymentScheduleCallback;
  };
}

// ---------------------------------------------------------------------------------------------
// Lender → platform callbacks

/** 授信结果. Business id: `applicationId`. */
export interface CreditDecisionCallback {
  readonly applicationId: string;
  readonly decision: 'approved' | 'rejected';
  readonly reason?: string;
  /** Required when approved. */
  readonly limitFen?: number;
  /** All-in APR (IRR method) as a decimal string; required when approved; never above 0.24. */
  readonly apr?: string;
  /** Allowed terms in months; required when approved. */
  readonly termsMonths?: readonly number[];
  /** Allowed repayment methods; required when approved. */
  readonly methods?: readonly string[];
  /** Until when the offer can be drawn. */
  readonly validUntil?: string;
  readonly decidedAt: string;
}

/** 放款结果. Business id: `drawdownId`. */
export interface DisbursementCallback {
  readonly drawdownId: string;
  readonly applicationId: string;
  /**
   * The lender's loan id. A failed drawdown carries it too: the lender's reference for the loan that
   * was not made (it never receives a schedule).
   */
  readonly loanId: string;
  readonly status: 'succeeded' | 'failed';
  readonly reason?: string;
  readonly principalFen: number;
  /** When the money was sent (or the drawdown failed). */
  readonly disbursedAt: string;
  readonly startDate: string;
}

/** One row of a pushed repayment schedule. `paidFen` counts everything paid against this row. */
export interface ScheduleInstallment {
  readonly period: number;
  readonly dueDate: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly penaltyFen: number;
  readonly paidFen: number;
  readonly status: InstallmentStatus;
}

/** 还款计划, pushed whole on every change. Business id: `${loanId}:${version}`. */
export interface RepaymentScheduleCallback {
  readonly loanId: string;
  /** Increases on every change; the platform keeps the highest version it has seen. */
  readonly version: number;
  readonly installments: readonly ScheduleInstallment[];
}

/** 还款结果. Business id: `repaymentId`. */
export interface RepaymentCallback {
  readonly loanId: string;
  readonly repaymentId: string;
  readonly paidAt: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly penaltyFen: number;
  readonly periods: readonly number[];
  readonly earlyPayoff: boolean;
  /** Set when this entry reverses an earlier repayment (a bounced debit). */
  readonly reversalOf?: string;
}

/** Loan status. Business id: `${loanId}:${version}`. */
export interface LoanStatusCallback {
  readonly loanId: string;
  readonly status: LoanStatus;
  readonly version: number;
  readonly asOf: string;
}

/**
 * The platform's answer to a callback: 200 `applied`, or 202 `deferred` when it arrived before what
 * it depends on (it is kept and applied later; do not resend). A repeat gets the first answer again.
 */
export interface CallbackAck {
  readonly status: 'applied' | 'deferred';
  readonly waitingFor?: string;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** The error body of every refused call or callback, signed like any other answer. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    /** The `X-Lendgate-Request-Id` of the refused message (empty when it had none). */
    readonly requestId: string;
  };
}

/**
 * Codes and HTTP statuses both sides answer with. The envelope codes are those of the SDK's
 * verifiers (same statuses as the platform's `ENVELOPE_ERRORS`); the others are business errors.
 * A side may answer other codes (e.g. the platform's `APR_CAP_EXCEEDED`); treat an unknown 4xx as
 * final and an unknown 5xx as retryable.
 */
export const PROTOCOL_ERRORS = {
  MALFORMED_ENVELOPE: 400,
  DIGEST_MISMATCH: 400,
  UNKNOWN_PARTNER: 401,
  UNKNOWN_KEY: 401,
  SIGNATURE_INVALID: 401,
  TIMESTAMP_OUT_OF_WINDOW: 401,
  NONCE_REPLAYED: 401,
  /** The body does not satisfy this contract; `message` lists the problems. */
  VALIDATION_FAILED: 400,
  /** The application or loan named is not known. */
  NOT_FOUND: 404,
  /** The request id or business id was already used with a different body. */
  CONFLICT: 409,
  /** Well-formed but not possible now (wrong amount, period already paid, loan settled…). */
  INVALID_STATE: 422,
  INTERNAL: 500,
  /** Temporarily unable to answer; retry with backoff. */
  UNAVAILABLE: 503,
} as const satisfies Record<string, number>;
export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;

// ---------------------------------------------------------------------------------------------
// Kinds

/** Every platform → lender call: kind, path, success status and the answer budget the platform applies. */
export const CALL_KINDS = [
  { kind: 'pre-check', path: PRE_CHECK, successStatus: 200, budgetMs: 1_000 },
  { kind: 'apply', path: APPLY, successStatus: 202, budgetMs: 5_000 },
  { kind: 'drawdown', path: DRAWDOWN, successStatus: 202, budgetMs: 5_000 },
  { kind: 'repay', path: REPAY, successStatus: 202, budgetMs: 5_000 },
  { kind: 'status-query', path: STATUS_QUERY, successStatus: 200, budgetMs: 3_000 },
] as const;
export type CallKind = (typeof CALL_KINDS)[number]['kind'];

/** Every lender → platform callback: kind → path. */
export const CALLBACK_KINDS = [
  { kind: 'credit-decision', path: CALLBACK_CREDIT_DECISION },
  { kind: 'disbursement', path: CALLBACK_DISBURSEMENT },
  { kind: 'repayment-schedule', path: CALLBACK_REPAYMENT_SCHEDULE },
  { kind: 'repayment', path: CALLBACK_REPAYMENT },
  { kind: 'loan-status', path: CALLBACK_LOAN_STATUS },
] as const;
export type CallbackKind = (typeof CALLBACK_KINDS)[number]['kind'];

/** Request body of each call. */
export interface CallRequests {
  readonly 'pre-check': PreCheckRequest;
  readonly apply: ApplyRequest;
  readonly drawdown: DrawdownRequest;
  readonly repay: RepayRequest;
  readonly 'status-query': StatusQueryRequest;
}

/** Successful answer body of each call. */
export interface CallResponses {
  readonly 'pre-check': PreCheckResponse;
  readonly apply: Accepted;
  readonly drawdown: Accepted;
  readonly repay: Accepted;
  readonly 'status-query': StatusQueryResponse;
}

/** Body of each callback. */
export interface CallbackBodies {
  readonly 'credit-decision': CreditDecisionCallback;
  readonly disbursement: DisbursementCallback;
  readonly 'repayment-schedule': RepaymentScheduleCallback;
  readonly repayment: RepaymentCallback;
  readonly 'loan-status': LoanStatusCallback;
}

/** The call kind served at `path` (query string ignored), or `undefined`. */
export function callKindOf(path: string): CallKind | undefined {
  const bare = path.split('?')[0];
  return CALL_KINDS.find((entry) => entry.path === bare)?.kind;
}

/** The callback kind received at `path` (query string ignored), or `undefined`. */
export function callbackKindOf(path: string): CallbackKind | undefined {
  const bare = path.split('?')[0];
  return CALLBACK_KINDS.find((entry) => entry.path === bare)?.kind;
}

export function callPath(kind: CallKind): string {
  return CALL_KINDS.find((entry) => entry.kind === kind)!.path;
}

export function callbackPath(kind: CallbackKind): string {
  return CALLBACK_KINDS.find((entry) => entry.kind === kind)!.path;
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function idField(body: unknown, name: string): string | undefined {
  const value = field(body, name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function versioned(body: unknown): string | undefined {
  const loanId = idField(body, 'loanId');
  const version = field(body, 'version');
  return loanId !== undefined && Number.isSafeInteger(version) ? `${loanId}:${String(version)}` : undefined;
}

/**
 * The business id a message is idempotent on, besides its request id: the same business id with
 * the same body is a repeat (answered with the first answer), with another body a `CONFLICT`.
 * `undefined` for kinds without one (pre-check, status query) or when the body lacks the field.
 */
export function businessIdOf(kind: CallKind | CallbackKind, body: unknown): string | undefined {
  switch (kind) {
    case 'apply':
    case 'credit-decision':
      return idField(body, 'applicationId');
    case 'drawdown':
    case 'disbursement':
      return idField(body, 'drawdownId');
    case 'repay':
    case 'repayment':
      return idField(body, 'repaymentId');
    case 'repayment-schedule':
    case 'loan-status':
      return versioned(body);
    case 'pre-check':
    case 'status-query':
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

/** Ids of applications, drawdowns, loans, repayments (the request-id alphabet). */
const ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Product codes, channels, salt ids. */
const CODE = /^[A-Za-z0-9._-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const REGION = /^[0-9]{6}$/;
/** A rate in [0, 1], as src/money accepts it. */
const RATE = /^(0|1|0\.[0-9]{1,12}|1\.0{1,12})$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATE_TIME =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ID_NUMBER = /^[0-9]{17}[0-9X]$/;
const PHONE = /^1[0-9]{10}$/;
const BANK_CARD = /^[0-9]{12,19}$/;
const MAX_TERM_MONTHS = 360;
const MAX_FEN = 1_000_000_000_000;

/** Collects problems for one message; every check names its field path. */
class Checker {
  readonly problems: string[] = [];

  object(value: unknown, path: string): Readonly<Record<string, unknown>> | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Readonly<Record<string, unknown>>;
    this.problems.push(`${path}: ${value === undefined ? 'is required' : 'must be an object'}`);
    return undefined;
  }

  #present(o: Readonly<Record<string, unknown>>, key: string, path: string, optional: boolean): boolean {
    if (o[key] !== undefined) return true;
    if (!optional) this.problems.push(`${path}${key}: is required`);
    return false;
  }

  string(
    o: Readonly<Record<string, unknown>>,
    key: string,
    path: string,
    rule: {
      readonly pattern?: RegExp;
      readonly max?: number;
      readonly optional?: boolean;
      readonly what?: string;
    },
  ): string | undefined {
    if (!this.#present(o, key, path, rule.optional ?? false)) return undefined;
    const value = o[key];
    const max = rule.max ?? 256;
    if (typeof value !== 'string' || value === '' || value.length > max) {
      this.problems.push(`${path}${key}: must be a non-empty string of at most ${max} characters`);
      return undefined;
    }
    if (rule.pattern !== undefined && !rule.pattern.test(value)) {
      this.problems.push(`${path}${key}: must be ${rule.what ?? `a string matching ${rule.pattern.source}`}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(
    o: Readonly<Record<string, unknown>>,
    key: string,
    path: string,
    values: readonly T[],
    optional = false,
  ): T | undefined {
    if (!this.#present(o, key, path, optional)) return undefined;
    const value = o[key];
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${path}${key}: must be one of ${values.join(', ')}`);
    return undefined;
  }

  integer(
    o: Readonly<Record<string, unknown>>,
    key: string,
    path: string,
    rule: { readonly min: number; readonly max: number; readonly optional?: boolean },
  ): number | undefined {
    if (!this.#present(o, key, path, rule.optional ?? false)) return undefined;
    const value = o[key];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= rule.min && value <= rule.max)
      return value;
    this.problems.push(`${path}${key}: must be an integer from ${rule.min} to ${rule.max}`);
    return undefined;
  }

  fen(o: Readonly<Record<string, unknown>>, key: string, path: string, min = 0, optional = false) {
    return this.integer(o, key, path, { min, max: MAX_FEN, optional });
  }

  boolean(o: Readonly<Record<string, unknown>>, key: string, path: string): boolean | undefined {
    if (!this.#present(o, key, path, false)) return undefined;
    if (typeof o[key] === 'boolean') return o[key] as boolean;
    this.problems.push(`${path}${key}: must be true or false`);
    return undefined;
  }

  rate(o: Readonly<Record<string, unknown>>, key: string, path: string, optional = false) {
    return this.string(o, key, path, { pattern: RATE, optional, what: 'a decimal rate string in [0, 1]' });
  }

  date(o: Readonly<Record<string, unknown>>, key: string, path: string): string | undefined {
    const value = this.string(o, key, path, { pattern: DATE, what: 'an ISO date YYYY-MM-DD' });
    if (value === undefined) return undefined;
    const [y, m, d] = value.split('-').map(Number) as [number, number, number];
    const parsed = new Date(Date.UTC(y, m - 1, d));
    if (parsed.getUTCFullYear() === y && parsed.getUTCMonth() === m - 1 && parsed.getUTCDate() === d)
      return value;
    this.problems.push(`${path}${key}: must be a real calendar date`);
    return undefined;
  }

  dateTime(o: Readonly<Record<string, unknown>>, key: string, path: string, optional = false) {
    const value = this.string(o, key, path, {
      pattern: DATE_TIME,
      optional,
      what: 'an ISO 8601 date-time with an offset',
    });
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      this.problems.push(`${path}${key}: must be a real date-time`);
      return undefined;
    }
    return value;
  }

  array(
    o: Readonly<Record<string, unknown>>,
    key: string,
    path: string,
    rule: { readonly min: number; readonly max: number; readonly optional?: boolean },
  ): readonly unknown[] | undefined {
    if (!this.#present(o, key, path, rule.optional ?? false)) return undefined;
    const value = o[key];
    if (Array.isArray(value) && value.length >= rule.min && value.length <= rule.max) return value;
    this.problems.push(`${path}${key}: must be an array of ${rule.min} to ${rule.max} items`);
    return undefined;
  }

  /** Distinct positive integers in increasing order (installment numbers, terms). */
  increasingIntegers(
    o: Readonly<Record<string, unknown>>,
    key: string,
    path: string,
    rule: { readonly min: number; readonly max: number; readonly optional?: boolean },
  ): readonly number[] | undefined {
    const items = this.array(o, key, path, { min: 1, max: rule.max, optional: rule.optional ?? false });
    if (items === undefined) return undefined;
    const ok = items.every(
      (item, i) =>
        typeof item === 'number' &&
        Number.isSafeInteger(item) &&
        item >= rule.min &&
        item <= rule.max &&
        (i === 0 || item > (items[i - 1] as number)),
    );
    if (ok) return items as readonly number[];
    this.problems.push(`${path}${key}: must be increasing integers from ${rule.min} to ${rule.max}`);
    return undefined;
  }
}

type Validator = (c: Checker, o: Readonly<Record<string, unknown>>) => void;

function run(body: unknown, validate: Validator, path = 'body'): readonly string[] {
  const c = new Checker();
  const o = c.object(body, path);
  if (o !== undefined) validate(c, o);
  return c.problems;
}

function encryptedPii(c: Checker, value: unknown, path: string): void {
  const o = c.object(value, path);
  if (o === undefined) return;
  const p = `${path}.`;
  c.oneOf(o, 'alg', p, PII_ALGORITHMS);
  c.string(o, 'kid', p, { pattern: ID, what: 'a key id' });
  for (const key of ['wrappedKey', 'iv', 'ciphertext', 'tag'])
    c.string(o, key, p, { pattern: BASE64URL, max: 1_000_000, what: 'base64url without padding' });
}

const validators = {
  'pre-check': (c, o) => {
    c.string(o, 'productCode', '', { pattern: CODE, what: 'a product code' });
    c.string(o, 'phoneHmac', '', { pattern: SHA256_HEX, what: 'lower-case hex HMAC-SHA256' });
    c.string(o, 'idNumberHmac', '', { pattern: SHA256_HEX, what: 'lower-case hex HMAC-SHA256' });
    c.string(o, 'hashKeyId', '', { pattern: CODE, what: 'a pre-check key id' });
    c.oneOf(o, 'ageBand', '', AGE_BANDS);
    c.string(o, 'region', '', { pattern: REGION, what: 'a 6-digit region code' });
    const band = c.object(o.amountBandFen, 'amountBandFen');
    if (band !== undefined) {
      const min = c.fen(band, 'min', 'amountBandFen.', 1);
      const max = c.fen(band, 'max', 'amountBandFen.', 1);
      if (min !== undefined && max !== undefined && min > max)
        c.problems.push('amountBandFen: min must not exceed max');
    }
  },
  apply: (c, o) => {
    c.string(o, 'applicationId', '', { pattern: ID, what: 'an id' });
    c.string(o, 'productCode', '', { pattern: CODE, what: 'a product code' });
    c.fen(o, 'requestedAmountFen', '', 1);
    c.integer(o, 'termMonths', '', { min: 1, max: MAX_TERM_MONTHS });
    c.oneOf(o, 'method', '', REPAYMENT_METHODS);
    c.string(o, 'channel', '', { pattern: CODE, what: 'a channel code' });
    const consent = c.object(o.consent, 'consent');
    if (consent !== undefined) {
      c.string(consent, 'version', 'consent.', { max: 64 });
      c.string(consent, 'textSha256', 'consent.', { pattern: SHA256_HEX, what: 'lower-case hex SHA-256' });
      c.dateTime(consent, 'givenAt', 'consent.');
    }
    encryptedPii(c, o.pii, 'pii');
  },
  drawdown: (c, o) => {
    c.string(o, 'applicationId', '', { pattern: ID, what: 'an id' });
    c.string(o, 'drawdownId', '', { pattern: ID, what: 'an id' });
    c.fen(o, 'amountFen', '', 1);
    c.integer(o, 'termMonths', '', { min: 1, max: MAX_TERM_MONTHS });
    c.oneOf(o, 'method', '', REPAYMENT_METHODS);
    c.date(o, 'startDate', '');
  },
  repay: (c, o) => {
    c.string(o, 'loanId', '', { pattern: ID, what: 'an id' });
    c.string(o, 'repaymentId', '', { pattern: ID, what: 'an id' });
    const kind = c.oneOf(o, 'kind', '', ['installment', 'payoff'] as const);
    c.increasingIntegers(o, 'periods', '', {
      min: 1,
      max: MAX_TERM_MONTHS,
      optional: kind !== 'installment',
    });
    c.fen(o, 'amountFen', '', 1);
    c.dateTime(o, 'requestedAt', '');
  },
  'status-query': (c, o) => {
    c.string(o, 'applicationId', '', { pattern: ID, optional: true, what: 'an id' });
    c.string(o, 'loanId', '', { pattern: ID, optional: true, what: 'an id' });
    if (o.applicationId === undefined && o.loanId === undefined)
      c.problems.push('body: applicationId or loanId is required');
  },
} as const satisfies Record<CallKind, Validator>;

function creditDecision(c: Checker, o: Readonly<Record<string, unknown>>): void {
  c.string(o, 'applicationId', '', { pattern: ID, what: 'an id' });
  const decision = c.oneOf(o, 'decision', '', ['approved', 'rejected'] as const);
  // The offer's terms are required exactly when there is an offer.
  const optional = decision !== 'approved';
  c.string(o, 'reason', '', { optional: true, max: 200 });
  c.fen(o, 'limitFen', '', 1, optional);
  c.rate(o, 'apr', '', optional);
  c.increasingIntegers(o, 'termsMonths', '', { min: 1, max: MAX_TERM_MONTHS, optional });
  const methods = c.array(o, 'methods', '', { min: 1, max: 4, optional });
  if (methods !== undefined && !methods.every((m) => typeof m === 'string' && CODE.test(m)))
    c.problems.push('methods: must be repayment method names');
  c.dateTime(o, 'validUntil', '', true);
  c.dateTime(o, 'decidedAt', '');
}

function disbursement(c: Checker, o: Readonly<Record<string, unknown>>): void {
  c.string(o, 'drawdownId', '', { pattern: ID, what: 'an id' });
  c.string(o, 'applicationId', '', { pattern: ID, what: 'an id' });
  c.oneOf(o, 'status', '', ['succeeded', 'failed'] as const);
  c.string(o, 'loanId', '', { pattern: ID, what: 'an id' });
  c.string(o, 'reason', '', { optional: true, max: 200 });
  c.fen(o, 'principalFen', '', 1);
  c.dateTime(o, 'disbursedAt', '');
  c.date(o, 'startDate', '');
}

function installment(c: Checker, value: unknown, path: string, expectedPeriod: number): void {
  const o = c.object(value, path);
  if (o === undefined) return;
  const p = `${path}.`;
  const period = c.integer(o, 'period', p, { min: 1, max: MAX_TERM_MONTHS });
  if (period !== undefined && period !== expectedPeriod)
    c.problems.push(`${p}period: installments must be numbered 1, 2, 3… in order`);
  c.date(o, 'dueDate', p);
  for (const key of ['principalFen', 'interestFen', 'feeFen', 'penaltyFen', 'paidFen']) c.fen(o, key, p);
  c.oneOf(o, 'status', p, INSTALLMENT_STATUSES);
}

function schedule(c: Checker, o: Readonly<Record<string, unknown>>): void {
  c.string(o, 'loanId', '', { pattern: ID, what: 'an id' });
  c.integer(o, 'version', '', { min: 1, max: Number.MAX_SAFE_INTEGER });
  const rows = c.array(o, 'installments', '', { min: 1, max: MAX_TERM_MONTHS });
  rows?.forEach((row, i) => {
    installment(c, row, `installments[${i}]`, i + 1);
  });
}

function repayment(c: Checker, o: Readonly<Record<string, unknown>>): void {
  c.string(o, 'loanId', '', { pattern: ID, what: 'an id' });
  c.string(o, 'repaymentId', '', { pattern: ID, what: 'an id' });
  c.dateTime(o, 'paidAt', '');
  for (const key of ['principalFen', 'interestFen', 'feeFen', 'penaltyFen']) c.fen(o, key, '');
  c.increasingIntegers(o, 'periods', '', { min: 1, max: MAX_TERM_MONTHS });
  c.boolean(o, 'earlyPayoff', '');
  c.string(o, 'reversalOf', '', { pattern: ID, optional: true, what: 'an id' });
}

function loanStatus(c: Checker, o: Readonly<Record<string, unknown>>): void {
  c.string(o, 'loanId', '', { pattern: ID, what: 'an id' });
  c.oneOf(o, 'status', '', LOAN_STATUSES);
  c.integer(o, 'version', '', { min: 1, max: Number.MAX_SAFE_INTEGER });
  c.dateTime(o, 'asOf', '');
}

const callbackValidators = {
  'credit-decision': creditDecision,
  disbursement,
  'repayment-schedule': schedule,
  repayment,
  'loan-status': loanStatus,
} as const satisfies Record<CallbackKind, Validator>;

function preCheckResponse(c: Checker, o: Readonly<Record<string, unknown>>): void {
  c.oneOf(o, 'decision', '', ['accept', 'decline'] as const);
  c.string(o, 'reason', '', { optional: true, max: 200 });
  c.fen(o, 'indicativeLimitFen', '', 1, true);
  c.rate(o, 'aprMin', '', true);
  c.rate(o, 'aprMax', '', true);
  if (typeof o.aprMin === 'string' && typeof o.aprMax === 'string' && Number(o.aprMin) > Number(o.aprMax))
    c.problems.push('aprMin: must not exceed aprMax');
}

function accepted(c: Checker, o: Readonly<Record<string, unknown>>): void {
  if (o.accepted !== true) c.problems.push('accepted: must be true');
}

function statusQueryResponse(c: Checker, o: Readonly<Record<string, unknown>>): void {
  if (o.application !== undefined) {
    const app = c.object(o.application, 'application');
    if (app?.decision === 'pending') c.string(app, 'applicationId', 'application.', { pattern: ID });
    else if (app !== undefined) c.problems.push(...prefixed('application', run(app, creditDecision)));
  }
  if (o.drawdowns !== undefined) {
    const rows = c.array(o, 'drawdowns', '', { min: 0, max: 1000 });
    rows?.forEach((row, i) => {
      const d = c.object(row, `drawdowns[${i}]`);
      if (d?.status === 'processing') {
        c.string(d, 'drawdownId', `drawdowns[${i}].`, { pattern: ID });
        c.string(d, 'applicationId', `drawdowns[${i}].`, { pattern: ID });
      } else if (d !== undefined) c.problems.push(...prefixed(`drawdowns[${i}]`, run(d, disbursement)));
    });
  }
  if (o.loan !== undefined) {
    const loan = c.object(o.loan, 'loan');
    if (loan !== undefined) {
      c.oneOf(loan, 'status', 'loan.', LOAN_STATUSES);
      c.problems.push(...prefixed('loan.schedule', run(loan.schedule, schedule)));
    }
  }
}

const responseValidators = {
  'pre-check': preCheckResponse,
  apply: accepted,
  drawdown: accepted,
  repay: accepted,
  'status-query': statusQueryResponse,
} as const satisfies Record<CallKind, Validator>;

/** Re-roots problems of a nested validation (`body…` → `path…`). */
function prefixed(path: string, problems: readonly string[]): string[] {
  return problems.map((p) => (p.startsWith('body') ? path + p.slice(4) : `${path}.${p}`));
}

function rooted(problems: readonly string[]): readonly string[] {
  return problems.map((p) => (p.startsWith('body') ? p : `body.${p}`));
}

/** Problems with the request body of a call (empty when valid). */
export function validateCallRequest(kind: CallKind, body: unknown): readonly string[] {
  return rooted(run(body, validators[kind]));
}

/** Problems with the successful answer body of a call (empty when valid). */
export function validateCallResponse(kind: CallKind, body: unknown): readonly string[] {
  return rooted(run(body, responseValidators[kind]));
}

/** Problems with the body of a callback (empty when valid). */
export function validateCallback(kind: CallbackKind, body: unknown): readonly string[] {
  return rooted(run(body, callbackValidators[kind]));
}

/** Problems with decrypted applicant PII (empty when valid). Never echoes a value. */
export function validateApplicantPii(value: unknown): readonly string[] {
  const problems = run(value, (c, o) => {
    c.string(o, 'name', '', { max: 100 });
    c.string(o, 'idNumber', '', { pattern: ID_NUMBER, what: 'an 18-character resident id number' });
    c.string(o, 'phone', '', { pattern: PHONE, what: 'an 11-digit mobile number' });
    c.string(o, 'bankCard', '', { pattern: BANK_CARD, optional: true, what: 'a 12–19 digit card number' });
    const contacts = c.array(o, 'contacts', '', { min: 0, max: 10, optional: true });
    contacts?.forEach((item, i) => {
      const contact = c.object(item, `contacts[${i}]`);
      if (contact === undefined) return;
      const p = `contacts[${i}].`;
      c.string(contact, 'name', p, { max: 100 });
      c.string(contact, 'phone', p, { pattern: PHONE, what: 'an 11-digit mobile number' });
      c.string(contact, 'relation', p, { max: 32 });
    });
  });
  return prefixed('pii', problems);
}

/** Problems with an error body `{ error: { code, message, requestId } }` (empty when valid). */
export function validateErrorBody(body: unknown): readonly string[] {
  return rooted(
    run(body, (c, o) => {
      const error = c.object(o.error, 'error');
      if (error === undefined) return;
      c.string(error, 'code', 'error.', { pattern: /^[A-Z][A-Z0-9_]{0,63}$/, what: 'an UPPER_SNAKE code' });
      c.string(error, 'message', 'error.', { max: 2000 });
      if (typeof error.requestId !== 'string') c.problems.push('error.requestId: must be a string');
    }),
  );
}

/** Problems with a callback acknowledgement from the platform (empty when valid). */
export function validateCallbackAck(body: unknown): readonly string[] {
  return rooted(
    run(body, (c, o) => {
      c.oneOf(o, 'status', '', ['applied', 'deferred'] as const);
      c.string(o, 'waitingFor', '', { optional: true, max: 256 });
    }),
  );
}

/** Type guard over {@link validateCallRequest}. */
export function isCallRequest<K extends CallKind>(kind: K, body: unknown): body is CallRequests[K] {
  return validateCallRequest(kind, body).length === 0;
}

/** Type guard over {@link validateCallback}. */
export function isCallback<K extends CallbackKind>(kind: K, body: unknown): body is CallbackBodies[K] {
  return validateCallback(kind, body).length === 0;
}

/** Type guard over {@link validateApplicantPii}. */
export function isApplicantPii(value: unknown): value is ApplicantPii {
  return validateApplicantPii(value).length === 0;
}

/** Builds the error body every refusal carries. */
export function errorBody(code: string, message: string, requestId: string): ErrorBody {
  return { error: { code, message, requestId } };
}
