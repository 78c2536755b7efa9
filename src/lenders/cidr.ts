/**
 * IP allow-list entries: CIDR blocks in IPv4 or IPv6, parsed, checked and written in one canonical
 * form (a bare address is a /32 or /128; IPv6 per RFC 5952). Pure; node:net only checks syntax.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface CidrBlock {
  readonly version: 4 | 6;
  /** The network address as an integer (host bits are zero). */
  readonly network: bigint;
  readonly prefix: number;
  /** Canonical text, e.g. `10.0.0.0/8`, `2001:db8::/32`. */
  readonly text: string;
}

export type CidrParse =
  | { readonly ok: true; readonly block: CidrBlock }
  | { readonly ok: false; readonly message: string };

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function ipv6ToBigInt(address: string): bigint {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToBigInt(v4[1]!);
    text = `${text.slice(0, v4.index)}${((n >> 16n) & 0xffffn).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups =
    tail === undefined ? headGroups : [...headGroups, ...Array(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function bigIntToIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (at least two) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Parses one allow-list entry. Host bits must be zero: `10.0.0.1/8` is refused, not widened. */
export function parseCidr(input: string): CidrParse {
  const text = input.trim();
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const version = isIPv4(address) ? 4 : isIPv6(address) && !address.includes('%') ? 6 : undefined;
  if (version === undefined)
    return { ok: false, message: `"${input}" is not an IPv4 or IPv6 address or CIDR block` };
  const bits = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) {
    return { ok: false, message: `"${input}" has a malformed prefix length` };
  }
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return { ok: false, message: `"${input}": the prefix length must be at most ${bits}` };
  const value = version === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const network = value & ~hostMask;
  const format = version === 4 ? bigIntToIpv4 : bigIntToIpv6;
  if ((value & hostMask) !== 0n) {
    return { ok: false, message: `"${input}" has host bits set; the block is ${format(network)}/${prefix}` };
  }
  return { ok: true, block: { version, network, prefix, text: `${format(network)}/${prefix}` } };
}

/** Whether `ip` (a bare address) lies inside `block`. IPv4-mapped IPv6 addresses match IPv4 blocks. */
export function cidrContains(block: CidrBlock, ip: string): boolean {
  let version: 4 | 6;
  let value: bigint;
  if (isIPv4(ip)) {
    version = 4;
    value = ipv4ToBigInt(ip);
  } else if (isIPv6(ip) && !ip.includes('%')) {
    value = ipv6ToBigInt(ip);
    const mapped = value >> 32n === 0xffffn;
    version = mapped ? 4 : 6;
    if (mapped) value &= 0xffffffffn;
  } else {
    return false;
  }
  if (version !== block.version) return false;
  const bits = version === 4 ? 32 : 128;
  const hostMask = (1n << BigInt(bits - block.prefix)) - 1n;
  return (value & ~hostMask) === block.network;
}

/**
 * Whether a caller at `ip` may reach us as this partner. An empty allow-list means no restriction
 * (the list is optional, PROTOCOL.md); entries are canonical texts as stored.
 */
export function isIpAllowed(allowList: readonly string[], ip: string): boolean {
  if (allowList.length === 0) return true;
  return allowList.some((entry) => {
    const parsed = parseCidr(entry);
    return parsed.ok && cidrContains(parsed.block, ip);
  });
}
