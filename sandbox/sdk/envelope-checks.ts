import { invalidField } from './canonical.ts';
import { contentDigest, fromBase64 } from './encoding.ts';
import { ENVELOPE_HEADERS, type HeaderSource, readHeader } from './headers.ts';
import {
  findSigningKey,
  isSmAlgorithm,
  type PublicKeyRecord,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm,
} from './keys.ts';
import { type EnvelopeFailure, fail } from './result.ts';
import { verifyCanonical } from './signature.ts';
import { smAvailable } from './sm-provider.ts';

/** Accepted clock difference between signer and verifier: ±5 minutes. */
export const TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;

/** The envelope headers of a message, each present once and well-formed. */
export interface EnvelopeFields {
  readonly partnerId: string;
  readonly requestId: string;
  readonly timestamp: string;
  readonly nonce: string;
  readonly keyId: string;
  readonly alg: SignatureAlgorithm;
  readonly contentSha256: string;
  readonly signature: Uint8Array;
}

/** Reads and validates the envelope headers. */
export function readEnvelope(headers: HeaderSource): EnvelopeFields | EnvelopeFailure {
  const raw: Record<string, string> = {};
  for (const [field, name] of Object.entries(ENVELOPE_HEADERS)) {
    const value = readHeader(headers, name);
    if (value === undefined) return fail('MALFORMED_ENVELOPE', `header ${name} is missing or repeated`);
    raw[field] = value;
  }
  const bad = invalidField(raw);
  if (bad !== undefined)
    return fail(
      'MALFORMED_ENVELOPE',
      `header ${ENVELOPE_HEADERS[bad as keyof typeof ENVELOPE_HEADERS]} is malformed`,
    );
  const alg = SIGNATURE_ALGORITHMS.find((a) => a === raw.algorithm);
  if (alg === undefined || (isSmAlgorithm(alg) && !smAvailable()))
    return fail('MALFORMED_ENVELOPE', `algorithm ${raw.algorithm} is not supported`);
  const signature = fromBase64(raw.signature!);
  if (signature === undefined) return fail('MALFORMED_ENVELOPE', 'signature is not canonical base64');
  return {
    partnerId: raw.partnerId!,
    requestId: raw.requestId!,
    timestamp: raw.timestamp!,
    nonce: raw.nonce!,
    keyId: raw.keyId!,
    alg,
    contentSha256: raw.contentSha256!,
    signature,
  };
}

/** Checks the message time against the verifier's clock. */
export function checkTimestamp(timestamp: string, nowMs: number): EnvelopeFailure | undefined {
  const skew = Math.abs(nowMs - Number(timestamp) * 1000);
  return skew <= TIMESTAMP_WINDOW_MS
    ? undefined
    : fail(
        'TIMESTAMP_OUT_OF_WINDOW',
        `timestamp is ${Math.round(skew / 1000)} s away from the verifier's clock`,
      );
}

/**
 * Checks the digest header against the body bytes actually received, with the digest of the
 * header's algorithm (SM3 for SM2-SM3, else SHA-256). Taking it from the header is safe: the
 * signature check later requires the key's algorithm to equal the header's.
 */
export function checkDigest(
  claimed: string,
  body: string | Uint8Array,
  alg: SignatureAlgorithm,
): EnvelopeFailure | undefined {
  // Both values are public; a constant-time comparison would protect nothing here.
  return contentDigest(alg, body) === claimed
    ? undefined
    : fail('DIGEST_MISMATCH', `body does not match its ${alg === 'SM2-SM3' ? 'SM3' : 'SHA-256'} digest`);
}

/** Finds the signing key and checks the signature over the canonical string. */
export function checkSignature(
  keys: readonly PublicKeyRecord[],
  envelope: EnvelopeFields,
  canonical: string,
  nowMs: number,
): EnvelopeFailure | undefined {
  const key = findSigningKey(keys, envelope.keyId, nowMs);
  if (key === undefined) return fail('UNKNOWN_KEY', `no valid signing key ${envelope.keyId}`);
  // The algorithm comes from the key record, never from the message: a mismatch is refused rather
  // than letting the sender choose how its signature is checked.
  if (key.alg !== envelope.alg) return fail('UNKNOWN_KEY', `key ${key.kid} is not an ${envelope.alg} key`);
  return verifyCanonical(key, canonical, envelope.signature)
    ? undefined
    : fail('SIGNATURE_INVALID', 'signature does not verify');
}
