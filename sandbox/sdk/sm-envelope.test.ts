import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ED25519_A_PRIVATE,
  ED25519_A_PUBLIC,
  RSA_ENC_PRIVATE,
  RSA_ENC_PUBLIC,
  SM2_ENC_PRIVATE,
  SM2_ENC_PUBLIC,
  SM2_SIGN_PRIVATE,
  SM2_SIGN_PUBLIC,
} from './__fixtures__/test-keys.ts';
import { contentDigest, contentSha256 } from './encoding.ts';
import { ENVELOPE_HEADERS } from './headers.ts';
import {
  generateKeyPair,
  type PrivateSigningKey,
  type PublicSigningKey,
  sm2PrivateKey,
  sm2PublicPoint,
  spkiThumbprint,
} from './keys.ts';
import { InMemoryNonceStore } from './nonce-store.ts';
import { decryptPii, encryptPii, PII_SM_ALGORITHM, PiiDecryptionError } from './pii.ts';
import { signRequest, signResponse } from './sign.ts';
import { installSm } from './sm.ts';
import { installSmProvider, SmUnavailableError } from './sm-provider.ts';
import {
  SM2_CURVE,
  sm2PointFromPem,
  sm2PrivateFrom,
  sm2PrivateKeyPem,
  sm2PublicKeyPem,
  sm2SignatureFromDer,
  sm2SignatureToDer,
} from './sm2-format.ts';
import { staticKeyLookup, verifyRequest } from './verify-request.ts';
import { verifyResponse } from './verify-response.ts';

installSm();
afterEach(() => {
  installSm();
});

const NOW = Date.UTC(2026, 0, 1, 8);
const PARTNER = 'lender-sm';
const APPLICANT = { name: '李四', idNumber: '110101199003071234', phone: '13900139000' };

function verify(
  signed: ReturnType<typeof signRequest>,
  keys: readonly PublicSigningKey[] = [SM2_SIGN_PUBLIC],
) {
  return verifyRequest({
    method: 'POST',
    path: '/v1/apply',
    headers: signed.headers,
    body: signed.body,
    keys: staticKeyLookup({ [PARTNER]: keys }),
    nonces: new InMemoryNonceStore(),
    nowMs: NOW,
  });
}

function apply(key: PrivateSigningKey = SM2_SIGN_PRIVATE, requestId = 'req-sm-1') {
  const pii = encryptPii(APPLICANT, SM2_ENC_PUBLIC, { partnerId: PARTNER, requestId });
  return signRequest({
    method: 'POST',
    path: '/v1/apply',
    body: { applicationId: 'app-sm-1', pii },
    partnerId: PARTNER,
    requestId,
    key,
    nowMs: NOW,
  });
}

