/**
 * The Lendgate open protocol contract: the paths, wire types and runtime validators of every call
 * (platform → lender) and every callback (lender → platform). Every message travels inside the
 * signed envelope of this SDK (docs/protocol.md); this file says what goes inside it.
 *
 * The messages themselves are JSON Schemas held as data in schemas.ts; the types here are computed
 * from them (schema-types.ts) and the validators run them (json-schema.ts), so the SDK, the
 * platform's routes and its OpenAPI document cannot disagree. Each validator returns a list of
 * problems (empty = valid) that name the field and the rule and never echo a value, so they may be
 * logged and returned even when the message carries personal data.
 */
import { problemsOf } from './json-schema.ts';
import type { FromSchema } from './schema-types.ts';
import {
  type ACCEPTED,
  APPLICANT_PII,
  type APPLY_REQUEST,
  CALL_REQUEST_SCHEMAS,
  CALL_RESPONSE_SCHEMAS,
  CALLBACK_ACK,
  CALLBACK_SCHEMAS,
  type CREDIT_DECISION_CALLBACK,
  type DISBURSEMENT_CALLBACK,
  type DRAWDOWN_REQUEST,
  type ENCRYPTED_PII,
  ERROR_BODY,
  type LOAN_STATUS_CALLBACK,
  type PRE_CHECK_REQUEST,
  type PRE_CHECK_RESPONSE,
  RECONCILIATION_ROW,
  type REPAY_REQUEST,
  type REPAYMENT_CALLBACK,
  type REPAYMENT_SCHEDULE_CALLBACK,
  type STATUS_QUERY_REQUEST,
  type STATUS_QUERY_RESPONSE,
} from './schemas.ts';

export {
  AGE_BANDS,
  INSTALLMENT_STATUSES,
  LOAN_STATUSES,
  RECONCILIATION_COLUMNS,
  RECONCILIATION_ROW,
  REPAYMENT_METHODS,
} from './schemas.ts';

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
// Types, from the schemas

export type AgeBand = FromSchema<(typeof PRE_CHECK_REQUEST)['properties']['ageBand']>;
export type RepaymentMethod = FromSchema<(typeof DRAWDOWN_REQUEST)['properties']['method']>;
export type InstallmentStatus = ScheduleInstallment['status'];
export type LoanStatus = LoanStatusCallback['status'];

/** Reasons a pre-check names; a lender may send others (any string). */
export const PRE_CHECK_DECLINE_REASONS = ['existing_customer', 'not_eligible', 'over_quota'] as const;

/** Pre-check (撞库): keyed hashes and coarse bands, no PII. Answer: 200 {@link PreCheckResponse}. */
export type PreCheckRequest = FromSchema<typeof PRE_CHECK_REQUEST>;
export type AmountBandFen = PreCheckRequest['amountBandFen'];
export type PreCheckResponse = FromSchema<typeof PRE_CHECK_RESPONSE>;
/** Evidence of the borrower's separate consent to this lender (PIPL art. 23, 29). */
export type ConsentEvidence = ApplyRequest['consent'];
/** The personal data of an application, carried only inside {@link ApplyRequest.pii}, encrypted. */
export type ApplicantPii = FromSchema<typeof APPLICANT_PII>;
/** One emergency contact of the applicant. */
export type ApplicantContact = NonNullable<ApplicantPii['contacts']>[number];
/** The encrypted PII block as it travels (see pii.ts for the scheme). */
export type EncryptedPiiBlock = FromSchema<typeof ENCRYPTED_PII>;
/** Apply (进件), after consent. Answer: 202; the decision by the credit-decision callback. */
export type ApplyRequest = FromSchema<typeof APPLY_REQUEST>;
/** The synchronous acknowledgement of an asynchronous call (apply, drawdown, repay). */
export type Accepted = FromSchema<typeof ACCEPTED>;
/** Drawdown (借款) of an approved application. Answer: 202; result by the disbursement callback. */
export type DrawdownRequest = FromSchema<typeof DRAWDOWN_REQUEST>;
/** Repayment (主动还款): installments by number, or a full early payoff. Answer: 202. */
export type RepayRequest = FromSchema<typeof REPAY_REQUEST>;
/** Pull fallback when a callback is late: at least one of the ids. Answer: 200. */
export type StatusQueryRequest = FromSchema<typeof STATUS_QUERY_REQUEST>;
/** The current state, in the same shapes as the callbacks. */
export type StatusQueryResponse = FromSchema<typeof STATUS_QUERY_RESPONSE>;
/** An application the lender has not decided yet. */
export type PendingApplication = Extract<
  NonNullable<StatusQueryResponse['application']>,
  { decision: 'pending' }
>;
/** A drawdown the lender has not disbursed or failed yet. */
export type PendingDrawdown = Extract<
  NonNullable<StatusQueryResponse['drawdowns']>[number],
  { status: 'processing' }
>;

