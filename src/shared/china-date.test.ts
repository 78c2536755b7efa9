import { describe, expect, it } from 'vitest';
import { chinaDate } from './china-date.ts';

describe('chinaDate', () => {
  it('turns the date at 16:00 UTC, midnight in Beijing', () => {
    expect(chinaDate(new Date('2026-11-28T15:59:59.999Z'))).toBe('2026-11-28');
    expect(chinaDate(new Date('2026-11-28T16:00:00Z'))).toBe('2026-11-29');
    expect(chinaDate(new Date('2026-11-29T00:00:00+08:00'))).toBe('2026-11-29');
  });

  it('crosses months and years, and reads epoch milliseconds the same as a Date', () => {
    expect(chinaDate(new Date('2026-01-31T16:00:00Z'))).toBe('2026-02-01');
    expect(chinaDate(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
    expect(chinaDate(Date.UTC(2026, 0, 1, 16))).toBe('2026-01-02');
    expect(chinaDate(Date.UTC(2026, 0, 1, 15, 59))).toBe('2026-01-01');
  });

  it('has no daylight saving: the same offset in January and July', () => {
    expect(chinaDate(new Date('2026-07-01T15:59:59Z'))).toBe('2026-07-01');
    expect(chinaDate(new Date('2026-07-01T16:00:00Z'))).toBe('2026-07-02');
  });
});
