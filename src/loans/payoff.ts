import { type InstallmentAmounts, type LoanTerms, type PayoffQuote, quotePayoff } from '../money/index.ts';
import type { LoanInstallmentRow } from './tables.ts';

/** An installment as the lender last reported it: the scheduled amounts, and what became of them. */
export interface InstallmentState extends InstallmentAmounts {
  readonly penaltyFen: number;
  readonly paidFen: number;
  readonly status: LoanInstallmentRow['status'];
}

/** Money's payoff quote, for a loan whose earlier installments may be unpaid. */
export interface SchedulePayoff extends Omit<PayoffQuote, 'feeFen'> {
  /** Fees and penalties of installments already due and unpaid; paying off itself costs nothing. */
  readonly feeFen: number;
}

const isOpen = (row: InstallmentState) => row.status === 'pending' || row.status === 'overdue';

/**
 * Early payoff (提前结清) of a loan in its current state, free: installments already due are paid as
 * scheduled; the rest pays its principal, plus interest for the days since the last due date
 * (money's quotePayoff) unless the current period's installment was paid ahead; the remaining
 * installments' fees are waived. Pure: the schedule and the day are arguments.
 */
export function payoffFromSchedule(
  terms: LoanTerms,
  installments: readonly InstallmentState[],
  payoffDate: string,
): SchedulePayoff {
  const day = payoffDate < terms.startDate ? terms.startDate : payoffDate;
  const rows = [...installments].sort((a, b) => a.period - b.period);
  const next = rows.find((row) => row.dueDate > day);
  const quote = quotePayoff(terms, day);
  const accrued = next !== undefined && isOpen(next) ? quote.interestFen : 0;
  let principalFen = 0;
  let interestFen = accrued;
  let feeFen = 0;
  let totalFen = accrued;
  for (const row of rows) {
    if (!isOpen(row)) continue;
    principalFen += row.principalFen;
    if (row.dueDate <= day) {
      interestFen += row.interestFen;
      feeFen += row.feeFen + row.penaltyFen;
      totalFen += row.principalFen + row.interestFen + row.feeFen + row.penaltyFen - row.paidFen;
    } else {
      totalFen += row.principalFen;
    }
  }
  return {
    principalFen,
    interestFen,
    feeFen,
    totalFen,
    accrualStartDate: quote.accrualStartDate,
    accrualDays: accrued === 0 ? 0 : quote.accrualDays,
  };
}
