import { invalidField, requestCanonicalString } from './canonical.ts';
import {
  checkDigest,
  checkSignature,
  checkTimestamp,
  readEnvelope,
  TIMESTAMP_WINDOW_MS,
} from './envelope-checks.ts';
import type { HeaderSource } from './headers.ts';
import type { PublicKeyRecord, SignatureAlgorithm } from './keys.ts';
import type { NonceStore } from './nonce-store.ts';
import { fail, type VerifyResult } from './result.ts';

/**
 * Finds the published keys of the party that signed a message. On the platform this reads a
 * lender's key set from the database; on a lender it returns the platform's key set for the
 * lender's own partner id and `undefined` for any other id.
 */
export interface KeyLookup {
  /** The key set for `partnerId`, or `undefined` when the partner is unknown (→ `UNKNOWN_PARTNER`). */
  keysOf(partnerId: string): Promise<readonly PublicKeyRecord[] | undefined>;
}

/** A {@link KeyLookup} over a fixed map of partner id → key set (SDK, sandbox and tests). */
export function staticKeyLookup(keySets: Readonly<Record<string, readonly PublicKeyRecord[]>>): KeyLookup {
  const map = new Map(Object.entries(keySets));
  return { keysOf: async (partnerId) => map.get(partnerId) };
}

/** Input of {@link verifyRequest}. */
export interface VerifyRequestInput {
  readonly method: string;
  /** Request target as received on the request line: path plus query, untouched. */
  readonly path: string;
  readonly headers: HeaderSource;
  /** The raw body exactly as received; bytes are best (a string is UTF-8 encoded before hashing). */
  readonly body: string | Uint8Array;
  readonly keys: KeyLookup;
  readonly nonces: NonceStore;
  /** Verifier's clock, ms since the epoch. */
  readonly nowMs: number;
}

/** What a verified request established. */
export interface VerifiedRequest {
  readonly partnerId: string;
  readonly requestId: string;
  readonly keyId: string;
  readonly alg: SignatureAlgorithm;
  /** Signer's time, whole seconds since the epoch. */
  readonly timestamp: number;
  readonly nonce: string;
}

/**
 * Verifies an incoming signed request. Checks run in a fixed order and the first failure is
 * returned: MALFORMED_ENVELOPE, TIMESTAMP_OUT_OF_WINDOW, DIGEST_MISMATCH, UNKNOWN_PARTNER,
 * UNKNOWN_KEY, SIGNATURE_INVALID, NONCE_REPLAYED. The nonce is claimed last, so unsigned junk cannot
 * fill the nonce store. Errors thrown by the key lookup or the nonce store propagate (an outage is
 * not a verdict on the message).
 */
export async function verifyRequest(input: VerifyRequestInput): Promise<VerifyResult<VerifiedRequest>> {
  const envelope = readEnvelope(input.headers);
  if ('ok' in envelope) return envelope;
  const method = input.method.toUpperCase();
  const target = invalidField({ method, path: input.path });
  if (target !== undefined) return fail('MALFORMED_ENVELOPE', `request ${target} cannot be signed`);

  const failure =
    checkTimestamp(envelope.timestamp, input.nowMs) ??
    checkDigest(envelope.contentSha256, input.body, envelope.alg);
  if (failure !== undefined) return failure;

  const keys = await input.keys.keysOf(envelope.partnerId);
  if (keys === undefined) return fail('UNKNOWN_PARTNER', `partner ${envelope.partnerId} is not known`);

  const canonical = requestCanonicalString({ ...envelope, method, path: input.path });
  const badSignature = checkSignature(keys, envelope, canonical, input.nowMs);
  if (badSignature !== undefined) return badSignature;

  // Past the window the timestamp check alone rejects the message, so the nonce need not outlive it.
  const timestamp = Number(envelope.timestamp);
  const first = await input.nonces.claim(
    envelope.partnerId,
    envelope.nonce,
    timestamp * 1000 + TIMESTAMP_WINDOW_MS,
  );
  if (!first) return fail('NONCE_REPLAYED', 'nonce was already used');

  return {
    ok: true,
    partnerId: envelope.partnerId,
    requestId: envelope.requestId,
    keyId: envelope.keyId,
    alg: envelope.alg,
    timestamp,
    nonce: envelope.nonce,
  };
}
