/**
 * Lendgate loan math: pure functions, no I/O, no clock (dates are arguments).
 * Amounts are integer fen; rates are decimal strings held as exact fractions; every rounding
 * is half-up to the fen. See docs/money.md for the conventions.
 */
export { annualIrr, formatApr, solveMonthlyIrr } from './apr.ts';
export {
  APR_CAP,
  APR_FLOOR,
  type CapCheckResult,
  checkAprWithinCap,
  checkProductAprRange,
  type ProductAprRange,
} from './cap.ts';
export {
  aprToPercent,
  buildDisclosure,
  type DisclosureInstallment,
  type DisclosureSheet,
  REPAYMENT_METHOD_LABELS,
} from './disclosure.ts';
export { MoneyValidationError } from './errors.ts';
export { formatYuan, MAX_PRINCIPAL_FEN } from './fen.ts';
export type { PayoffQuote } from './payoff.ts';
export { checkOfferWithinCap, type LoanQuote, quoteLoan, quotePayoff } from './quote.ts';
export type { Installment, InstallmentAmounts } from './schedule.ts';
export { checkScheduleWithinCap, type ScheduleCashFlows, scheduleApr } from './schedule-apr.ts';
export {
  DAY_COUNTS,
  type DayCount,
  type LoanTerms,
  MAX_TERM_MONTHS,
  MIN_PRINCIPAL_FEN,
  MIN_TERM_MONTHS,
  type NormalizedTerms,
  REPAYMENT_METHODS,
  type RepaymentMethod,
  validateTerms,
} from './terms.ts';
