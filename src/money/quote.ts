/** The module's main entry points: price a loan, and price its early payoff. */
import { annualIrr, formatApr } from './apr.ts';
import { type CapCheckResult, checkAprWithinCap } from './cap.ts';
import { parseIsoDate } from './dates.ts';
import { computePayoff, type PayoffQuote } from './payoff.ts';
import { buildSchedule, type Installment, installmentMonth } from './schedule.ts';
import { type LoanTerms, type NormalizedTerms, validateTerms } from './terms.ts';

/** A priced loan: the schedule, its totals, and its all-in APR. All amounts are integer fen. */
export interface LoanQuote {
  readonly principalFen: number;
  /** Principal minus the upfront fee: what the borrower actually receives. */
  readonly amountReceivedFen: number;
  readonly installments: readonly Installment[];
  readonly totalInterestFen: number;
  /** Upfront fee plus every per-installment fee. */
  readonly totalFeeFen: number;
  /** Sum of all installment totals (the upfront fee is not repaid: it was withheld). */
  readonly totalRepaymentFen: number;
  /** All-in APR, IRR method, 6 decimal places, e.g. "0.240000". */
  readonly apr: string;
  /** Whether `apr` lies within [3.6%, 24%]. */
  readonly withinCap: CapCheckResult;
}

/** Prices validated terms. */
export function quoteNormalized(terms: NormalizedTerms): LoanQuote {
  const installments = buildSchedule(terms);
  const flows = new Float64Array(terms.termMonths);
  let totalInterestFen = 0;
  let installmentFees = 0;
  let totalRepaymentFen = 0;
  for (const row of installments) {
    totalInterestFen += row.interestFen;
    installmentFees += row.feeFen;
    totalRepaymentFen += row.totalFen;
    flows[installmentMonth(terms, row.period) - 1] = row.totalFen;
  }
  const amountReceivedFen = terms.principalFen - terms.upfrontFeeFen;
  const apr = formatApr(annualIrr(amountReceivedFen, flows));
  return {
    principalFen: terms.principalFen,
    amountReceivedFen,
    installments,
    totalInterestFen,
    totalFeeFen: terms.upfrontFeeFen + installmentFees,
    totalRepaymentFen,
    apr,
    withinCap: checkAprWithinCap(apr),
  };
}

/**
 * Validates loan terms and prices them: schedule, totals, APR and cap check.
 * @throws MoneyValidationError naming the first invalid field.
 */
export function quoteLoan(terms: LoanTerms): LoanQuote {
  return quoteNormalized(validateTerms(terms));
}

/**
 * Prices settling the loan early on `payoffDate` (ISO `YYYY-MM-DD`), assuming every
 * installment due on or before that day was paid. Free: no fee, interest only to that day.
 * @throws MoneyValidationError for invalid terms, or a payoff date before the start or after maturity.
 */
export function quotePayoff(terms: LoanTerms, payoffDate: string): PayoffQuote {
  const normalized = validateTerms(terms);
  const payoff = parseIsoDate(payoffDate, 'payoffDate');
  return computePayoff(normalized, buildSchedule(normalized), payoff);
}

/**
 * Whether an offer's terms price within [3.6%, 24%] all-in.
 * @throws MoneyValidationError naming the first invalid field.
 */
export function checkOfferWithinCap(terms: LoanTerms): CapCheckResult {
  return quoteLoan(terms).withinCap;
}
