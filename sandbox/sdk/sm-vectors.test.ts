import { createCipheriv, createHash } from 'node:crypto';
import { sm2, sm4 } from 'sm-crypto-v2';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SM2_ENCRYPTION_VECTOR,
  SM2_SIGNATURE_VECTOR,
  SM3_VECTORS,
  SM4_GCM_VECTOR,
  SM4_VECTORS,
} from './__fixtures__/sm-vectors.ts';
import { SM2_SIGN_PRIVATE, SM2_SIGN_PUBLIC } from './__fixtures__/test-keys.ts';
import { contentDigest } from './encoding.ts';
import { sm2PrivateKey, sm2PublicPoint } from './keys.ts';
import { signCanonical, verifyCanonical } from './signature.ts';
import { createSmCryptoV2Provider, installSm, smCryptoV2Provider as sm } from './sm.ts';
import { installSmProvider, SM2_DEFAULT_USER_ID } from './sm-provider.ts';
import { SM2_CURVE, sm2SignatureFromDer, sm2SignatureToDer } from './sm2-format.ts';

// The standards' own examples, through the provider the SDK installs (sm.ts) and through the SDK's
// format code. Node's OpenSSL recomputes what it can (SM3, SM4 block) as a second implementation.
installSm();
afterEach(() => {
  installSm();
});

const hex = (text: string) => Buffer.from(text, 'hex');
const upper = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').toUpperCase();

describe('SM3 (GB/T 32905-2016 Annex A)', () => {
  for (const vector of SM3_VECTORS) {
    it(`${vector.source}: ${vector.messageAscii.slice(0, 8)}… → ${vector.digest.slice(0, 8)}…`, () => {
      const message = Buffer.from(vector.messageAscii, 'ascii');
      expect(upper(sm.sm3(message))).toBe(vector.digest);
      expect(createHash('sm3').update(message).digest('hex').toUpperCase()).toBe(vector.digest);
      // The envelope's content digest for SM2-SM3 is that SM3, standard base64.
      expect(contentDigest('SM2-SM3', vector.messageAscii)).toBe(hex(vector.digest).toString('base64'));
    });
  }
});

describe('SM4 (GB/T 32907-2016 Annex A)', () => {
  const key = hex(SM4_VECTORS.key);

  it('example 1: one block, key = plaintext → 681EDF34…', () => {
    const out = sm4.encrypt(hex(SM4_VECTORS.plaintext), key, { padding: 'none', output: 'array' });
    expect(upper(out)).toBe(SM4_VECTORS.ciphertext);
    const node = createCipheriv('sm4-ecb', key, null)
      .setAutoPadding(false)
      .update(hex(SM4_VECTORS.plaintext));
    expect(upper(node)).toBe(SM4_VECTORS.ciphertext);
  });

  it('example 2: 1 000 000 encryptions → 595298C7…', { timeout: 60_000 }, () => {
    let block: Uint8Array = hex(SM4_VECTORS.plaintext);
    for (let i = 0; i < SM4_VECTORS.iterations; i++)
      block = sm4.encrypt(block, key, { padding: 'none', output: 'array' });
    expect(upper(block)).toBe(SM4_VECTORS.ciphertextAfterIterations);
  });
});

describe('SM4-GCM (RFC 8998 Appendix A.1)', () => {
  const v = SM4_GCM_VECTOR;

  it('encrypts to the published ciphertext and tag, and decrypts back', () => {
    const { ciphertext, tag } = sm.sm4GcmEncrypt(hex(v.key), hex(v.iv), hex(v.plaintext), hex(v.aad));
    expect(upper(ciphertext)).toBe(v.ciphertext);
    expect(upper(tag)).toBe(v.tag);
    expect(upper(sm.sm4GcmDecrypt(hex(v.key), hex(v.iv), hex(v.ciphertext), hex(v.aad), hex(v.tag)))).toBe(
      v.plaintext,
    );
  });

  it('refuses a changed tag, ciphertext or AAD, and a missing or short tag', () => {
    const flip = (text: string, i = 0) => {
      const b = hex(text);
      b[i]! ^= 1;
      return b;
    };
    const [key, iv] = [hex(v.key), hex(v.iv)];
    expect(() => sm.sm4GcmDecrypt(key, iv, hex(v.ciphertext), hex(v.aad), flip(v.tag))).toThrow();
    expect(() => sm.sm4GcmDecrypt(key, iv, flip(v.ciphertext, 40), hex(v.aad), hex(v.tag))).toThrow();
    expect(() => sm.sm4GcmDecrypt(key, iv, hex(v.ciphertext), flip(v.aad, 19), hex(v.tag))).toThrow();
    expect(() => sm.sm4GcmDecrypt(key, iv, hex(v.ciphertext), hex(v.aad), new Uint8Array(0))).toThrow();
    expect(() =>
      sm.sm4GcmDecrypt(key, iv, hex(v.ciphertext), hex(v.aad), hex(v.tag).subarray(0, 8)),
    ).toThrow();
  });
});

