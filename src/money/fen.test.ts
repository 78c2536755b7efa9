import { describe, expect, it } from 'vitest';
import { MoneyValidationError } from './errors.ts';
import { formatYuan, requireFen } from './fen.ts';

describe('requireFen', () => {
  it('returns valid integer amounts', () => {
    expect(requireFen(0, 'x', 0, 10)).toBe(0);
    expect(requireFen(10, 'x', 0, 10)).toBe(10);
  });

  it.each([
    [1.5, 'must be an integer'],
    ['100', 'must be an integer'],
    [Number.NaN, 'must be an integer'],
    [2 ** 53, 'must be an integer'],
    [-1, 'must not be negative'],
    [11, 'between 0 and 10'],
  ])('rejects %s naming the field', (value, message) => {
    let error: unknown;
    try {
      requireFen(value, 'fees.upfrontFen', 0, 10);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MoneyValidationError);
    expect((error as MoneyValidationError).field).toBe('fees.upfrontFen');
    expect((error as MoneyValidationError).message).toContain(message);
  });
});

describe('formatYuan', () => {
  it('formats fen as yuan with two decimals', () => {
    expect(formatYuan(94560)).toBe('945.60');
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(1_000_000_000)).toBe('10000000.00');
    expect(formatYuan(-5)).toBe('-0.05');
  });

  it('refuses non-integers', () => {
    expect(() => formatYuan(1.5)).toThrow(RangeError);
  });
});
