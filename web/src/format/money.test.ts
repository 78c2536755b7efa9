import { describe, expect, it } from 'vitest';
import { parseYuan, yuan, yuanPlain, yuanWithSign } from './money.ts';

describe('money formatting (integer fen → yuan)', () => {
  it('shows two decimals and groups thousands', () => {
    expect(yuan(0)).toBe('0.00');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(123456)).toBe('1,234.56');
    expect(yuan(100000000)).toBe('1,000,000.00');
    expect(yuan(-5)).toBe('-0.05');
    expect(yuanWithSign(1131_85)).toBe('¥1,131.85');
  });

  it('is exact for every safe integer (no float rounding)', () => {
    expect(yuan(Number.MAX_SAFE_INTEGER)).toBe('90,071,992,547,409.91');
    expect(yuan(1_000_000_001)).toBe('10,000,000.01');
  });

  it('refuses what is not an integer amount', () => {
    expect(() => yuan(1.5)).toThrow(RangeError);
  });

  it('reads what a borrower types', () => {
    expect(parseYuan('5000')).toBe(500000);
    expect(parseYuan('5,000.5')).toBe(500050);
    expect(parseYuan(' 12345.67 ')).toBe(1234567);
    expect(parseYuan('0.1')).toBe(10);
    expect(parseYuan('1.234')).toBeNull();
    expect(parseYuan('-1')).toBeNull();
    expect(parseYuan('abc')).toBeNull();
    expect(yuanPlain(500000)).toBe('5000');
    expect(yuanPlain(1234567)).toBe('12345.67');
  });
});
