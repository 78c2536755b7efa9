import type { EnvelopeErrorCode } from '../../../sandbox/sdk/index.ts';

/**
 * HTTP status and public message for each envelope failure, in the shape of the platform's error
 * registry (src/shared/errors.ts) so the two can be merged there. Bad format answers 400; anything
 * about who signed, when, or with which key answers 401, telling the sender not to retry unchanged.
 */
export const ENVELOPE_ERRORS = {
  MALFORMED_ENVELOPE: { status: 400, message: 'The signature headers are missing or malformed.' },
  DIGEST_MISMATCH: { status: 400, message: 'The body does not match X-Lendgate-Content-SHA256.' },
  UNKNOWN_PARTNER: { status: 401, message: 'The partner is not known.' },
  UNKNOWN_KEY: { status: 401, message: 'The key id is not a valid signing key of this partner.' },
  SIGNATURE_INVALID: { status: 401, message: 'The signature does not verify.' },
  TIMESTAMP_OUT_OF_WINDOW: { status: 401, message: 'The timestamp is more than 5 minutes from our clock.' },
  NONCE_REPLAYED: { status: 401, message: 'The nonce was already used.' },
} as const satisfies Record<EnvelopeErrorCode, { readonly status: number; readonly message: string }>;
