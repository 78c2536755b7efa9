/**
 * Pure validation of a product's terms, and the price rule: the whole APR range must lie within
 * [3.6%, 24%] (src/money's cap check, exact decimal comparison).
 */
import {
  checkProductAprRange,
  DAY_COUNTS,
  type DayCount,
  MAX_PRINCIPAL_FEN,
  MAX_TERM_MONTHS,
  MIN_PRINCIPAL_FEN,
  MIN_TERM_MONTHS,
  MoneyValidationError,
  REPAYMENT_METHODS,
} from '../money/index.ts';
import { AppError } from '../shared/errors.ts';
import { DATA_CATEGORIES, type NewProduct } from './model.ts';
import { type Problems, text } from './problems.ts';

export const PRODUCT_CODE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/**
 * An APR as a decimal fraction with at most 6 places ("0.18" is 18%): the column is numeric(8, 6),
 * and a longer value would be rounded on the way in, possibly to a different side of the cap.
 */
export const APR_PATTERN = /^[01](\.[0-9]{1,6})?$/;
export const MAX_TERMS = 36;

/** The product's terms, normalized: sorted unique terms, methods and categories in list order. */
export interface CheckedProduct extends Omit<NewProduct, 'funderId' | 'dayCount'> {
  readonly funderId: string | null;
  readonly dayCount: DayCount;
}

function subsetInOrder<T extends string>(
  problems: Problems,
  field: string,
  list: readonly T[],
  values: readonly string[],
): T[] {
  if (values.length === 0) problems.add(field, 'must not be empty');
  values.forEach((value, index) => {
    if (!(list as readonly string[]).includes(value))
      problems.add(`${field}.${index}`, `must be one of ${list.join(', ')}`);
  });
  return list.filter((item) => values.includes(item));
}

/** Checks everything but the price rule, which has its own error codes (see `aprRefusal`). */
export function checkProductTerms(problems: Problems, input: NewProduct): CheckedProduct {
  if (!PRODUCT_CODE_PATTERN.test(input.code)) {
    problems.add('code', 'must be 1–64 characters: lower-case letters, digits, dot, dash, underscore');
  }
  for (const field of ['aprMin', 'aprMax'] as const) {
    if (!APR_PATTERN.test(input[field])) {
      problems.add(field, 'must be a decimal fraction with at most 6 places, e.g. "0.18" for 18%');
    }
  }
  for (const field of ['amountMinFen', 'amountMaxFen'] as const) {
    const value = input[field];
    if (!Number.isSafeInteger(value) || value < MIN_PRINCIPAL_FEN || value > MAX_PRINCIPAL_FEN) {
      problems.add(
        field,
        `must be an integer amount in fen from ${MIN_PRINCIPAL_FEN} to ${MAX_PRINCIPAL_FEN}`,
      );
    }
  }
  if (input.amountMinFen > input.amountMaxFen) problems.add('amountMinFen', 'must not exceed amountMaxFen');
  if (input.termsMonths.length === 0) problems.add('termsMonths', 'must not be empty');
  if (input.termsMonths.length > MAX_TERMS)
    problems.add('termsMonths', `must have at most ${MAX_TERMS} entries`);
  input.termsMonths.forEach((term, index) => {
    if (!Number.isInteger(term) || term < MIN_TERM_MONTHS || term > MAX_TERM_MONTHS) {
      problems.add(
        `termsMonths.${index}`,
        `must be a whole number of months from ${MIN_TERM_MONTHS} to ${MAX_TERM_MONTHS}`,
      );
    }
  });
  const dayCount = input.dayCount ?? 'ACT/360';
  if (!(DAY_COUNTS as readonly string[]).includes(dayCount))
    problems.add('dayCount', `must be one of ${DAY_COUNTS.join(', ')}`);
  return {
    code: input.code,
    name: text(problems, 'name', input.name, 100),
    funderId: input.funderId ?? null,
    aprMin: input.aprMin,
    aprMax: input.aprMax,
    amountMinFen: input.amountMinFen,
    amountMaxFen: input.amountMaxFen,
    termsMonths: [...new Set(input.termsMonths)].sort((a, b) => a - b),
    repaymentMethods: subsetInOrder(problems, 'repaymentMethods', REPAYMENT_METHODS, input.repaymentMethods),
    dayCount,
    dataCategories: subsetInOrder(problems, 'dataCategories', DATA_CATEGORIES, input.dataCategories),
  };
}

/**
 * The refusal for an APR range outside [3.6%, 24%], or `null` when the range is within it. The
 * error names the field and the limit it breached. Call after `checkProductTerms` found the two
 * values well-formed.
 */
export function aprRefusal(range: { readonly aprMin: string; readonly aprMax: string }): AppError | null {
  let verdict: ReturnType<typeof checkProductAprRange>;
  try {
    verdict = checkProductAprRange(range);
  } catch (error) {
    if (error instanceof MoneyValidationError) {
      return new AppError('VALIDATION_FAILED', `${error.field}: ${error.message}`, {
        fields: [{ field: error.field, message: error.message }],
      });
    }
    throw error;
  }
  if (verdict.ok) return null;
  const field = verdict.reason === 'APR_ABOVE_CAP' ? 'aprMax' : 'aprMin';
  const code = verdict.reason === 'APR_ABOVE_CAP' ? 'APR_CAP_EXCEEDED' : 'APR_BELOW_FLOOR';
  return new AppError(code, `${field}: ${verdict.message}`, {
    field,
    apr: verdict.apr,
    limit: verdict.limit,
    fields: [{ field, message: verdict.message }],
  });
}
