/**
 * The one registry of error codes. Every error that leaves the service carries one of these codes,
 * and each code has exactly one HTTP status. Domain modules throw `AppError`; the HTTP layer maps
 * it in one place (src/http/error-handler.ts).
 */
import { type EnvelopeErrorCode, PROTOCOL_ERRORS } from '../../sandbox/sdk/index.ts';

/**
 * Failures of the signed envelope of the lender protocol (docs/protocol.md). Their statuses are the
 * SDK's single list (PROTOCOL_ERRORS), which lenders answer with too: bad format answers 400;
 * anything about who signed, when, or with which key answers 401, telling the sender not to retry
 * unchanged.
 */
const ENVELOPE_ERROR_ENTRIES = {
  MALFORMED_ENVELOPE: {
    status: PROTOCOL_ERRORS.MALFORMED_ENVELOPE,
    message: 'The signature headers are missing or malformed.',
  },
  DIGEST_MISMATCH: {
    status: PROTOCOL_ERRORS.DIGEST_MISMATCH,
    message: 'The body does not match X-Lendgate-Content-SHA256.',
  },
  UNKNOWN_PARTNER: { status: PROTOCOL_ERRORS.UNKNOWN_PARTNER, message: 'The partner is not known.' },
  UNKNOWN_KEY: {
    status: PROTOCOL_ERRORS.UNKNOWN_KEY,
    message: 'The key id is not a valid signing key of this partner.',
  },
  SIGNATURE_INVALID: { status: PROTOCOL_ERRORS.SIGNATURE_INVALID, message: 'The signature does not verify.' },
  TIMESTAMP_OUT_OF_WINDOW: {
    status: PROTOCOL_ERRORS.TIMESTAMP_OUT_OF_WINDOW,
    message: 'The timestamp is more than 5 minutes from our clock.',
  },
  NONCE_REPLAYED: { status: PROTOCOL_ERRORS.NONCE_REPLAYED, message: 'The nonce was already used.' },
} as const satisfies Record<EnvelopeErrorCode, { readonly status: number; readonly message: string }>;

export const ERROR_CODES = {
  ...ENVELOPE_ERROR_ENTRIES,
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  UNAUTHORIZED: { status: 401, message: 'Authentication is required.' },
  INVALID_CREDENTIALS: { status: 401, message: 'The email or password is wrong.' },
  CHANNEL_TOKEN_INVALID: { status: 401, message: 'The channel sign-in token is not valid.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  NOT_WHITELISTED: { status: 403, message: 'The borrowing entry is not open to this user.' },
  NOT_FOUND: { status: 404, message: 'The resource does not exist.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'The method is not allowed on this resource.' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.' },
  INVALID_STATE: { status: 409, message: 'This cannot be done in the current state.' },
  CONSENT_REQUIRED: { status: 409, message: 'No consent to share data with this lender.' },
  PROFILE_INCOMPLETE: { status: 409, message: 'The profile lacks data this needs.' },
  PRECHECK_REQUIRED: { status: 409, message: 'The lender has not pre-approved this borrower.' },
  APPROVAL_EXPIRED: { status: 409, message: 'The approval has expired.' },
  LENDER_OVER_QUOTA: { status: 409, message: 'The lender takes no more applications today.' },
  LENDER_NOT_CONFORMANT: { status: 409, message: 'The partner has not passed a conformance run.' },
  PREREQUISITE_MISSING: {
    status: 409,
    message: 'What this callback depends on has not arrived; send that first, then this again.',
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type is not supported.' },
  APR_CAP_EXCEEDED: { status: 422, message: 'The APR is above the 24% all-in cap.' },
  LIMIT_EXCEEDED: { status: 422, message: 'The amount is above the approved limit.' },
  APR_BELOW_FLOOR: { status: 422, message: 'The APR is below the 3.6% floor.' },
  ACCOUNT_LOCKED: { status: 423, message: 'The account is locked after repeated failures.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests.' },
  INTERNAL: { status: 500, message: 'An internal error occurred.' },
  UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable; try again shortly.' },
} as const satisfies Record<string, { readonly status: number; readonly message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem with one field of the input, named by its path (e.g. `body.principalFen`). */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export interface ErrorDetails {
  readonly fields?: readonly FieldProblem[];
  readonly [key: string]: unknown;
}

/** An error the service means to report to its caller, with a registered code. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message?: string, details?: ErrorDetails) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

/** Shorthand for a validation failure naming one field. */
export function invalidField(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${field}: ${message}`, { fields: [{ field, message }] });
}

/** Whether a stored or received string is one of the platform's error codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}
