import { describe, expect, it } from 'vitest';
import {
  ED25519_A_PRIVATE,
  ED25519_A_PUBLIC,
  ED25519_B_PRIVATE,
  ED25519_B_PUBLIC,
  RSA_SIGN_PRIVATE,
  RSA_SIGN_PUBLIC,
  TEST_EPOCH_MS,
} from './__fixtures__/test-keys.ts';
import { ENVELOPE_HEADERS } from './headers.ts';
import type { PrivateSigningKey, PublicKeyRecord } from './keys.ts';
import { InMemoryNonceStore, type NonceStore } from './nonce-store.ts';
import { type SignRequestInput, signRequest } from './sign.ts';
import { staticKeyLookup, type VerifyRequestInput, verifyRequest } from './verify-request.ts';

const PARTNER = 'lender-demo';
const NOW = TEST_EPOCH_MS + 60 * 60 * 1000;
const PATH = '/v1/lender/apply?trace=1';
const BODY = { applicationId: 'app_1', amountFen: 500000, termMonths: 12 };

function sign(key: PrivateSigningKey, overrides: Partial<SignRequestInput> = {}) {
  return signRequest({
    method: 'POST',
    path: PATH,
    body: BODY,
    partnerId: PARTNER,
    key,
    nowMs: NOW,
    ...overrides,
  });
}

function verify(
  signed: { headers: VerifyRequestInput['headers']; body: string },
  options: Partial<VerifyRequestInput> & { keySet?: readonly PublicKeyRecord[] } = {},
) {
  const keySet = options.keySet ?? [ED25519_A_PUBLIC, RSA_SIGN_PUBLIC];
  return verifyRequest({
    method: 'POST',
    path: PATH,
    headers: signed.headers,
    body: signed.body,
    keys: staticKeyLookup({ [PARTNER]: keySet }),
    nonces: new InMemoryNonceStore({ now: () => NOW }),
    nowMs: NOW,
    ...options,
  });
}

