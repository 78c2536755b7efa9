/**
 * The whitelist CSV format, as pure functions over parsed records (src/shared/csv.ts reads the
 * CSV): a header naming the key type, then one entry per record — key, segment, optional
 * pre-approved limit in fen. Every rule gives a message a person can act on, reported with the
 * line number by the importer.
 */
import { CHANNEL_USER_ID_PATTERN } from '../channels/model.ts';
import type { WhitelistKeyType } from './tables.ts';

export const WHITELIST_KEY_TYPES = [
  'channel_user_id',
  'phone_sha256',
] as const satisfies readonly WhitelistKeyType[];
export const SEGMENT_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** A sanity bound, not a credit policy: 100,000,000 yuan. */
export const MAX_LIMIT_FEN = 10_000_000_000;
/** No valid record is longer; a longer one is refused without being kept in memory. */
export const MAX_LINE_LENGTH = 1024;

const PHONE_SHA256 = /^[0-9a-fA-F]{64}$/;
const LIMIT = /^[1-9][0-9]{0,10}$/;

export interface WhitelistEntry {
  readonly key: string;
  readonly segment: string;
  readonly limitFen: number | null;
}

export type RowResult =
  | { readonly ok: true; readonly entry: WhitelistEntry }
  | { readonly ok: false; readonly message: string };

/** The key type a header record announces, or an error message. */
export function parseHeader(
  header: readonly string[],
): { ok: true; keyType: WhitelistKeyType } | { ok: false; message: string } {
  const fields = header.map((field) => field.toLowerCase());
  const expected = WHITELIST_KEY_TYPES.map((type) => `${type},segment,limit_fen`);
  if (fields.length === 3 && fields[1] === 'segment' && fields[2] === 'limit_fen') {
    const keyType = WHITELIST_KEY_TYPES.find((type) => type === fields[0]);
    if (keyType) return { ok: true, keyType };
  }
  return { ok: false, message: `The header must be ${expected.join(' or ')}.` };
}

/** One data record of a list keyed by `keyType`. */
export function parseRow(fields: readonly string[], keyType: WhitelistKeyType): RowResult {
  if (fields.length !== 3)
    return { ok: false, message: `expected 3 fields (${keyType},segment,limit_fen), got ${fields.length}` };
  const [rawKey, segment, limit] = fields as [string, string, string];
  let key = rawKey;
  if (keyType === 'channel_user_id') {
    if (!CHANNEL_USER_ID_PATTERN.test(key)) {
      return { ok: false, message: 'channel_user_id must be 1–128 letters, digits or ._:@+/=|~-' };
    }
  } else {
    if (!PHONE_SHA256.test(key)) return { ok: false, message: 'phone_sha256 must be 64 hexadecimal digits' };
    key = key.toLowerCase();
  }
  if (!SEGMENT_PATTERN.test(segment))
    return { ok: false, message: 'segment must be 1–32 letters, digits, _ or -' };
  if (limit === '') return { ok: true, entry: { key, segment, limitFen: null } };
  if (!LIMIT.test(limit) || Number(limit) > MAX_LIMIT_FEN) {
    return {
      ok: false,
      message: `limit_fen must be empty or a whole number of fen from 1 to ${MAX_LIMIT_FEN}`,
    };
  }
  return { ok: true, entry: { key, segment, limitFen: Number(limit) } };
}