/** 授信结果. Business id: `applicationId`; an approval carries its offer. */
export type CreditDecisionCallback = FromSchema<typeof CREDIT_DECISION_CALLBACK>;
/** 放款结果. Business id: `drawdownId`. */
export type DisbursementCallback = FromSchema<typeof DISBURSEMENT_CALLBACK>;
/** 还款计划, pushed whole on every change. Business id: `${loanId}:${version}`. */
export type RepaymentScheduleCallback = FromSchema<typeof REPAYMENT_SCHEDULE_CALLBACK>;
/** One row of a pushed repayment schedule. `paidFen` counts everything paid against this row. */
export type ScheduleInstallment = RepaymentScheduleCallback['installments'][number];
/** 还款结果. Business id: `repaymentId`. */
export type RepaymentCallback = FromSchema<typeof REPAYMENT_CALLBACK>;
/** Loan status. Business id: `${loanId}:${version}`. */
export type LoanStatusCallback = FromSchema<typeof LOAN_STATUS_CALLBACK>;
/** The platform's answer to a callback: 200 `applied`, or 202 `deferred` (do not resend). */
export type CallbackAck = FromSchema<typeof CALLBACK_ACK>;

// ---------------------------------------------------------------------------------------------
// Errors

/** The error body of every refused call or callback, signed like any other answer. */
export type ErrorBody = FromSchema<typeof ERROR_BODY>;

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

/** Problems with the request body of a call (empty when valid). */
export function validateCallRequest(kind: CallKind, body: unknown): readonly string[] {
  return problemsOf(CALL_REQUEST_SCHEMAS[kind], body);
}

/** Problems with the successful answer body of a call (empty when valid). */
export function validateCallResponse(kind: CallKind, body: unknown): readonly string[] {
  return problemsOf(CALL_RESPONSE_SCHEMAS[kind], body);
}

/** Problems with the body of a callback (empty when valid). */
export function validateCallback(kind: CallbackKind, body: unknown): readonly string[] {
  return problemsOf(CALLBACK_SCHEMAS[kind], body);
}

/** Problems with decrypted applicant PII (empty when valid). Never echoes a value. */
export function validateApplicantPii(value: unknown): readonly string[] {
  return problemsOf(APPLICANT_PII, value, 'pii');
}

/** Problems with an error body `{ error: { code, message, requestId } }` (empty when valid). */
export function validateErrorBody(body: unknown): readonly string[] {
  return problemsOf(ERROR_BODY, body);
}

/** Problems with a callback acknowledgement from the platform (empty when valid). */
export function validateCallbackAck(body: unknown): readonly string[] {
  return problemsOf(CALLBACK_ACK, body);
}

/** Type guard over {@link validateCallRequest}. */
export function isCallRequest<K extends CallKind>(kind: K, body: unknown): body is CallRequests[K] {
  return validateCallRequest(kind, body).length === 0;
}

/** Type guard over {@link validateCallResponse}. */
export function isCallResponse<K extends CallKind>(kind: K, body: unknown): body is CallResponses[K] {
  return validateCallResponse(kind, body).length === 0;
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

// ---------------------------------------------------------------------------------------------
// The contract as one document

/** What each of the contract's own `x-` keywords means, for implementers in other languages. */
export const CONTRACT_KEYWORD_MEANINGS = {
  'x-increasing': 'on an array of integers: each item greater than the one before (no repeats)',
  'x-numbered': 'on an array of objects: item i (from 0) has the named member equal to i + 1',
  'x-required-when':
    'on an object: when member `field` equals `equals`, every member of `required` is present',
  'x-not-above':
    'on an object: for each [low, high] pair present, low ≤ high (decimal strings compared exactly)',
  'x-calendar':
    'on a string already matching its pattern: "date" — the day exists; "date-time" — the day exists and ' +
    'hours ≤ 23, minutes ≤ 59, seconds ≤ 59 (no leap second), offset hours ≤ 23 and minutes ≤ 59',
  'x-rule': 'an annotation: what a valid value is, in words (used in problem messages)',
} as const;

/**
 * The whole contract in one JSON document — every call and callback with its path, schemas and
 * budget, the error body, the applicant PII, the reconciliation row, and what the `x-` keywords
 * mean — so that a lender in another language validates with its own JSON Schema library (plus
 * the `x-` rules and the text rule: no NUL, no lone surrogate, in any text).
 */
export const CONTRACT_DOCUMENT = {
  protocol: 'lendgate-open/v1',
  conventions:
    'POST, JSON bodies, inside the signed envelope of docs/protocol.md. Amounts in integer fen; rates as ' +
    'decimal strings in [0, 1] with at most 10 decimals; dates YYYY-MM-DD; instants RFC 3339 with an offset. ' +
    'Every text is well-formed Unicode without NUL. Call bodies may gain optional members (ignore unknown ' +
    'ones); callbacks and answers to calls refuse unknown members.',
  calls: CALL_KINDS.map(({ kind, path, successStatus, budgetMs }) => ({
    kind,
    method: 'POST',
    path,
    successStatus,
    budgetMs,
    request: CALL_REQUEST_SCHEMAS[kind],
    response: CALL_RESPONSE_SCHEMAS[kind],
  })),
  callbacks: CALLBACK_KINDS.map(({ kind, path }) => ({
    kind,
    method: 'POST',
    path,
    body: CALLBACK_SCHEMAS[kind],
    answer: CALLBACK_ACK,
  })),
  errorBody: ERROR_BODY,
  errors: PROTOCOL_ERRORS,
  applicantPii: APPLICANT_PII,
  reconciliationRow: RECONCILIATION_ROW,
  keywords: CONTRACT_KEYWORD_MEANINGS,
} as const;
