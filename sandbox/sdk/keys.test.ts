import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ED25519_A_PUBLIC,
  RSA_ENC_2_PUBLIC,
  RSA_ENC_PUBLIC,
  RSA_SIGN_PUBLIC,
} from './__fixtures__/test-keys.ts';
import {
  findSigningKey,
  generateKeyPair,
  isKeyValidAt,
  type PrivateSigningKey,
  privateKeyObject,
  publicKeyObject,
  selectEncryptionKey,
  spkiThumbprint,
} from './keys.ts';
import { decryptPii, encryptPii } from './pii.ts';
import { signRequest } from './sign.ts';

const T = Date.UTC(2026, 5, 1);

describe('generateKeyPair', () => {
  it('makes an Ed25519 signing pair whose default kid is the SPKI thumbprint', async () => {
    const pair = await generateKeyPair('Ed25519', { notBefore: T });
    expect(pair.publicKey).toMatchObject({ use: 'signing', alg: 'Ed25519', notBefore: T, notAfter: null });
    expect(pair.publicKey.kid).toBe(spkiThumbprint(pair.publicKey.publicKeyPem));
    expect(pair.publicKey.kid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(pair.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(publicKeyObject(pair.publicKey).asymmetricKeyType).toBe('ed25519');
  });

  it('makes an RSA encryption pair that round-trips PII', async () => {
    const pair = await generateKeyPair('RSA-OAEP-256', {
      kid: 'enc-1',
      modulusLength: 2048,
      notBefore: T,
      notAfter: T + 1,
    });
    expect(pair.publicKey).toMatchObject({
      use: 'encryption',
      kid: 'enc-1',
      alg: 'RSA-OAEP-256',
      notAfter: T + 1,
    });
    const context = { partnerId: 'p', requestId: 'r' };
    expect(decryptPii(encryptPii({ a: 1 }, pair.publicKey, context), pair.privateKey, context)).toEqual({
      a: 1,
    });
  });

  it('refuses RSA keys under 2048 bits', async () => {
    await expect(generateKeyPair('RSA-SHA256', { modulusLength: 1024, notBefore: T })).rejects.toThrow(
      /2048/,
    );
  });
});

describe('key checks', () => {
  it('refuses to use a 1024-bit RSA key for signing', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const key: PrivateSigningKey = { kid: 'weak', alg: 'RSA-SHA256', privateKey: weak.privateKey };
    expect(() => privateKeyObject(key)).toThrow(/2048/);
    expect(() => signRequest({ method: 'GET', path: '/', partnerId: 'p', key, nowMs: T })).toThrow(/2048/);
  });

  it('refuses a key whose type does not match its algorithm', () => {
    expect(() => publicKeyObject({ ...RSA_SIGN_PUBLIC, alg: 'Ed25519' })).toThrow(/ed25519/);
    expect(() => publicKeyObject({ ...ED25519_A_PUBLIC, alg: 'RSA-SHA256' })).toThrow(/rsa/);
  });

  it('refuses a public key passed as a private key', () => {
    const pub = publicKeyObject(ED25519_A_PUBLIC);
    expect(() => privateKeyObject({ kid: 'x', alg: 'Ed25519', privateKey: pub })).toThrow(/private/);
  });

  it('treats validity as [notBefore, notAfter)', () => {
    const key = { ...ED25519_A_PUBLIC, notBefore: 100, notAfter: 200 };
    expect([99, 100, 199, 200].map((t) => isKeyValidAt(key, t))).toEqual([false, true, true, false]);
    expect(isKeyValidAt({ ...key, notAfter: null }, Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('finds a signing key only by kid, use and validity', () => {
    const set = [RSA_ENC_PUBLIC, ED25519_A_PUBLIC];
    const now = ED25519_A_PUBLIC.notBefore;
    expect(findSigningKey(set, ED25519_A_PUBLIC.kid, now)).toBe(ED25519_A_PUBLIC);
    expect(findSigningKey(set, RSA_ENC_PUBLIC.kid, now)).toBeUndefined();
    expect(findSigningKey(set, ED25519_A_PUBLIC.kid, now - 1)).toBeUndefined();
  });

  it('selects the newest valid encryption key, so senders move to a rotated key at once', () => {
    const old = { ...RSA_ENC_PUBLIC, notBefore: 0, notAfter: 1000 };
    const fresh = { ...RSA_ENC_2_PUBLIC, notBefore: 500, notAfter: null };
    const set = [ED25519_A_PUBLIC, old, fresh];
    expect(selectEncryptionKey(set, 400)).toBe(old);
    expect(selectEncryptionKey(set, 600)).toBe(fresh);
    expect(selectEncryptionKey([ED25519_A_PUBLIC, old], 1000)).toBeUndefined();
  });
});
