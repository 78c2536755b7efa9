/**
 * Calendar dates as plain integers (no Date objects, so no time zones): parse and format ISO
 * `YYYY-MM-DD`, add months with end-of-month clamping, count days between dates.
 */
import { MoneyValidationError } from './errors.ts';

/** A validated calendar date; `epochDay` is days since 1970-01-01 (proleptic Gregorian). */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly epochDay: number;
}

/** Supported years; keeps every 360-month schedule inside four-digit years. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for Gregorian leap years. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 for a valid date with year >= 1 (civil-to-days, integer arithmetic). */
export function toEpochDay(year: number, month: number, day: number): number {
  // Shift the year to start in March so the leap day is the last day of the shifted year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function makeDate(year: number, month: number, day: number): CivilDate {
  return { year, month, day, epochDay: toEpochDay(year, month, day) };
}

/** Parses a strict ISO `YYYY-MM-DD` date; impossible dates (2026-02-30) throw naming `field`. */
export function parseIsoDate(value: unknown, field: string): CivilDate {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (match === null) {
    throw new MoneyValidationError(field, `${field} must be a date in YYYY-MM-DD format`);
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new MoneyValidationError(field, `${field} year must be between ${MIN_YEAR} and ${MAX_YEAR}`);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new MoneyValidationError(field, `${field} is not a real calendar date: ${value}`);
  }
  return makeDate(year, month, day);
}

/** Formats as `YYYY-MM-DD`. */
export function formatIsoDate(date: CivilDate): string {
  const m = date.month < 10 ? `0${date.month}` : `${date.month}`;
  const d = date.day < 10 ? `0${date.day}` : `${date.day}`;
  return `${date.year}-${m}-${d}`;
}

/**
 * The date `months` months after `start`, on start's day of month clamped to the target month's
 * last day. Always anchored on `start` (not chained), so 01-31 → 02-28 → 03-31. `months` >= 0.
 */
export function addMonthsClamped(start: CivilDate, months: number): CivilDate {
  const index = start.month - 1 + months;
  const year = start.year + Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(start.day, daysInMonth(year, month));
  return makeDate(year, month, day);
}

/** Actual calendar days from `from` to `to` (negative if `to` is earlier). */
export function daysBetween(from: CivilDate, to: CivilDate): number {
  return to.epochDay - from.epochDay;
}
