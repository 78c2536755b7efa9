/**
 * Early payoff (提前结清): always allowed, never a penalty. The borrower pays the outstanding
 * principal plus interest for the actual days since the last due date on or before the payoff
 * date (or since the start date), assuming every installment due by then was paid.
 */
import { addMonthsClamped, type CivilDate, formatIsoDate } from './dates.ts';
import { MoneyValidationError } from './errors.ts';
import { fraction, mulHalfUp } from './fraction.ts';
import { type Installment, installmentMonth } from './schedule.ts';
import type { NormalizedTerms } from './terms.ts';

/** Amount due to settle the loan on a given day. `feeFen` is always 0: payoff is free. */
export interface PayoffQuote {
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: 0;
  readonly totalFen: number;
  /** Day interest accrues from: the last due date on or before the payoff date, or the start. */
  readonly accrualStartDate: string;
  /** Actual calendar days of interest charged. */
  readonly accrualDays: number;
}

/**
 * Computes the payoff amount: remaining principal + round(remaining · annualRate · days / D),
 * D = 360 (ACT/360) or 365 (ACT/365). The interest is further capped at the interest of the
 * installment being replaced, so paying early never costs more than paying on schedule; with
 * monthly periods (≤ 30 accrual days) that cap only binds for bullet loans, whose scheduled
 * interest is simple interest for whole months.
 */
export function computePayoff(
  terms: NormalizedTerms,
  schedule: readonly Installment[],
  payoff: CivilDate,
): PayoffQuote {
  if (payoff.epochDay < terms.start.epochDay) {
    throw new MoneyValidationError('payoffDate', 'payoffDate must not be before the start date');
  }
  if (payoff.epochDay > terms.maturity.epochDay) {
    throw new MoneyValidationError('payoffDate', 'payoffDate must not be after the maturity date');
  }
  let remaining = terms.principalFen;
  let accrualStart = terms.start;
  let next: Installment | undefined;
  for (const installment of schedule) {
    const due = addMonthsClamped(terms.start, installmentMonth(terms, installment.period));
    if (due.epochDay > payoff.epochDay) {
      next = installment;
      break;
    }
    remaining -= installment.principalFen;
    accrualStart = due;
  }
  const days = payoff.epochDay - accrualStart.epochDay;
  const basis = terms.dayCount === 'ACT/365' ? 365n : 360n;
  const { annual } = terms.rate;
  const accrued = mulHalfUp(remaining, fraction(annual.num * BigInt(days), annual.den * basis));
  const interestFen = next === undefined ? 0 : Math.min(accrued, next.interestFen);
  return {
    principalFen: remaining,
    interestFen,
    feeFen: 0,
    totalFen: remaining + interestFen,
    accrualStartDate: formatIsoDate(accrualStart),
    accrualDays: days,
  };
}
