import { describe, expect, it } from 'vitest';
import { MoneyValidationError } from './errors.ts';
import { parseRate } from './rate.ts';

describe('parseRate', () => {
  it.each([
    ['0.24', 6n, 25n, 1n, 50n],
    ['0.036', 9n, 250n, 3n, 1000n],
    ['0', 0n, 1n, 0n, 1n],
    ['1', 1n, 1n, 1n, 12n],
    ['1.000', 1n, 1n, 1n, 12n],
    ['0.240000', 6n, 25n, 1n, 50n],
    ['0.000000000001', 1n, 10n ** 12n, 1n, 12n * 10n ** 12n],
  ])('parses %s exactly (annual %s/%s, monthly %s/%s)', (text, an, ad, mn, md) => {
    const rate = parseRate(text);
    expect(rate.text).toBe(text);
    expect([rate.annual.num, rate.annual.den]).toEqual([an, ad]);
    expect([rate.monthly.num, rate.monthly.den]).toEqual([mn, md]);
  });

  it.each([
    'abc',
    '1.5',
    '1.01',
    '-0.1',
    '1e-2',
    '.5',
    '00.5',
    '0.',
    ' 0.24',
    '0.24 ',
    '+0.24',
    '2',
    '0.0000000000001',
    '',
  ])('rejects %j', (text) => {
    expect(() => parseRate(text)).toThrow(MoneyValidationError);
  });

  it('rejects non-strings, naming the field', () => {
    try {
      parseRate(0.24, 'annualRate');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MoneyValidationError);
      expect((e as MoneyValidationError).field).toBe('annualRate');
    }
  });
});
