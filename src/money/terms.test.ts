import { describe, expect, it } from 'vitest';
import { MoneyValidationError } from './errors.ts';
import { quoteLoan } from './quote.ts';
import { DAY_COUNTS, REPAYMENT_METHODS, validateTerms } from './terms.ts';

const valid = {
  principalFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  annualRate: '0.18',
  startDate: '2026-01-31',
} as const;

function fieldOf(input: unknown): string {
  try {
    validateTerms(input);
  } catch (e) {
    expect(e).toBeInstanceOf(MoneyValidationError);
    expect((e as MoneyValidationError).name).toBe('MoneyValidationError');
    expect((e as MoneyValidationError).message.length).toBeGreaterThan(10);
    return (e as MoneyValidationError).field;
  }
  throw new Error('expected a MoneyValidationError');
}

describe('validateTerms', () => {
  it('normalizes valid terms with defaults', () => {
    const t = validateTerms(valid);
    expect(t).toMatchObject({
      principalFen: 1_000_000,
      upfrontFeeFen: 0,
      perInstallmentFeeFen: 0,
      dayCount: 'ACT/360',
    });
    expect(t.maturity).toMatchObject({ year: 2027, month: 1, day: 31 });
  });

  it('accepts the limits', () => {
    expect(() => validateTerms({ ...valid, principalFen: 1, termMonths: 1 })).not.toThrow();
    expect(() => validateTerms({ ...valid, principalFen: 1_000_000_000, termMonths: 360 })).not.toThrow();
    expect(() => validateTerms({ ...valid, annualRate: '1', fees: { upfrontFen: 999_999 } })).not.toThrow();
  });

  it('exports the enumerations for the HTTP schema', () => {
    expect(REPAYMENT_METHODS).toEqual(['equal_installment', 'equal_principal', 'interest_first', 'bullet']);
    expect(DAY_COUNTS).toEqual(['ACT/360', 'ACT/365']);
  });

  it.each([
    ['not an object', null, 'terms'],
    ['a string', 'loan', 'terms'],
    ['non-integer fen', { ...valid, principalFen: 100.5 }, 'principalFen'],
    ['fen as a string', { ...valid, principalFen: '1000' }, 'principalFen'],
    ['negative fen', { ...valid, principalFen: -1 }, 'principalFen'],
    ['zero principal', { ...valid, principalFen: 0 }, 'principalFen'],
    ['principal above 1,000,000,000 fen', { ...valid, principalFen: 1_000_000_001 }, 'principalFen'],
    ['missing principal', { ...valid, principalFen: undefined }, 'principalFen'],
    ['term 0', { ...valid, termMonths: 0 }, 'termMonths'],
    ['term 361', { ...valid, termMonths: 361 }, 'termMonths'],
    ['fractional term', { ...valid, termMonths: 1.5 }, 'termMonths'],
    ['unknown method', { ...valid, method: 'balloon' }, 'method'],
    ['rate "abc"', { ...valid, annualRate: 'abc' }, 'annualRate'],
    ['rate "1.5"', { ...valid, annualRate: '1.5' }, 'annualRate'],
    ['rate "-0.1"', { ...valid, annualRate: '-0.1' }, 'annualRate'],
    ['rate "1e-2"', { ...valid, annualRate: '1e-2' }, 'annualRate'],
    ['rate as a number', { ...valid, annualRate: 0.18 }, 'annualRate'],
    ['impossible date 2026-02-30', { ...valid, startDate: '2026-02-30' }, 'startDate'],
    ['malformed date', { ...valid, startDate: '31/01/2026' }, 'startDate'],
    ['maturity after 9999', { ...valid, startDate: '9999-06-01' }, 'startDate'],
    ['fees not an object', { ...valid, fees: 5 }, 'fees'],
    ['negative upfront fee', { ...valid, fees: { upfrontFen: -1 } }, 'fees.upfrontFen'],
    ['fractional upfront fee', { ...valid, fees: { upfrontFen: 0.5 } }, 'fees.upfrontFen'],
    ['upfront fee equal to principal', { ...valid, fees: { upfrontFen: 1_000_000 } }, 'fees.upfrontFen'],
    ['upfront fee above principal', { ...valid, fees: { upfrontFen: 2_000_000 } }, 'fees.upfrontFen'],
    ['negative installment fee', { ...valid, fees: { perInstallmentFen: -100 } }, 'fees.perInstallmentFen'],
    ['fractional installment fee', { ...valid, fees: { perInstallmentFen: 1.25 } }, 'fees.perInstallmentFen'],
    ['unknown day count', { ...valid, dayCount: '30/360' }, 'dayCount'],
  ])('rejects %s, naming %s', (_label, input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('quoteLoan validates too', () => {
    expect(() => quoteLoan({ ...valid, termMonths: 0 })).toThrow(MoneyValidationError);
  });
});