describe.each([
  ['Ed25519', ED25519_A_PRIVATE],
  ['RSA-SHA256', RSA_SIGN_PRIVATE],
] as const)('%s round trip', (alg, key) => {
  it('verifies what it signed and reports the envelope', async () => {
    const signed = sign(key, { requestId: 'req-42' });
    expect(signed.body).toBe(JSON.stringify(BODY));
    expect(await verify(signed)).toEqual({
      ok: true,
      partnerId: PARTNER,
      requestId: 'req-42',
      keyId: key.kid,
      alg,
      timestamp: NOW / 1000,
      nonce: signed.headers[ENVELOPE_HEADERS.nonce],
    });
  });

  it('refuses a tampered body', async () => {
    const signed = sign(key);
    const result = await verify({ ...signed, body: signed.body.replace('500000', '900000') });
    expect(result).toMatchObject({ ok: false, code: 'DIGEST_MISMATCH' });
  });

  it('refuses a tampered body whose digest header was recomputed', async () => {
    const forged = sign(key, { body: { ...BODY, amountFen: 900000 } });
    const original = sign(key);
    const headers = {
      ...original.headers,
      [ENVELOPE_HEADERS.contentSha256]: forged.headers[ENVELOPE_HEADERS.contentSha256]!,
    };
    expect(await verify({ headers, body: forged.body })).toMatchObject({
      ok: false,
      code: 'SIGNATURE_INVALID',
    });
  });

  it('refuses a tampered path, query or method', async () => {
    const signed = sign(key);
    expect(await verify(signed, { path: '/v1/lender/drawdown?trace=1' })).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
    expect(await verify(signed, { path: '/v1/lender/apply?trace=2' })).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
    expect(await verify(signed, { method: 'PUT' })).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('refuses a request id or partner swapped after signing', async () => {
    const signed = sign(key);
    const otherId = { ...signed.headers, [ENVELOPE_HEADERS.requestId]: 'req-other' };
    expect(await verify({ ...signed, headers: otherId })).toMatchObject({ code: 'SIGNATURE_INVALID' });
    const otherPartner = { ...signed.headers, [ENVELOPE_HEADERS.partnerId]: 'lender-other' };
    const result = await verifyRequest({
      method: 'POST',
      path: PATH,
      headers: otherPartner,
      body: signed.body,
      keys: staticKeyLookup({ 'lender-other': [ED25519_A_PUBLIC, RSA_SIGN_PUBLIC] }),
      nonces: new InMemoryNonceStore(),
      nowMs: NOW,
    });
    expect(result).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });
});

describe('timestamp window', () => {
  it.each([
    ['5 minutes old', -300_000, true],
    ['5 minutes ahead', 300_000, true],
    ['5 minutes and 1 second old', -301_000, false],
    ['5 minutes and 1 second ahead', 301_000, false],
    ['a day old', -86_400_000, false],
  ])('a message %s is %s', async (_label, offsetMs, accepted) => {
    const signed = sign(ED25519_A_PRIVATE, { nowMs: NOW + offsetMs });
    const result = await verify(signed);
    expect(result.ok).toBe(accepted);
    if (!accepted) expect(result).toMatchObject({ code: 'TIMESTAMP_OUT_OF_WINDOW' });
  });
});

describe('replay', () => {
  it('accepts a nonce once per partner and refuses the replay', async () => {
    const nonces = new InMemoryNonceStore({ now: () => NOW });
    const signed = sign(ED25519_A_PRIVATE);
    expect((await verify(signed, { nonces })).ok).toBe(true);
    expect(await verify(signed, { nonces })).toMatchObject({ ok: false, code: 'NONCE_REPLAYED' });
  });

  it('claims the nonce until the timestamp leaves the window, and only after the signature verified', async () => {
    const claims: [string, string, number][] = [];
    const nonces: NonceStore = {
      claim: async (partnerId, nonce, expiresAt) => {
        claims.push([partnerId, nonce, expiresAt]);
        return true;
      },
    };
    const signed = sign(ED25519_A_PRIVATE, { nonce: 'AAAAAAAAAAAAAAAAAAAAAA' });
    await verify({ ...signed, body: `${signed.body} ` }, { nonces });
    expect(claims).toEqual([]);
    await verify(signed, { nonces });
    expect(claims).toEqual([[PARTNER, 'AAAAAAAAAAAAAAAAAAAAAA', NOW + 300_000]]);
  });

  it('lets a nonce store outage propagate instead of answering for the message', async () => {
    const nonces: NonceStore = { claim: () => Promise.reject(new Error('database down')) };
    await expect(verify(sign(ED25519_A_PRIVATE), { nonces })).rejects.toThrow('database down');
  });
});

describe('keys and rotation', () => {
  const ROTATE_AT = NOW - 10 * 60 * 1000;
  const OVERLAP_END = NOW + 10 * 60 * 1000;
  // Key A is retired at OVERLAP_END; key B went live at ROTATE_AT. Between them both are accepted.
  const rotated: readonly PublicKeyRecord[] = [
    { ...ED25519_A_PUBLIC, notAfter: OVERLAP_END },
    { ...ED25519_B_PUBLIC, notBefore: ROTATE_AT },
  ];

  it('accepts both the old and the new key during the overlap', async () => {
    expect((await verify(sign(ED25519_A_PRIVATE), { keySet: rotated })).ok).toBe(true);
    expect((await verify(sign(ED25519_B_PRIVATE), { keySet: rotated })).ok).toBe(true);
  });

  it('refuses the old key once it has expired, and still accepts the new one', async () => {
    const later = OVERLAP_END + 1000;
    const old = await verify(sign(ED25519_A_PRIVATE, { nowMs: later }), { keySet: rotated, nowMs: later });
    expect(old).toMatchObject({ ok: false, code: 'UNKNOWN_KEY' });
    const current = await verify(sign(ED25519_B_PRIVATE, { nowMs: later }), {
      keySet: rotated,
      nowMs: later,
    });
    expect(current.ok).toBe(true);
  });

  it('refuses a key that is not valid yet', async () => {
    const early = ROTATE_AT - 1000;
    const result = await verify(sign(ED25519_B_PRIVATE, { nowMs: early }), { keySet: rotated, nowMs: early });
    expect(result).toMatchObject({ code: 'UNKNOWN_KEY' });
  });

  it('refuses an unknown key id', async () => {
    const result = await verify(sign({ ...ED25519_A_PRIVATE, kid: 'no-such-key' }));
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_KEY' });
  });

  it('refuses an encryption key used as a signing key', async () => {
    const asEncryption: PublicKeyRecord = { ...RSA_SIGN_PUBLIC, use: 'encryption', alg: 'RSA-OAEP-256' };
    const result = await verify(sign(RSA_SIGN_PRIVATE), { keySet: [asEncryption] });
    expect(result).toMatchObject({ code: 'UNKNOWN_KEY' });
  });

  it('takes the algorithm from the key record, not from the message', async () => {
    const signed = sign(ED25519_A_PRIVATE);
    const headers = { ...signed.headers, [ENVELOPE_HEADERS.algorithm]: 'RSA-SHA256' };
    expect(await verify({ ...signed, headers })).toMatchObject({ code: 'UNKNOWN_KEY' });
  });

  it('refuses a message signed with a different private key under a known key id', async () => {
    const impostor: PrivateSigningKey = { ...ED25519_B_PRIVATE, kid: ED25519_A_PRIVATE.kid };
    expect(await verify(sign(impostor))).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('refuses an unknown partner', async () => {
    const result = await verify(sign(ED25519_A_PRIVATE, { partnerId: 'lender-unknown' }));
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_PARTNER' });
  });
});

describe('malformed envelopes', () => {
  const signed = sign(ED25519_A_PRIVATE);

  it.each(Object.values(ENVELOPE_HEADERS))('refuses a message without %s', async (name) => {
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== name));
    expect(await verify({ ...signed, headers })).toMatchObject({ ok: false, code: 'MALFORMED_ENVELOPE' });
  });

  it.each([
    [ENVELOPE_HEADERS.timestamp, '1767229200000.5'],
    [ENVELOPE_HEADERS.timestamp, '01767229200'],
    [ENVELOPE_HEADERS.nonce, 'short'],
    [ENVELOPE_HEADERS.nonce, 'AAAAAAAAAAAAAAAAAAAAA+/='],
    [ENVELOPE_HEADERS.requestId, 'req\nPOST'],
    [ENVELOPE_HEADERS.partnerId, 'lender demo'],
    [ENVELOPE_HEADERS.algorithm, 'HS256'],
    [ENVELOPE_HEADERS.contentSha256, 'abc'],
    [ENVELOPE_HEADERS.signature, 'not base64!'],
  ])('refuses %s = %j', async (name, value) => {
    const headers = { ...signed.headers, [name]: value };
    expect(await verify({ ...signed, headers })).toMatchObject({ ok: false, code: 'MALFORMED_ENVELOPE' });
  });

  it('refuses a header sent twice', async () => {
    const headers = { ...signed.headers, [ENVELOPE_HEADERS.nonce.toLowerCase()]: 'BBBBBBBBBBBBBBBBBBBBBB' };
    expect(await verify({ ...signed, headers })).toMatchObject({ code: 'MALFORMED_ENVELOPE' });
  });

  it('refuses a path that could not have been signed', async () => {
    expect(await verify(signed, { path: 'v1/no-leading-slash' })).toMatchObject({
      code: 'MALFORMED_ENVELOPE',
    });
    expect(await verify(signed, { path: '/v1/a b' })).toMatchObject({ code: 'MALFORMED_ENVELOPE' });
  });

  it('reads headers case-insensitively, from a plain record or a fetch Headers object', async () => {
    const lower = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect((await verify({ ...signed, headers: lower })).ok).toBe(true);
    expect((await verify({ ...signed, headers: new Headers(signed.headers) })).ok).toBe(true);
  });

  it('verifies the raw body given as bytes', async () => {
    const result = await verifyRequest({
      method: 'POST',
      path: PATH,
      headers: signed.headers,
      body: Buffer.from(signed.body, 'utf8'),
      keys: staticKeyLookup({ [PARTNER]: [ED25519_A_PUBLIC] }),
      nonces: new InMemoryNonceStore(),
      nowMs: NOW,
    });
    expect(result.ok).toBe(true);
  });
});

describe('signRequest', () => {
  it('draws a fresh 128-bit nonce for every message', () => {
    const a = sign(ED25519_A_PRIVATE).headers[ENVELOPE_HEADERS.nonce]!;
    const b = sign(ED25519_A_PRIVATE).headers[ENVELOPE_HEADERS.nonce]!;
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64url')).toHaveLength(16);
  });

  it('signs an empty body for a GET and sends no content type', async () => {
    const signed = sign(ED25519_A_PRIVATE, { method: 'get', body: undefined });
    expect(signed.body).toBe('');
    expect(signed.headers['Content-Type']).toBeUndefined();
    expect(signed.canonical.split('\n')[1]).toBe('GET');
    expect((await verify(signed, { method: 'GET' })).ok).toBe(true);
  });

  it('refuses to sign fields the verifier would reject', () => {
    expect(() => sign(ED25519_A_PRIVATE, { requestId: 'a\nb' })).toThrow(/requestId/);
    expect(() => sign(ED25519_A_PRIVATE, { path: 'relative' })).toThrow(/path/);
    expect(() => sign(ED25519_A_PRIVATE, { body: undefined, bodyText: 'x', requestId: 'r' })).not.toThrow();
    expect(() => sign(ED25519_A_PRIVATE, { bodyText: 'x' })).toThrow(/either/);
  });
});
