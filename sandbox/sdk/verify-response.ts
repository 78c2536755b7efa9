import { responseCanonicalString } from './canonical.ts';
import { checkDigest, checkSignature, checkTimestamp, readEnvelope } from './envelope-checks.ts';
import type { HeaderSource } from './headers.ts';
import type { PublicKeyRecord, SignatureAlgorithm } from './keys.ts';
import { fail, type VerifyResult } from './result.ts';
import type { AnsweredRequest } from './sign.ts';

/** Input of {@link verifyResponse}. */
export interface VerifyResponseInput {
  /** The request this is the answer to, as the caller sent it. */
  readonly request: AnsweredRequest;
  readonly status: number;
  readonly headers: HeaderSource;
  readonly body: string | Uint8Array;
  /** Signing keys of the party that was called (the caller knows whom it called). */
  readonly keys: readonly PublicKeyRecord[];
  readonly nowMs: number;
}

/** What a verified response established. */
export interface VerifiedResponse {
  readonly keyId: string;
  readonly alg: SignatureAlgorithm;
  readonly timestamp: number;
}

/**
 * Verifies a signed answer to a request the caller made. The signature covers the status, the
 * response body and the request's method, path, partner and request id, so an answer can be neither
 * altered nor moved to another request. No nonce store is needed: request ids are unique, and a
 * retry with the same request id is answered identically by the idempotency rule, so replaying an
 * old answer to it gains nothing.
 */
export function verifyResponse(input: VerifyResponseInput): VerifyResult<VerifiedResponse> {
  const envelope = readEnvelope(input.headers);
  if ('ok' in envelope) return envelope;
  const { request } = input;
  if (envelope.partnerId !== request.partnerId || envelope.requestId !== request.requestId) {
    return fail('MALFORMED_ENVELOPE', 'response does not answer this request');
  }
  const failure =
    checkTimestamp(envelope.timestamp, input.nowMs) ??
    checkDigest(envelope.contentSha256, input.body, envelope.alg);
  if (failure !== undefined) return failure;
  const canonical = responseCanonicalString({
    ...envelope,
    status: String(input.status),
    method: request.method.toUpperCase(),
    path: request.path,
  });
  const badSignature = checkSignature(input.keys, envelope, canonical, input.nowMs);
  if (badSignature !== undefined) return badSignature;
  return { ok: true, keyId: envelope.keyId, alg: envelope.alg, timestamp: Number(envelope.timestamp) };
}