describe('SM2 signature (GM/T 0003.5-2012 Annex A, recommended curve)', () => {
  const v = SM2_SIGNATURE_VECTOR;
  const d = hex(v.privateKey);
  const point = hex(`04${v.publicKeyX}${v.publicKeyY}`);

  it('derives the public key from d, and reads the same key from the test PEMs', () => {
    expect(upper(sm.sm2PublicKeyOf(d))).toBe(`04${v.publicKeyX}${v.publicKeyY}`);
    expect(upper(sm2PublicPoint(SM2_SIGN_PUBLIC))).toBe(`04${v.publicKeyX}${v.publicKeyY}`);
    expect(upper(sm2PrivateKey(SM2_SIGN_PRIVATE).d)).toBe(v.privateKey);
  });

  it('Z and e with the default user id 1234567812345678 (recomputed with Node’s SM3)', () => {
    expect(SM2_DEFAULT_USER_ID).toBe(v.userIdAscii);
    const coordinate = (n: bigint) => hex(n.toString(16).padStart(64, '0'));
    const id = Buffer.from(v.userIdAscii, 'ascii');
    const entl = Buffer.from([(id.length * 8) >> 8, (id.length * 8) & 0xff]);
    const z = createHash('sm3')
      .update(
        Buffer.concat([
          entl,
          id,
          coordinate(SM2_CURVE.a),
          coordinate(SM2_CURVE.b),
          coordinate(SM2_CURVE.gx),
          coordinate(SM2_CURVE.gy),
          point.subarray(1),
        ]),
      )
      .digest();
    expect(upper(z)).toBe(v.z);
    expect(upper(sm2.getZ(`04${v.publicKeyX}${v.publicKeyY}`, v.userIdAscii))).toBe(v.z);
    const e = createHash('sm3')
      .update(Buffer.concat([z, Buffer.from(v.messageAscii, 'ascii')]))
      .digest();
    expect(upper(e)).toBe(v.e);
  });

  it('signs "message digest" with the given k to the published (r, s)', () => {
    const fixedK = createSmCryptoV2Provider({ nonce: () => BigInt(`0x${v.k}`) });
    const rs = fixedK.sm2Sign(d, point, Buffer.from(v.messageAscii, 'ascii'), v.userIdAscii);
    expect(upper(rs)).toBe(v.r + v.s);
    // The envelope's own signing path, DER-encoded: the same r and s.
    installSmProvider(fixedK);
    const der = Buffer.from(signCanonical(SM2_SIGN_PRIVATE, v.messageAscii), 'base64');
    expect(upper(sm2SignatureFromDer(der)!)).toBe(v.r + v.s);
  });

  it('verifies the published (r, s), in the provider and through the envelope verifier', () => {
    const rs = hex(v.r + v.s);
    expect(sm.sm2Verify(point, Buffer.from(v.messageAscii, 'ascii'), rs, v.userIdAscii)).toBe(true);
    expect(sm.sm2Verify(point, Buffer.from('message digesT', 'ascii'), rs, v.userIdAscii)).toBe(false);
    // Another user id gives another Z, so the same signature fails.
    expect(sm.sm2Verify(point, Buffer.from(v.messageAscii, 'ascii'), rs, '1234567812345679')).toBe(false);
    expect(verifyCanonical(SM2_SIGN_PUBLIC, v.messageAscii, sm2SignatureToDer(rs))).toBe(true);
    expect(verifyCanonical(SM2_SIGN_PUBLIC, `${v.messageAscii}.`, sm2SignatureToDer(rs))).toBe(false);
  });
});

describe('SM2 encryption (GM/T 0003.5-2012 Annex C, recommended curve)', () => {
  const v = SM2_ENCRYPTION_VECTOR;

  it('decrypts the published C1 || C3 || C2 to "encryption standard"', () => {
    const plain = sm.sm2Decrypt(hex(v.privateKey), hex(v.c1 + v.c3 + v.c2));
    expect(Buffer.from(plain).toString('ascii')).toBe(v.messageAscii);
  });

  it('refuses it with C3 changed or in the old C1 || C2 || C3 order', () => {
    const changed = hex(v.c1 + v.c3 + v.c2);
    changed[70]! ^= 1;
    expect(() => sm.sm2Decrypt(hex(v.privateKey), changed)).toThrow();
    expect(() => sm.sm2Decrypt(hex(v.privateKey), hex(v.c1 + v.c2 + v.c3))).toThrow();
  });

  it('round-trips its own ciphertexts, C1 an uncompressed point and C3 in the middle', () => {
    const point = sm.sm2PublicKeyOf(hex(v.privateKey));
    const ct = sm.sm2Encrypt(point, Buffer.from(v.messageAscii, 'ascii'));
    expect(ct.length).toBe(65 + 32 + v.messageAscii.length);
    expect(ct[0]).toBe(0x04);
    expect(Buffer.from(sm.sm2Decrypt(hex(v.privateKey), ct)).toString('ascii')).toBe(v.messageAscii);
  });
});
