/**
 * IP allow-list entries: CIDR blocks in IPv4 or IPv6, parsed, checked and written in one canonical
 * form (a bare address is a /32 or /128; IPv6 as the WHATWG URL host serializer writes it, the
 * RFC 5952 compression). Matching is node:net's `BlockList`, which also matches IPv4-mapped IPv6
 * addresses against IPv4 blocks.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

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

/** The IP version of a bare address, or undefined (zone ids such as `%eth0` are refused). */
function versionOf(address: string): 4 | 6 | undefined {
  if (isIPv4(address)) return 4;
  return isIPv6(address) && !address.includes('%') ? 6 : undefined;
}

/** An address as an integer; the URL parser expands IPv6 (and its IPv4 tail) into hex groups. */
function toBigInt(address: string, version: 4 | 6): bigint {
  if (version === 4) return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(part), 0n);
  const [head = '', tail = ''] = canonicalIpv6(address).split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce(
    (acc, group) => (acc << 16n) | BigInt(`0x${group}`),
    0n,
  );
}

function canonicalIpv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

function toText(value: bigint, version: 4 | 6): string {
  const parts = version === 4 ? 4 : 8;
  const width = version === 4 ? 8n : 16n;
  const groups = Array.from({ length: parts }, (_, i) =>
    Number((value >> (BigInt(parts - 1 - i) * width)) & ((1n << width) - 1n)),
  );
  return version === 4 ? groups.join('.') : canonicalIpv6(groups.map((g) => g.toString(16)).join(':'));
}

/** Parses one allow-list entry. Host bits must be zero: `10.0.0.1/8` is refused, not widened. */
export function parseCidr(input: string): CidrParse {
  const text = input.trim();
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const version = versionOf(address);
  if (version === undefined)
    return { ok: false, message: `"${input}" is not an IPv4 or IPv6 address or CIDR block` };
  const bits = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) {
    return { ok: false, message: `"${input}" has a malformed prefix length` };
  }
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return { ok: false, message: `"${input}": the prefix length must be at most ${bits}` };
  const value = toBigInt(address, version);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const network = value & ~hostMask;
  if ((value & hostMask) !== 0n) {
    return {
      ok: false,
      message: `"${input}" has host bits set; the block is ${toText(network, version)}/${prefix}`,
    };
  }
  return { ok: true, block: { version, network, prefix, text: `${toText(network, version)}/${prefix}` } };
}

/** A `BlockList` holding these blocks. */
export function blockListOf(blocks: readonly CidrBlock[]): BlockList {
  const list = new BlockList();
  for (const block of blocks) {
    const [network = ''] = block.text.split('/');
    list.addSubnet(network, block.prefix, block.version === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

function matches(list: BlockList, ip: string): boolean {
  const version = versionOf(ip);
  return version !== undefined && list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}

/** Whether `ip` (a bare address) lies inside `block`. IPv4-mapped IPv6 addresses match IPv4 blocks. */
export function cidrContains(block: CidrBlock, ip: string): boolean {
  return matches(blockListOf([block]), ip);
}

/**
 * Whether a caller at `ip` may reach us as this partner. An empty allow-list means no restriction
 * (the list is optional, PROTOCOL.md); entries are canonical texts as stored.
 */
export function isIpAllowed(allowList: readonly string[], ip: string): boolean {
  if (allowList.length === 0) return true;
  const blocks = allowList.flatMap((entry) => {
    const parsed = parseCidr(entry);
    return parsed.ok ? [parsed.block] : [];
  });
  return matches(blockListOf(blocks), ip);
}
