/** Loan terms: the input type, the enumerations the HTTP schema uses, and validation. */
import { addMonthsClamped, type CivilDate, MAX_YEAR, parseIsoDate } from './dates.ts';
import { MoneyValidationError } from './errors.ts';
import { MAX_PRINCIPAL_FEN, requireFen } from './fen.ts';
import { parseRate, type Rate } from './rate.ts';

/** Repayment methods: 等额本息, 等额本金, 先息后本, 一次性还本付息. */
export const REPAYMENT_METHODS = [
  'equal_installment',
  'equal_principal',
  'interest_first',
  'bullet',
] as const;
export type RepaymentMethod = (typeof REPAYMENT_METHODS)[number];

/** Day-count conventions for daily interest on early payoff; ACT/360 is the default. */
export const DAY_COUNTS = ['ACT/360', 'ACT/365'] as const;
export type DayCount = (typeof DAY_COUNTS)[number];

export const MIN_TERM_MONTHS = 1;
export const MAX_TERM_MONTHS = 360;
export const MIN_PRINCIPAL_FEN = 1;
/** Upper bound for the per-installment fee; keeps every total a safe integer. */
export const MAX_FEE_FEN = MAX_PRINCIPAL_FEN;

/** Loan terms as supplied by callers (typically parsed JSON). */
export interface LoanTerms {
  readonly principalFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
  /** Annual nominal rate as a decimal string in [0, 1], e.g. "0.24". */
  readonly annualRate: string;
  /** ISO `YYYY-MM-DD`; the loan is disbursed on this day. */
  readonly startDate: string;
  readonly fees?: {
    /** Deducted from what the borrower receives; must be less than the principal. */
    readonly upfrontFen?: number;
    /** Added to every installment. */
    readonly perInstallmentFen?: number;
  };
  readonly dayCount?: DayCount;
}

/** Validated terms with parsed rate and dates. */
export interface NormalizedTerms {
  readonly principalFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
  readonly rate: Rate;
  readonly start: CivilDate;
  readonly maturity: CivilDate;
  readonly upfrontFeeFen: number;
  readonly perInstallmentFeeFen: number;
  readonly dayCount: DayCount;
}

function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/**
 * Validates loan terms field by field; throws MoneyValidationError naming the first bad field.
 * Accepts `unknown` because the terms usually come straight from a request body.
 */
export function validateTerms(input: unknown): NormalizedTerms {
  if (typeof input !== 'object' || input === null) {
    throw new MoneyValidationError('terms', 'loan terms must be an object');
  }
  const terms = input as Record<string, unknown>;
  const principalFen = requireFen(terms.principalFen, 'principalFen', MIN_PRINCIPAL_FEN, MAX_PRINCIPAL_FEN);
  const termMonths = terms.termMonths;
  if (
    typeof termMonths !== 'number' ||
    !Number.isInteger(termMonths) ||
    termMonths < MIN_TERM_MONTHS ||
    termMonths > MAX_TERM_MONTHS
  ) {
    throw new MoneyValidationError(
      'termMonths',
      `termMonths must be an integer from ${MIN_TERM_MONTHS} to ${MAX_TERM_MONTHS}`,
    );
  }
  const method = terms.method;
  if (!isOneOf(REPAYMENT_METHODS, method)) {
    throw new MoneyValidationError('method', `method must be one of ${REPAYMENT_METHODS.join(', ')}`);
  }
  const rate = parseRate(terms.annualRate, 'annualRate');
  const start = parseIsoDate(terms.startDate, 'startDate');
  const maturity = addMonthsClamped(start, termMonths);
  if (maturity.year > MAX_YEAR) {
    throw new MoneyValidationError(
      'startDate',
      `startDate is too late: the loan would mature after ${MAX_YEAR}`,
    );
  }

  let upfrontFeeFen = 0;
  let perInstallmentFeeFen = 0;
  if (terms.fees !== undefined) {
    if (typeof terms.fees !== 'object' || terms.fees === null) {
      throw new MoneyValidationError('fees', 'fees must be an object');
    }
    const fees = terms.fees as Record<string, unknown>;
    if (fees.upfrontFen !== undefined) {
      upfrontFeeFen = requireFen(fees.upfrontFen, 'fees.upfrontFen', 0, MAX_PRINCIPAL_FEN);
      // The fee is deducted from the payout: at or above the principal the borrower gets nothing.
      if (upfrontFeeFen >= principalFen) {
        throw new MoneyValidationError(
          'fees.upfrontFen',
          'fees.upfrontFen must be less than principalFen: the borrower must receive a positive amount',
        );
      }
    }
    if (fees.perInstallmentFen !== undefined) {
      perInstallmentFeeFen = requireFen(fees.perInstallmentFen, 'fees.perInstallmentFen', 0, MAX_FEE_FEN);
    }
  }

  let dayCount: DayCount = 'ACT/360';
  if (terms.dayCount !== undefined) {
    if (!isOneOf(DAY_COUNTS, terms.dayCount)) {
      throw new MoneyValidationError('dayCount', `dayCount must be one of ${DAY_COUNTS.join(', ')}`);
    }
    dayCount = terms.dayCount;
  }

  return {
    principalFen,
    termMonths,
    method,
    rate,
    start,
    maturity,
    upfrontFeeFen,
    perInstallmentFeeFen,
    dayCount,
  };
}
