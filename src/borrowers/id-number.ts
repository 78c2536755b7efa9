/**
 * The 18-character PRC resident identity number (GB 11643-1999): a 6-digit administrative
 * division code, an 8-digit birth date, a 3-digit sequence and an ISO 7064 MOD 11-2 check
 * character (0–9 or X). Pure: today's date is passed in.
 */
import type { AgeBand } from '../protocol/envelope/index.ts';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';

/**
 * Province-level codes (the first two digits) in use: the mainland provinces, Taiwan (71), Hong
 * Kong (81), Macao (82), and 91 for the permanent-residence id of foreigners (issued since 2023).
 */
const PROVINCE_CODES = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
  '91',
]);

/** The check character for the first 17 digits. */
export function idNumberCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARACTERS[sum % 11]!;
}

export interface IdNumberFacts {
  /** Upper-case X, no spaces: the one form stored, hashed and sent. */
  readonly normalized: string;
  /** `YYYY-MM-DD`. */
  readonly birthDate: string;
  /** The province-level division, zero-padded to 6 digits (e.g. `310000`): coarse enough for pre-checks. */
  readonly regionPrefix: string;
}

export type IdNumberResult =
  | { readonly ok: true; readonly value: IdNumberFacts }
  | { readonly ok: false; readonly message: string };

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Checks an id number and extracts what pre-checks may use. `today` is `YYYY-MM-DD` (China time).
 * Messages never repeat the value: they end up in responses and logs.
 */
export function parseIdNumber(input: string, today: string): IdNumberResult {
  const value = input.trim().toUpperCase();
  if (!/^[0-9]{17}[0-9X]$/.test(value)) {
    return { ok: false, message: 'must be 18 characters: 17 digits and a final digit or X' };
  }
  if (!PROVINCE_CODES.has(value.slice(0, 2))) {
    return { ok: false, message: 'does not start with a known province code' };
  }
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  if (year < 1900 || !isCalendarDate(year, month, day)) {
    return { ok: false, message: 'does not contain a valid birth date' };
  }
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (birthDate > today) return { ok: false, message: 'contains a birth date in the future' };
  if (idNumberCheckCharacter(value) !== value[17]) return { ok: false, message: 'checksum does not match' };
  return { ok: true, value: { normalized: value, birthDate, regionPrefix: `${value.slice(0, 2)}0000` } };
}

/** Full years between a birth date and today, both `YYYY-MM-DD`. */
export function ageOn(birthDate: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) >= birthDate.slice(5) ? years : years - 1;
}

/** The pre-check age band of the lender protocol for an age, or `null` under 18: minors are never offered credit, so no band exists. */
export function ageBand(age: number): AgeBand | null {
  if (age < 18) return null;
  if (age <= 24) return '18-24';
  if (age <= 34) return '25-34';
  if (age <= 44) return '35-44';
  if (age <= 54) return '45-54';
  return '55+';
}
