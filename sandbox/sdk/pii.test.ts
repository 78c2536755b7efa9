import { describe, expect, it } from 'vitest';
import { FULL_APPLICANT as PII } from './__fixtures__/applicant.ts';
import {
  ED25519_A_PUBLIC,
  RSA_ENC_2_PRIVATE,
  RSA_ENC_2_PUBLIC,
  RSA_ENC_PRIVATE,
  RSA_ENC_PUBLIC,
} from './__fixtures__/test-keys.ts';
import { fromBase64Url, toBase64Url } from './encoding.ts';
import { decryptPii, type EncryptedPii, encryptPii, PII_ALGORITHM, PiiDecryptionError } from './pii.ts';

const CONTEXT = { partnerId: 'lender-demo', requestId: 'req-1' };

function flipByte(text: string, index = 0): string {
  const bytes = Buffer.from(fromBase64Url(text)!);
  bytes[index]! ^= 0x01;
  return toBase64Url(bytes);
}

describe('PII encryption', () => {
  it('round-trips a JSON value, including non-ASCII text', () => {
    const block = encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT);
    expect(block.alg).toBe(PII_ALGORITHM);
    expect(block.kid).toBe(RSA_ENC_PUBLIC.kid);
    expect(decryptPii(block, RSA_ENC_PRIVATE, CONTEXT)).toEqual(PII);
  });

  it('uses a 96-bit IV, a 128-bit tag and a 2048-bit wrapped key, all base64url', () => {
    const block = encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT);
    expect(fromBase64Url(block.iv)).toHaveLength(12);
    expect(fromBase64Url(block.tag)).toHaveLength(16);
    expect(fromBase64Url(block.wrappedKey)).toHaveLength(256);
    expect(JSON.stringify(block)).not.toContain('110101199003071234');
  });

  it('gives different ciphertexts, IVs and wrapped keys for the same data', () => {
    const a = encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT);
    const b = encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.iv).not.toBe(b.iv);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
  });

  it.each(['ciphertext', 'tag', 'iv', 'wrappedKey'] as const)('rejects a tampered %s', (field) => {
    const block = encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT);
    const tampered: EncryptedPii = { ...block, [field]: flipByte(block[field]) };
    expect(() => decryptPii(tampered, RSA_ENC_PRIVATE, CONTEXT)).toThrow(PiiDecryptionError);
  });

  it('rejects a block moved into another message (different request id or partner)', () => {
    const block = encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT);
    expect(() => decryptPii(block, RSA_ENC_PRIVATE, { ...CONTEXT, requestId: 'req-2' })).toThrow(
      PiiDecryptionError,
    );
    expect(() => decryptPii(block, RSA_ENC_PRIVATE, { ...CONTEXT, partnerId: 'lender-x' })).toThrow(
      PiiDecryptionError,
    );
  });

  it('rejects a truncated tag instead of checking fewer bits', () => {
    const block = encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT);
    const short = toBase64Url(fromBase64Url(block.tag)!.subarray(0, 4));
    expect(() => decryptPii({ ...block, tag: short }, RSA_ENC_PRIVATE, CONTEXT)).toThrow(PiiDecryptionError);
  });

  it('rejects a block whose kid was rewritten, even when the holder has that key', () => {
    const block = encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT);
    const relabeled = { ...block, kid: RSA_ENC_2_PRIVATE.kid };
    const both = [RSA_ENC_PRIVATE, { ...RSA_ENC_2_PRIVATE, privateKey: RSA_ENC_PRIVATE.privateKey }];
    expect(() => decryptPii(relabeled, both, CONTEXT)).toThrow(PiiDecryptionError);
  });

  it('decrypts with whichever held key the block names, across a rotation', () => {
    const old = encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT);
    const fresh = encryptPii(PII, RSA_ENC_2_PUBLIC, CONTEXT);
    const held = [RSA_ENC_PRIVATE, RSA_ENC_2_PRIVATE];
    expect(decryptPii(old, held, CONTEXT)).toEqual(PII);
    expect(decryptPii(fresh, held, CONTEXT)).toEqual(PII);
    expect(() => decryptPii(fresh, RSA_ENC_PRIVATE, CONTEXT)).toThrow(/do not hold/);
  });

  it('rejects the wrong private key under the right kid', () => {
    const block = encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT);
    const wrong = { ...RSA_ENC_2_PRIVATE, kid: RSA_ENC_PRIVATE.kid };
    expect(() => decryptPii(block, wrong, CONTEXT)).toThrow(PiiDecryptionError);
  });

  it.each([
    ['not an object', 'abc'],
    ['null', null],
    ['another algorithm', { alg: 'A256ECB' }],
    ['a field that is not base64url', { ...encryptPii(PII, RSA_ENC_PUBLIC, CONTEXT), iv: '***' }],
  ])('rejects %s', (_label, block) => {
    expect(() => decryptPii(block, RSA_ENC_PRIVATE, CONTEXT)).toThrow(PiiDecryptionError);
  });

  it('refuses an encryption key record that holds an Ed25519 key, which cannot encrypt', () => {
    const ed = { ...RSA_ENC_PUBLIC, publicKeyPem: ED25519_A_PUBLIC.publicKeyPem };
    expect(() => encryptPii(PII, ed, CONTEXT)).toThrow(/needs an rsa key/);
  });
});
