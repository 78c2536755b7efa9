import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonthsClamped,
  daysBetween,
  daysInMonth,
  formatIsoDate,
  parseIsoDate,
  toEpochDay,
} from './dates.ts';
import { MoneyValidationError } from './errors.ts';

const d = (iso: string) => parseIsoDate(iso, 'd');

describe('parseIsoDate', () => {
  it('parses valid dates, including leap days', () => {
    expect(d('2026-01-31')).toMatchObject({ year: 2026, month: 1, day: 31 });
    expect(d('2028-02-29').day).toBe(29);
    expect(d('2000-02-29').day).toBe(29);
    expect(d('1970-01-01').epochDay).toBe(0);
  });

  it.each([
    '2026-02-30',
    '2026-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-1-5',
    '26-01-05',
    '2026/01/05',
    '2026-01-05T00:00:00Z',
    '1899-12-31',
  ])('rejects %s naming the field', (iso) => {
    try {
      parseIsoDate(iso, 'startDate');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MoneyValidationError);
      expect((e as MoneyValidationError).field).toBe('startDate');
    }
  });

  it('rejects non-strings', () => {
    expect(() => parseIsoDate(20260105, 'startDate')).toThrow(MoneyValidationError);
  });
});

describe('addMonthsClamped', () => {
  it('clamps 31 January to the last day of each month, anchored on the start day', () => {
    const start = d('2026-01-31');
    const dates = [1, 2, 3, 4, 13].map((k) => formatIsoDate(addMonthsClamped(start, k)));
    expect(dates).toEqual(['2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2027-02-28']);
  });

  it('uses 29 February in a leap year', () => {
    expect(formatIsoDate(addMonthsClamped(d('2028-01-31'), 1))).toBe('2028-02-29');
    expect(formatIsoDate(addMonthsClamped(d('2027-11-30'), 3))).toBe('2028-02-29');
  });

  it('crosses year ends', () => {
    expect(formatIsoDate(addMonthsClamped(d('2026-11-15'), 2))).toBe('2027-01-15');
    expect(formatIsoDate(addMonthsClamped(d('2026-01-15'), 360))).toBe('2056-01-15');
  });
});

describe('day arithmetic', () => {
  it('counts actual days', () => {
    expect(daysBetween(d('2026-02-15'), d('2026-03-01'))).toBe(14);
    expect(daysBetween(d('2028-02-15'), d('2028-03-01'))).toBe(15);
    expect(daysBetween(d('2026-01-01'), d('2027-01-01'))).toBe(365);
    expect(daysBetween(d('2027-03-01'), d('2026-03-01'))).toBe(-365);
  });

  it('matches Date.UTC for every supported year', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const dd = Math.min(day, daysInMonth(year, month));
          expect(toEpochDay(year, month, dd)).toBe(Date.UTC(year, month - 1, dd) / 86_400_000);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
