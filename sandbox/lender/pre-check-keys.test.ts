import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CustomerIndex, customerProblems, parsePreCheckKeys } from './pre-check-keys.ts';

/** HMAC-SHA256 built from SHA-256 by hand (RFC 2104), independent of the code under test. */
function hmacByHand(key: Buffer, message: string): string {
  const block = Buffer.concat([key, Buffer.alloc(64 - key.length)]);
  const pad = (byte: number) => Buffer.from(block.map((b) => b ^ byte));
  const inner = createHash('sha256').update(pad(0x36)).update(message, 'utf8').digest();
  return createHash('sha256').update(pad(0x5c)).update(inner).digest('hex');
}

const PHONE = '13800138000';
const ID_NUMBER = '11010119900307123X';
const NOW = Date.UTC(2026, 5, 1, 12);

describe('pre-check keys and existing customers', () => {
  const current = { keyId: 'pck_new', secret: randomBytes(32), retiresAt: null };
  const retiring = { keyId: 'pck_old', secret: randomBytes(32), retiresAt: NOW + 60_000 };
  const index = new CustomerIndex([PHONE, ID_NUMBER.toLowerCase()], [current, retiring]);
  const request = (
    key: { keyId: string; secret: Buffer },
    phone: string,
    idNumber = '110101199001011234',
  ) => ({
    hashKeyId: key.keyId,
    phoneHmac: hmacByHand(key.secret, phone),
    idNumberHmac: hmacByHand(key.secret, idNumber),
  });

  it('recognises a customer by the HMAC of their phone or id number under any valid key', () => {
    expect(index.recognise(request(current, PHONE), NOW)).toEqual({ keyKnown: true, existingCustomer: true });
    expect(index.recognise(request(retiring, PHONE), NOW)).toEqual({
      keyKnown: true,
      existingCustomer: true,
    });
    // By id number alone (upper-case X, as the protocol hashes it).
    expect(index.recognise(request(current, '13900000000', ID_NUMBER), NOW).existingCustomer).toBe(true);
    expect(index.recognise(request(current, '13900000000'), NOW)).toEqual({
      keyKnown: true,
      existingCustomer: false,
    });
  });

  it('does not take hashes under another key for its customers', () => {
    // The right key id with hashes under another secret: not a customer.
    const forged = { keyId: current.keyId, secret: randomBytes(32) };
    expect(index.recognise(request(forged, PHONE), NOW).existingCustomer).toBe(false);
  });

  it('refuses an unknown key id, and a key past its retirement time', () => {
    expect(index.recognise(request({ keyId: 'pck_nobody', secret: current.secret }, PHONE), NOW)).toEqual({
      keyKnown: false,
      existingCustomer: false,
    });
    expect(index.recognise(request(retiring, PHONE), NOW + 60_000)).toEqual({
      keyKnown: false,
      existingCustomer: false,
    });
    expect(index.recognise(request(current, PHONE), NOW + 365 * 86_400_000).keyKnown).toBe(true);
  });

  it('parses the configured keys and names problems without echoing a secret', () => {
    const secret = randomBytes(32).toString('base64');
    const problems: string[] = [];
    const keys = parsePreCheckKeys(
      [
        { keyId: 'pck_a', secret },
        { keyId: 'pck_b', secret, retiresAt: '2026-07-01T00:00:00Z' },
      ],
      'preCheckKeys',
      problems,
    );
    expect(problems).toEqual([]);
    expect(keys.map((k) => [k.keyId, k.secret.length, k.retiresAt])).toEqual([
      ['pck_a', 32, null],
      ['pck_b', 32, Date.parse('2026-07-01T00:00:00Z')],
    ]);
    const short = randomBytes(16).toString('base64');
    const bad: string[] = [];
    parsePreCheckKeys(
      [{ keyId: 'a b', secret: short }, { keyId: 'pck_c', secret, retiresAt: 'soon' }, 'x'],
      'lenders[0].preCheckKeys',
      bad,
    );
    expect(bad).toEqual([
      'lenders[0].preCheckKeys[0].keyId: must match [A-Za-z0-9._-]{1,64}',
      "lenders[0].preCheckKeys[0].secret: must be base64 of 32 bytes (as the platform's operator handed it over)",
      'lenders[0].preCheckKeys[1].retiresAt: must be an ISO 8601 date-time',
      'lenders[0].preCheckKeys[2].keyId: must match [A-Za-z0-9._-]{1,64}',
      "lenders[0].preCheckKeys[2].secret: must be base64 of 32 bytes (as the platform's operator handed it over)",
    ]);
    expect(bad.join('\n')).not.toContain(short);
    expect(customerProblems([PHONE, ID_NUMBER], 'c')).toEqual([]);
    expect(customerProblems(['a'.repeat(64)], 'c')).toHaveLength(1);
  });
});
