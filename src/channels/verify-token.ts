import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, errors } from 'jose';
import { AppError } from '../shared/errors.ts';
import { checkSignInClaims, type SignInClaims, type TokenRefusal } from './claims.ts';
import type { VerificationKey } from './key-service.ts';
import { CHANNEL_KEY_ALGORITHMS, type ChannelKeyAlgorithm, KID_PATTERN } from './model.ts';

export function tokenRefused(reason: TokenRefusal, message: string): AppError {
  return new AppError('CHANNEL_TOKEN_INVALID', message, { reason });
}

/**
 * Verifies a channel's sign-in token: the header names an allowed algorithm and a key id of this
 * channel that is valid now, the signature verifies with that key (and only that key's algorithm,
 * so an RS256 key can never verify an HS256 or `none` token), then the claim rules hold.
 * Throws CHANNEL_TOKEN_INVALID with `details.reason`.
 */
export async function verifyChannelToken(
  channelCode: string,
  token: string,
  keyFor: (kid: string) => Promise<VerificationKey | null>,
  now: Date,
): Promise<SignInClaims> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw tokenRefused('malformed', 'The token is not a compact JWS.');
  }
  if (!(CHANNEL_KEY_ALGORITHMS as readonly unknown[]).includes(header.alg)) {
    throw tokenRefused('unsupported_algorithm', `alg must be one of ${CHANNEL_KEY_ALGORITHMS.join(', ')}.`);
  }
  if (typeof header.kid !== 'string') throw tokenRefused('unknown_key', 'The token header has no kid.');
  // The kid is the caller's text until a key answers to it: one that no key id can be (a NUL,
  // 10 KB of anything) is refused here, neither looked up nor echoed.
  if (!KID_PATTERN.test(header.kid)) {
    throw tokenRefused('unknown_key', 'The token header kid is not a key id (1–128 of A–Z a–z 0–9 . _ : -).');
  }
  const key = await keyFor(header.kid);
  if (!key) throw tokenRefused('unknown_key', `Channel ${channelCode} has no valid key ${header.kid}.`);
  if (key.alg !== (header.alg as ChannelKeyAlgorithm)) {
    throw tokenRefused('bad_signature', `Key ${key.kid} signs with ${key.alg}, not ${String(header.alg)}.`);
  }
  let payload: Uint8Array;
  try {
    const publicKey = createPublicKey({ key: key.publicJwk as JsonWebKey, format: 'jwk' });
    ({ payload } = await compactVerify(token, publicKey, { algorithms: [key.alg] }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw tokenRefused('bad_signature', 'The token signature does not verify.');
    }
    throw tokenRefused('malformed', 'The token is not a valid JWS.');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw tokenRefused('malformed', 'The token payload is not JSON.');
  }
  const checked = checkSignInClaims(claims, channelCode, Math.floor(now.getTime() / 1000));
  if (!checked.ok) throw tokenRefused(checked.reason, checked.message);
  return checked.claims;
}
