/**
 * Money arrives from the API as integer fen and is shown as yuan with two decimals. Everything
 * here is integer arithmetic on safe integers: no float ever touches an amount.
 */

function assertFen(fen: number): void {
  if (!Number.isSafeInteger(fen)) throw new RangeError('an amount in fen must be a safe integer');
}

/** 123456 → "1,234.56"; -5 → "-0.05". */
export function yuan(fen: number): string {
  assertFen(fen);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const cents = abs % 100;
  const whole = (abs - cents) / 100;
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}.${String(cents).padStart(2, '0')}`;
}

/** "¥1,234.56". */
export function yuanWithSign(fen: number): string {
  return `¥${yuan(fen)}`;
}

/**
 * What a borrower typed as yuan ("5000", "5,000.5", "5000.05") → fen, or null when it is not an
 * amount with at most two decimals.
 */
export function parseYuan(input: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(input.trim().replace(/,/g, ''));
  if (!match) return null;
  const whole = Number(match[1]);
  const cents = Number((match[2] ?? '').padEnd(2, '0'));
  return whole * 100 + cents;
}

/** 5000000 → "50,000" when whole yuan, else with decimals: for inputs' default values. */
export function yuanPlain(fen: number): string {
  assertFen(fen);
  return fen % 100 === 0 ? String(fen / 100) : yuan(fen).replace(/,/g, '');
}
