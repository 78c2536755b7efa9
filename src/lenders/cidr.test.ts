import { describe, expect, it } from 'vitest';
import { cidrContains, isIpAllowed, parseCidr } from './cidr.ts';

function canonical(input: string): string {
  const parsed = parseCidr(input);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.block.text;
}

describe('CIDR allow-list entries', () => {
  it('reads IPv4 and IPv6 blocks into one canonical form', () => {
    expect(canonical('10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(canonical(' 203.0.113.7 ')).toBe('203.0.113.7/32');
    expect(canonical('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(canonical('2001:DB8:0:0::/32')).toBe('2001:db8::/32');
    expect(canonical('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1/128');
    expect(canonical('::1')).toBe('::1/128');
    expect(canonical('::/0')).toBe('::/0');
    expect(canonical('fe80:0:0:0:0:0:0:0/10')).toBe('fe80::/10');
    expect(canonical('::ffff:192.0.2.0/120')).toBe('::ffff:c000:200/120');
    expect(canonical('1:0:0:1:0:0:0:1')).toBe('1:0:0:1::1/128');
    expect(canonical('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1/128');
  });

  it('refuses malformed addresses, prefixes and host bits, saying why', () => {
    const refusals: Record<string, RegExp> = {
      '10.0.0.1/8': /host bits set; the block is 10\.0\.0\.0\/8/,
      '10.0.0.0/33': /at most 32/,
      '2001:db8::1/64': /host bits set; the block is 2001:db8::\/64/,
      '::ffff:192.0.2.1/120': /host bits set; the block is ::ffff:c000:200\/120/,
      '2001:db8::/129': /at most 128/,
      '10.0.0.0/': /malformed prefix/,
      '10.0.0.0/08': /malformed prefix/,
      '10.0.0.0/-1': /malformed prefix/,
      '256.0.0.0/8': /not an IPv4 or IPv6/,
      '010.0.0.0/8': /not an IPv4 or IPv6/,
      '10.0.0/24': /not an IPv4 or IPv6/,
      'fe80::1%eth0': /not an IPv4 or IPv6/,
      'example.com': /not an IPv4 or IPv6/,
      '': /not an IPv4 or IPv6/,
    };
    for (const [input, message] of Object.entries(refusals)) {
      const parsed = parseCidr(input);
      expect(parsed.ok, input).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(message);
    }
  });

  it('matches addresses inside a block only, IPv4-mapped IPv6 included', () => {
    const block = (text: string) => {
      const parsed = parseCidr(text);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.block;
    };
    expect(cidrContains(block('10.1.0.0/16'), '10.1.255.255')).toBe(true);
    expect(cidrContains(block('10.1.0.0/16'), '10.2.0.0')).toBe(false);
    expect(cidrContains(block('10.1.0.0/16'), '::ffff:10.1.2.3')).toBe(true);
    expect(cidrContains(block('2001:db8::/32'), '2001:db8:ffff::1')).toBe(true);
    expect(cidrContains(block('2001:db8::/32'), '2001:db9::1')).toBe(false);
    expect(cidrContains(block('2001:db8::/32'), '10.0.0.1')).toBe(false);
    expect(cidrContains(block('10.0.0.0/8'), 'not-an-ip')).toBe(false);
    expect(cidrContains(block('10.0.0.0/8'), 'fe80::1%eth0')).toBe(false);
    // The same addresses the other way round: an IPv4-mapped block holds the plain IPv4 address.
    expect(cidrContains(block('::ffff:192.0.2.0/120'), '192.0.2.77')).toBe(true);
    expect(cidrContains(block('::ffff:192.0.2.0/120'), '192.0.3.1')).toBe(false);
    expect(cidrContains(block('0.0.0.0/0'), '255.255.255.255')).toBe(true);
    expect(cidrContains(block('::/0'), '2001:db8::1')).toBe(true);
    expect(cidrContains(block('203.0.113.7'), '203.0.113.7')).toBe(true);
    expect(cidrContains(block('203.0.113.7'), '203.0.113.8')).toBe(false);
  });

  it('treats an empty allow-list as no restriction', () => {
    expect(isIpAllowed([], '198.51.100.1')).toBe(true);
    expect(isIpAllowed(['203.0.113.0/24'], '198.51.100.1')).toBe(false);
    expect(isIpAllowed(['203.0.113.0/24', '2001:db8::/32'], '2001:db8::5')).toBe(true);
    expect(isIpAllowed(['203.0.113.0/24'], '::ffff:203.0.113.9')).toBe(true);
    expect(isIpAllowed(['203.0.113.0/24'], 'garbage')).toBe(false);
  });
});
