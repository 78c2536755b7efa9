import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blindIndex,
  blindIndexKey,
  decryptField,
  encryptField,
  newDataKey,
  saltedSha256,
  unwrapDataKey,
  wrapDataKey,
} from './vault-crypto.ts';

describe('vault cryptography', () => {
  const masterKey = randomBytes(32);
  const borrower = randomUUID();

  it('round-trips a field, with a fresh IV each time', () => {
    const key = newDataKey();
    const a = encryptField(key, borrower, 'phone', '13812345678');
    const b = encryptField(key, borrower, 'phone', '13812345678');
    expect(a).not.toBe(b);
    expect(a).not.toContain('13812345678');
    expect(decryptField(key, borrower, 'phone', a)).toBe('13812345678');
  });

  it('binds a ciphertext to its borrower and field: moved anywhere else it does not open', () => {
    const key = newDataKey();
    const sealed = encryptField(key, borrower, 'idNumber', '11010519491231002X');
    expect(() => decryptField(key, borrower, 'phone', sealed)).toThrow();
    expect(() => decryptField(key, randomUUID(), 'idNumber', sealed)).toThrow();
    expect(() => decryptField(newDataKey(), borrower, 'idNumber', sealed)).toThrow();
    const [v, iv, tag, ct] = sealed.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0]! ^= 1;
    expect(() =>
      decryptField(key, borrower, 'idNumber', [v, iv, tag, flipped.toString('base64url')].join('.')),
    ).toThrow();
  });

  it('wraps a data key under the master key, bound to the borrower', () => {
    const key = newDataKey();
    const wrapped = wrapDataKey(masterKey, borrower, key);
    expect(unwrapDataKey(masterKey, borrower, wrapped).equals(key)).toBe(true);
    expect(() => unwrapDataKey(masterKey, randomUUID(), wrapped)).toThrow();
    expect(() => unwrapDataKey(randomBytes(32), borrower, wrapped)).toThrow();
  });

  it('blind indexes are deterministic, keyed, and separate per field', () => {
    const indexKey = blindIndexKey(masterKey);
    expect(indexKey.equals(masterKey)).toBe(false);
    const phone = blindIndex(indexKey, 'phone', '13812345678');
    expect(phone).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndex(indexKey, 'phone', '13812345678')).toBe(phone);
    expect(blindIndex(blindIndexKey(randomBytes(32)), 'phone', '13812345678')).not.toBe(phone);
    expect(blindIndex(indexKey, 'idNumber', '13812345678')).not.toBe(phone);
    // Without the key, a plain hash of the value does not find it.
    expect(createHash('sha256').update('13812345678').digest('hex')).not.toBe(phone);
  });

  it('salted SHA-256 is SHA-256 of salt ‖ value, lower-case hex, different per salt (property)', () => {
    expect(saltedSha256('s1', '13812345678')).toBe(
      createHash('sha256').update('s113812345678').digest('hex'),
    );
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (a, b, value) => {
        fc.pre(a !== b);
        expect(saltedSha256(a, value)).toMatch(/^[0-9a-f]{64}$/);
        if (a.length === b.length) expect(saltedSha256(a, value)).not.toBe(saltedSha256(b, value));
      }),
    );
  });
});
