import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seal, unseal } from './seal.ts';

describe('seal', () => {
  const key = randomBytes(32);

  it('round-trips and never repeats a ciphertext', () => {
    const a = seal(key, 'platform-key', 'secret pem');
    expect(unseal(key, 'platform-key', a)).toBe('secret pem');
    expect(seal(key, 'platform-key', 'secret pem')).not.toBe(a);
    expect(a).not.toContain('secret');
  });

  it('refuses another purpose, another key, or a tampered value', () => {
    const sealed = seal(key, 'platform-key', 'secret pem');
    expect(() => unseal(key, 'other-purpose', sealed)).toThrow();
    expect(() => unseal(randomBytes(32), 'platform-key', sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x').toString('base64url') + parts[3]!.slice(2);
    expect(() => unseal(key, 'platform-key', parts.join('.'))).toThrow();
  });
});
