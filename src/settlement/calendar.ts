/**
 * Business days and months are China Standard Time (UTC+8, no daylight saving): a repayment at
 * 2026-01-31T17:00:00Z belongs to 2026-02-01 and to the February statement.
 */
import { chinaDate } from '../shared/china-date.ts';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export function cstMonth(instant: Date): string {
  return chinaDate(instant).slice(0, 7);
}

export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

/** A real calendar date `YYYY-MM-DD` (2026-02-30 is not). */
export function isDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  return new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

/** `2026-01` → `2025-12`. */
export function previousMonth(month: string): string {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return mon === 1 ? `${year - 1}-12` : `${year}-${String(mon - 1).padStart(2, '0')}`;
}

/** True when `month` ended before `now` (China time): only closed months get statements. */
export function isClosedMonth(month: string, now: Date): boolean {
  return month < cstMonth(now);
}

/** The instants [start, end) of a CST calendar day. */
export function cstDayRange(date: string): { readonly start: Date; readonly end: Date } {
  const start = new Date(`${date}T00:00:00+08:00`);
  return { start, end: new Date(start.getTime() + 86_400_000) };
}
