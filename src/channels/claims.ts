/**
 * The claim rules of a channel sign-in token, as a pure function of the decoded payload and the
 * time, so that every rule is tested without keys or a database. The signature is checked before
 * (sign-in.ts); these rules decide whether a correctly signed token may open a session.
 */
import { CHANNEL_USER_ID_PATTERN } from './model.ts';

/** The audience every channel token must name. */
export const AUDIENCE = 'lendgate';
/** A sign-in token lives minutes, not hours: a leaked one is useless soon. */
export const MAX_LIFETIME_SECONDS = 600;
/** Clocks of the channel's servers and ours may differ by this much. */
export const CLOCK_SKEW_SECONDS = 30;
const JTI_PATTERN = /^[\x21-\x7E]{1,128}$/;

/** Why a channel token is refused; sent to the channel as `details.reason`. */
export const TOKEN_REFUSALS = [
  'malformed',
  'unsupported_algorithm',
  'unknown_key',
  'bad_signature',
  'wrong_issuer',
  'wrong_audience',
  'missing_claim',
  'invalid_subject',
  'expired',
  'not_yet_valid',
  'issued_in_future',
  'lifetime_too_long',
  'replayed',
] as const;
export type TokenRefusal = (typeof TOKEN_REFUSALS)[number];

export interface SignInClaims {
  readonly channelUserId: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

export type ClaimCheck =
  | { readonly ok: true; readonly claims: SignInClaims }
  | { readonly ok: false; readonly reason: TokenRefusal; readonly message: string };

function refuse(reason: TokenRefusal, message: string): ClaimCheck {
  return { ok: false, reason, message };
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Checks the claims of a verified token for `channelCode` at `nowSeconds`: `iss` is the channel,
 * `aud` names Lendgate, `sub` is a channel user id, `iat` and `exp` are present and at most
 * MAX_LIFETIME_SECONDS apart, the token is current (±CLOCK_SKEW_SECONDS), and `jti` is present.
 */
export function checkSignInClaims(payload: unknown, channelCode: string, nowSeconds: number): ClaimCheck {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return refuse('malformed', 'The token payload is not a JSON object.');
  }
  const claims = payload as Record<string, unknown>;
  if (claims.iss !== channelCode) {
    return refuse('wrong_issuer', `The token was not issued by channel ${channelCode}.`);
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(AUDIENCE))
    return refuse('wrong_audience', `The token's audience must be ${AUDIENCE}.`);
  for (const name of ['sub', 'iat', 'exp', 'jti'] as const) {
    if (claims[name] === undefined) return refuse('missing_claim', `The token has no ${name} claim.`);
  }
  const { sub, iat, exp, nbf, jti } = claims;
  if (typeof sub !== 'string' || !CHANNEL_USER_ID_PATTERN.test(sub)) {
    return refuse('invalid_subject', 'sub must be the channel user id: 1–128 letters, digits or ._:@+/=|~-');
  }
  if (!isNumericDate(iat) || !isNumericDate(exp) || (nbf !== undefined && !isNumericDate(nbf))) {
    return refuse('malformed', 'iat, exp and nbf must be NumericDate values (seconds since the epoch).');
  }
  if (typeof jti !== 'string' || !JTI_PATTERN.test(jti)) {
    return refuse('malformed', 'jti must be 1–128 printable characters.');
  }
  if (nowSeconds >= exp + CLOCK_SKEW_SECONDS || exp <= iat)
    return refuse('expired', 'The token has expired.');
  if (exp - iat > MAX_LIFETIME_SECONDS) {
    return refuse('lifetime_too_long', `A sign-in token may live at most ${MAX_LIFETIME_SECONDS} seconds.`);
  }
  if (iat > nowSeconds + CLOCK_SKEW_SECONDS)
    return refuse('issued_in_future', 'The token is issued in the future.');
  if (nbf !== undefined && nbf > nowSeconds + CLOCK_SKEW_SECONDS) {
    return refuse('not_yet_valid', 'The token is not valid yet.');
  }
  return { ok: true, claims: { channelUserId: sub, jti, expiresAt: exp } };
}