describe('the SM suite through the envelope', () => {
  it('round-trips a request with SM4 PII and its signed answer between two sides', async () => {
    // Platform side: signs with SM2-SM3 and encrypts for the lender's SM2 key.
    const request = apply();
    expect(request.headers[ENVELOPE_HEADERS.algorithm]).toBe('SM2-SM3');
    expect(request.headers[ENVELOPE_HEADERS.contentSha256]).toBe(contentDigest('SM2-SM3', request.body));
    expect(request.headers[ENVELOPE_HEADERS.contentSha256]).not.toBe(contentSha256(request.body));
    const block = (JSON.parse(request.body) as { pii: Record<string, string> }).pii;
    expect(block).toMatchObject({ alg: PII_SM_ALGORITHM, kid: SM2_ENC_PUBLIC.kid });
    expect(Buffer.from(block.wrappedKey!, 'base64url')).toHaveLength(113);
    expect(Buffer.from(block.iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(block.tag!, 'base64url')).toHaveLength(16);

    // Lender side: verifies, decrypts, answers signed.
    const verdict = await verify(request);
    expect(verdict).toMatchObject({
      ok: true,
      partnerId: PARTNER,
      alg: 'SM2-SM3',
      keyId: SM2_SIGN_PUBLIC.kid,
    });
    const context = { partnerId: PARTNER, requestId: 'req-sm-1' };
    expect(decryptPii(block, SM2_ENC_PRIVATE, context)).toEqual(APPLICANT);
    const answered = { method: 'POST', path: '/v1/apply', partnerId: PARTNER, requestId: 'req-sm-1' };
    const answer = signResponse({
      request: answered,
      status: 200,
      body: { status: 'accepted' },
      key: SM2_SIGN_PRIVATE,
      nowMs: NOW,
    });
    /** The platform's check of the answer, as if it had come with `status`. */
    const checkAs = (status: number) =>
      verifyResponse({
        request: answered,
        status,
        headers: answer.headers,
        body: answer.body,
        keys: [SM2_SIGN_PUBLIC],
        nowMs: NOW,
      });
    expect(checkAs(200)).toMatchObject({ ok: true, alg: 'SM2-SM3' });
    // The status is signed: a 200 cannot become a 409.
    expect(checkAs(409)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('signs randomly: two signatures of one message differ, both verify', async () => {
    // Same clock, nonce and request id each time: only the signature's randomness can differ.
    const signOnce = () =>
      signRequest({
        method: 'GET',
        path: '/v1/x',
        partnerId: PARTNER,
        key: SM2_SIGN_PRIVATE,
        nowMs: NOW,
        nonce: 'AAECAwQFBgcICQoLDA0ODw',
        requestId: 'r',
      });
    const [one, two] = [signOnce(), signOnce()];
    expect(one.canonical).toBe(two.canonical);
    expect(one.headers[ENVELOPE_HEADERS.signature]).not.toBe(two.headers[ENVELOPE_HEADERS.signature]);
    // An empty body is digested with SM3 too.
    expect(one.headers[ENVELOPE_HEADERS.contentSha256]).toBe('GrIdg1XPoX+OYRlIMegajyK+yMco/vt0ftA161CCqis=');
  });

  it('refuses a changed body, a header claiming another algorithm, and a key of another algorithm', async () => {
    const request = apply();
    expect(await verify({ ...request, body: request.body.replace('app-sm-1', 'app-sm-2') })).toMatchObject({
      ok: false,
      code: 'DIGEST_MISMATCH',
    });
    const asEd25519 = {
      ...request,
      headers: { ...request.headers, [ENVELOPE_HEADERS.algorithm]: 'Ed25519' },
    };
    // The digest is recomputed as SHA-256 for Ed25519, so it already fails there.
    expect(await verify(asEd25519)).toMatchObject({ ok: false, code: 'DIGEST_MISMATCH' });
    // An SM2-SM3 message against a key id registered as Ed25519: the key decides, never the header.
    const sameKid = { ...ED25519_A_PUBLIC, kid: SM2_SIGN_PUBLIC.kid };
    expect(await verify(request, [sameKid])).toMatchObject({ ok: false, code: 'UNKNOWN_KEY' });
    // A signature by another SM2 key.
    const other = await generateKeyPair('SM2-SM3', { notBefore: 0, kid: SM2_SIGN_PUBLIC.kid });
    expect(await verify(apply(other.privateKey))).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    // An Ed25519 partner is untouched by all this.
    const ed = signRequest({
      method: 'POST',
      path: '/v1/apply',
      body: {},
      partnerId: PARTNER,
      key: ED25519_A_PRIVATE,
      nowMs: NOW,
    });
    expect(await verify(ed, [ED25519_A_PUBLIC])).toMatchObject({ ok: true, alg: 'Ed25519' });
  });

  it('without an SM provider: signing throws, and SM2-SM3 messages are refused as malformed', async () => {
    const request = apply();
    installSmProvider(undefined);
    expect(() => apply()).toThrow(SmUnavailableError);
    expect(() => encryptPii(APPLICANT, SM2_ENC_PUBLIC, { partnerId: PARTNER, requestId: 'x' })).toThrow(
      SmUnavailableError,
    );
    expect(await verify(request)).toMatchObject({ ok: false, code: 'MALFORMED_ENVELOPE' });
  });
});

describe('SM PII blocks', () => {
  const context = { partnerId: PARTNER, requestId: 'req-pii' };

  it('are fresh every time and bound to their message', () => {
    const a = encryptPii(APPLICANT, SM2_ENC_PUBLIC, context);
    const b = encryptPii(APPLICANT, SM2_ENC_PUBLIC, context);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(() => decryptPii(a, SM2_ENC_PRIVATE, { ...context, requestId: 'req-other' })).toThrow(
      PiiDecryptionError,
    );
    expect(() => decryptPii(a, SM2_ENC_PRIVATE, { ...context, partnerId: 'lender-x' })).toThrow(
      PiiDecryptionError,
    );
  });

  it('open only with the key of their own scheme', async () => {
    const sm = encryptPii(APPLICANT, SM2_ENC_PUBLIC, context);
    const rsa = encryptPii(APPLICANT, RSA_ENC_PUBLIC, context);
    // The alg of the block is authenticated (AAD) and must fit the key named by kid.
    expect(() => decryptPii({ ...sm, alg: 'RSA-OAEP-256+A256GCM' }, SM2_ENC_PRIVATE, context)).toThrow(
      PiiDecryptionError,
    );
    expect(() => decryptPii({ ...rsa, kid: SM2_ENC_PRIVATE.kid }, SM2_ENC_PRIVATE, context)).toThrow(
      PiiDecryptionError,
    );
    // A recipient holding both kinds during a migration opens both.
    const both = [RSA_ENC_PRIVATE, SM2_ENC_PRIVATE];
    expect(decryptPii(sm, both, context)).toEqual(APPLICANT);
    expect(decryptPii(rsa, both, context)).toEqual(APPLICANT);
    // Another SM2 key does not open it.
    const other = await generateKeyPair('SM2', { notBefore: 0, kid: SM2_ENC_PUBLIC.kid });
    expect(() => decryptPii(sm, other.privateKey, context)).toThrow(PiiDecryptionError);
  });

  it('refuse a changed wrapped key, ciphertext or tag with one generic error', () => {
    const block = encryptPii(APPLICANT, SM2_ENC_PUBLIC, context);
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[at]! ^= 1;
      return bytes.toString('base64url');
    };
    for (const changed of [
      { ...block, wrappedKey: flip(block.wrappedKey, 100) }, // C2: another data key
      { ...block, wrappedKey: flip(block.wrappedKey, 70) }, // C3
      { ...block, wrappedKey: flip(block.wrappedKey, 10) }, // C1: off the curve
      { ...block, wrappedKey: Buffer.from(block.wrappedKey, 'base64url').subarray(1).toString('base64url') },
      { ...block, ciphertext: flip(block.ciphertext, 0) },
      { ...block, tag: flip(block.tag, 15) },
    ]) {
      expect(() => decryptPii(changed, SM2_ENC_PRIVATE, context)).toThrow(PiiDecryptionError);
    }
  });
});

describe('SM2 keys and formats', () => {
  it('generates SM2-SM3 and SM2 pairs: SPKI and PKCS#8 on sm2p256v1, kid the thumbprint', async () => {
    const signing = await generateKeyPair('SM2-SM3', { notBefore: NOW });
    expect(signing.publicKey).toMatchObject({
      use: 'signing',
      alg: 'SM2-SM3',
      notBefore: NOW,
      notAfter: null,
    });
    expect(signing.publicKey.kid).toBe(spkiThumbprint(signing.publicKey.publicKeyPem));
    expect(sm2PointFromPem(signing.publicKey.publicKeyPem)).toBeDefined();
    expect(signing.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    const encryption = await generateKeyPair('SM2', { notBefore: NOW });
    expect(encryption.publicKey).toMatchObject({ use: 'encryption', alg: 'SM2' });
    const block = encryptPii({ a: 1 }, encryption.publicKey, { partnerId: PARTNER, requestId: 'r' });
    expect(decryptPii(block, encryption.privateKey, { partnerId: PARTNER, requestId: 'r' })).toEqual({
      a: 1,
    });
  });

  it('reads SM2 keys that Node made (KeyObject and PEM)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const key: PrivateSigningKey = { kid: 'node-sm2', alg: 'SM2-SM3', privateKey };
    const record: PublicSigningKey = {
      use: 'signing',
      kid: 'node-sm2',
      alg: 'SM2-SM3',
      publicKeyPem: pem,
      notBefore: 0,
      notAfter: null,
    };
    expect(Buffer.from(sm2PrivateKey(key).point).equals(Buffer.from(sm2PublicPoint(record)))).toBe(true);
    const signed = signRequest({
      method: 'POST',
      path: '/v1/apply',
      body: {},
      partnerId: PARTNER,
      key,
      nowMs: NOW,
    });
    expect(await verify(signed, [record])).toMatchObject({ ok: true });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(sm2PrivateFrom(pkcs8)?.d).toEqual(sm2PrivateKey(key).d);
  });

  it('refuses keys that are not SM2, off the curve, or whose embedded public key does not match', () => {
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(sm2PointFromPem(ed)).toBeUndefined();
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    expect(sm2PointFromPem(p256.toString())).toBeUndefined();
    const point = Buffer.from(sm2PublicPoint(SM2_SIGN_PUBLIC));
    const offCurve = Buffer.from(point);
    offCurve[64]! ^= 1;
    const spki = Buffer.from(sm2PublicKeyPem(point).split('\n').slice(1, -2).join(''), 'base64');
    spki[spki.length - 1]! ^= 1;
    const offPem = `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`;
    expect(sm2PointFromPem(offPem)).toBeUndefined();
    expect(() => sm2PublicKeyPem(offCurve)).toThrow();
    expect(() => sm2PublicPoint({ ...SM2_SIGN_PUBLIC, publicKeyPem: ed })).toThrow(/SM2/);
    // A PKCS#8 whose [1] public key belongs to another private key.
    const { d } = sm2PrivateKey(SM2_SIGN_PRIVATE);
    const mismatched = sm2PrivateKeyPem(d, sm2PublicPoint(SM2_ENC_PUBLIC));
    expect(() => sm2PrivateKey({ kid: 'm', alg: 'SM2-SM3', privateKey: mismatched })).toThrow(
      /does not match/,
    );
    // d = 0 and d = n − 1 are not SM2 private keys.
    expect(() => sm2PrivateKeyPem(new Uint8Array(32), point)).toThrow();
    const nMinus1 = Buffer.from((SM2_CURVE.n - 1n).toString(16), 'hex');
    expect(() => sm2PrivateKeyPem(nMinus1, point)).toThrow();
  });

  it('decodes signatures strictly: one minimal DER SEQUENCE, r and s in [1, n−1]', () => {
    const rs = Buffer.alloc(64, 0);
    rs[31] = 5;
    rs[63] = 0x80;
    const der = Buffer.from(sm2SignatureToDer(rs));
    expect(der.toString('hex')).toBe('3007020105020200' + '80');
    expect(Buffer.from(sm2SignatureFromDer(der)!).equals(rs)).toBe(true);
    const bad = [
      Buffer.concat([der, Buffer.from([0])]), // trailing byte
      Buffer.from('300702010002020080', 'hex'), // r = 0
      Buffer.from('300802020005020200' + '80', 'hex'), // r not minimal
      Buffer.from('3006020105020180', 'hex'), // s negative
      Buffer.from('3006020105020100', 'hex'), // s = 0
      Buffer.from(`3026022100${SM2_CURVE.n.toString(16)}020101`, 'hex'), // r = n
      Buffer.from('3103020105', 'hex'), // not a SEQUENCE
    ];
    for (const b of bad) expect(sm2SignatureFromDer(b), b.toString('hex')).toBeUndefined();
  });
});
