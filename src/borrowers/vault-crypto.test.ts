import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blindIndex,
  blindIndexKey,
  decryptField,
  encryptField,
  newDataKey,
  preCheckHmac,
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

  it('pre-check hashes are HMAC-SHA256 (RFC 2104) under the partner key, lower-case hex', () => {
    // RFC 4231 test case 2 (key "Jefe"), independent of any implementation.
    expect(preCheckHmac(Buffer.from('Jefe'), 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    // And equal to HMAC built by hand from SHA-256, as a lender written from the docs would.
    const byHand = (key: Buffer, message: string) => {
      const block = Buffer.concat([key, Buffer.alloc(64 - key.length)]);
      const pad = (byte: number) => Buffer.from(block.map((b) => b ^ byte));
      const inner = createHash('sha256').update(pad(0x36)).update(message, 'utf8').digest();
      return createHash('sha256').update(pad(0x5c)).update(inner).digest('hex');
    };
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string(), (bytes, value) => {
        const key = Buffer.from(bytes);
        expect(preCheckHmac(key, value)).toBe(byHand(key, value));
        expect(preCheckHmac(key, value)).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
    // Another partner's key gives another hash: hashes cannot be joined across partners.
    expect(preCheckHmac(randomBytes(32), '13812345678')).not.toBe(
      preCheckHmac(randomBytes(32), '13812345678'),
    );
    // The test vector of docs/protocol.md (pre-check), read from the page.
    const page = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const vector =
      /base64\s+`([A-Za-z0-9+/=]+)`\), phone `(\d{11})` →\s+`([0-9a-f]{64})`; id number\s+`([0-9X]{18})` → `([0-9a-f]{64})`/.exec(
        page,
      );
    expect(vector, 'the pre-check test vector in docs/protocol.md').not.toBeNull();
    const [, keyBase64, phone, phoneHmac, idNumber, idNumberHmac] = vector!;
    const docKey = Buffer.from(keyBase64!, 'base64');
    expect(docKey).toEqual(Buffer.from(Array.from({ length: 32 }, (_, i) => i)));
    expect(preCheckHmac(docKey, phone!)).toBe(phoneHmac);
    expect(preCheckHmac(docKey, idNumber!)).toBe(idNumberHmac);
    // And an unkeyed hash of the phone is not it (the old public-salt form could be brute-forced).
    const key = randomBytes(32);
    expect(preCheckHmac(key, '13812345678')).not.toBe(
      createHash('sha256').update('13812345678').digest('hex'),
    );
  });
});
