/** Why an envelope was refused. Each code is stable and published in docs/protocol.md. */
export const ENVELOPE_ERROR_CODES = [
  'MALFORMED_ENVELOPE',
  'UNKNOWN_PARTNER',
  'TIMESTAMP_OUT_OF_WINDOW',
  'DIGEST_MISMATCH',
  'UNKNOWN_KEY',
  'SIGNATURE_INVALID',
  'NONCE_REPLAYED',
] as const;

export type EnvelopeErrorCode = (typeof ENVELOPE_ERROR_CODES)[number];

/** A refused envelope: the code to answer with, and a message for logs (never contains the body). */
export interface EnvelopeFailure {
  readonly ok: false;
  readonly code: EnvelopeErrorCode;
  readonly message: string;
}

/** The outcome of a verification: the verified facts, or one failure code. */
export type VerifyResult<T> = ({ readonly ok: true } & T) | EnvelopeFailure;

export function fail(code: EnvelopeErrorCode, message: string): EnvelopeFailure {
  return { ok: false, code, message };
}
