import { describe, expect, it } from 'vitest';
import type { NewProduct } from './model.ts';
import { Problems } from './problems.ts';
import { aprRefusal, checkProductTerms } from './product-rules.ts';

const PRODUCT: NewProduct = {
  code: 'loan-a',
  name: '好借',
  aprMin: '0.036',
  aprMax: '0.24',
  amountMinFen: 100,
  amountMaxFen: 100,
  termsMonths: [12, 3, 3],
  repaymentMethods: ['bullet', 'equal_installment'],
  dataCategories: ['contacts', 'name'],
};

describe('product rules (pure)', () => {
  it('normalizes terms, methods and categories, and defaults the day count', () => {
    const problems = new Problems();
    const checked = checkProductTerms(problems, PRODUCT);
    expect(problems.empty).toBe(true);
    expect(checked).toMatchObject({
      termsMonths: [3, 12],
      repaymentMethods: ['equal_installment', 'bullet'],
      dataCategories: ['name', 'contacts'],
      dayCount: 'ACT/360',
    });
  });

  it('accepts the exact limits of the price rule', () => {
    expect(aprRefusal({ aprMin: '0.036', aprMax: '0.24' })).toBeNull();
    expect(aprRefusal({ aprMin: '0.036000', aprMax: '0.240000' })).toBeNull();
  });

  it('refuses above 24% naming aprMax and the cap, below 3.6% naming aprMin and the floor', () => {
    const above = aprRefusal({ aprMin: '0.10', aprMax: '0.240001' });
    expect(above?.code).toBe('APR_CAP_EXCEEDED');
    expect(above?.status).toBe(422);
    expect(above?.details).toMatchObject({ field: 'aprMax', limit: '0.240000', apr: '0.240001' });
    const below = aprRefusal({ aprMin: '0.035999', aprMax: '0.10' });
    expect(below?.code).toBe('APR_BELOW_FLOOR');
    expect(below?.details).toMatchObject({ field: 'aprMin', limit: '0.036000' });
    // A range that breaches both ends is refused for the cap first: that is what must never show.
    expect(aprRefusal({ aprMin: '0.01', aprMax: '0.36' })?.code).toBe('APR_CAP_EXCEEDED');
  });

  it('reports an inverted range as a validation problem on aprMin', () => {
    const refusal = aprRefusal({ aprMin: '0.2', aprMax: '0.1' });
    expect(refusal?.code).toBe('VALIDATION_FAILED');
    expect(refusal?.details?.fields).toEqual([{ field: 'aprMin', message: 'aprMin must not exceed aprMax' }]);
  });

  it('names every malformed field', () => {
    const problems = new Problems();
    checkProductTerms(problems, {
      ...PRODUCT,
      code: '-bad',
      aprMax: '24%',
      aprMin: '0.1234567',
      amountMinFen: 0,
      amountMaxFen: 1.5,
      termsMonths: [0, 361],
      repaymentMethods: [],
      dataCategories: ['name', 'face' as 'name'],
    });
    expect(() => problems.throwIfAny()).toThrow(
      /code: .*aprMin: .*aprMax: .*amountMinFen: .*amountMaxFen: .*termsMonths\.0: .*termsMonths\.1: .*repaymentMethods: must not be empty.*dataCategories\.1/,
    );
  });
});
