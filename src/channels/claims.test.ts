import { describe, expect, it } from 'vitest';
import { AUDIENCE, CLOCK_SKEW_SECONDS, checkSignInClaims, MAX_LIFETIME_SECONDS } from './claims.ts';

const NOW = 1_800_000_000;
const good = { iss: 'shop', aud: AUDIENCE, sub: 'u-1', iat: NOW - 10, exp: NOW + 290, jti: 'j-1' };
const reasonOf = (payload: unknown, now = NOW) => {
  const result = checkSignInClaims(payload, 'shop', now);
  return result.ok ? 'ok' : result.reason;
};

describe('sign-in token claims', () => {
  it('accepts a current token of the channel for Lendgate and returns the user, jti and expiry', () => {
    expect(checkSignInClaims(good, 'shop', NOW)).toEqual({
      ok: true,
      claims: { channelUserId: 'u-1', jti: 'j-1', expiresAt: NOW + 290 },
    });
    expect(reasonOf({ ...good, aud: ['other', AUDIENCE] })).toBe('ok');
  });

  it('refuses another issuer, another audience, and missing claims', () => {
    expect(reasonOf({ ...good, iss: 'maps' })).toBe('wrong_issuer');
    expect(reasonOf({ ...good, aud: 'someone-else' })).toBe('wrong_audience');
    expect(reasonOf({ ...good, aud: undefined })).toBe('wrong_audience');
    for (const name of ['sub', 'iat', 'exp', 'jti'] as const) {
      expect(reasonOf({ ...good, [name]: undefined })).toBe('missing_claim');
    }
    expect(reasonOf('not an object')).toBe('malformed');
    expect(reasonOf(null)).toBe('malformed');
  });

  it('refuses a subject that is not a channel user id, and non-numeric dates', () => {
    expect(reasonOf({ ...good, sub: 'has space' })).toBe('invalid_subject');
    expect(reasonOf({ ...good, sub: 'x'.repeat(129) })).toBe('invalid_subject');
    expect(reasonOf({ ...good, sub: 42 })).toBe('invalid_subject');
    expect(reasonOf({ ...good, exp: String(NOW + 60) })).toBe('malformed');
    expect(reasonOf({ ...good, jti: '' })).toBe('malformed');
  });

  it('allows the clock skew on both sides, and no more', () => {
    const expired = { ...good, iat: NOW - 300, exp: NOW - 100 };
    expect(reasonOf(expired, NOW - 100 + CLOCK_SKEW_SECONDS - 1)).toBe('ok');
    expect(reasonOf(expired, NOW - 100 + CLOCK_SKEW_SECONDS)).toBe('expired');
    const early = { ...good, iat: NOW + CLOCK_SKEW_SECONDS, exp: NOW + 300 };
    expect(reasonOf(early)).toBe('ok');
    expect(reasonOf({ ...early, iat: NOW + CLOCK_SKEW_SECONDS + 1 })).toBe('issued_in_future');
    expect(reasonOf({ ...good, nbf: NOW + CLOCK_SKEW_SECONDS + 1 })).toBe('not_yet_valid');
  });

  it('refuses tokens meant to live longer than ten minutes, and ones that end before they start', () => {
    expect(reasonOf({ ...good, iat: NOW, exp: NOW + MAX_LIFETIME_SECONDS })).toBe('ok');
    expect(reasonOf({ ...good, iat: NOW, exp: NOW + MAX_LIFETIME_SECONDS + 1 })).toBe('lifetime_too_long');
    expect(reasonOf({ ...good, iat: NOW, exp: NOW })).toBe('expired');
  });
});
