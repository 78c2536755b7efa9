import { describe, expect, it } from 'vitest';
import { chinaDate } from '../shared/china-date.ts';
import { cstDayRange, cstMonth, isClosedMonth, isDate, isMonth, previousMonth } from './calendar.ts';

describe('China-time calendar', () => {
  it('puts an instant on its China Standard Time day and month', () => {
    expect(chinaDate(new Date('2026-01-31T15:59:59Z'))).toBe('2026-01-31');
    expect(chinaDate(new Date('2026-01-31T16:00:00Z'))).toBe('2026-02-01');
    expect(cstMonth(new Date('2026-01-31T16:00:00Z'))).toBe('2026-02');
    expect(cstDayRange('2026-02-01')).toEqual({
      start: new Date('2026-01-31T16:00:00Z'),
      end: new Date('2026-02-01T16:00:00Z'),
    });
  });

  it('knows months, dates and which months are closed', () => {
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(previousMonth('2026-10')).toBe('2026-09');
    expect(isMonth('2026-13')).toBe(false);
    expect(isDate('2026-02-29')).toBe(false);
    expect(isDate('2028-02-29')).toBe(true);
    expect(isClosedMonth('2026-01', new Date('2026-01-31T16:00:00Z'))).toBe(true);
    expect(isClosedMonth('2026-01', new Date('2026-01-31T15:59:59Z'))).toBe(false);
  });
});
