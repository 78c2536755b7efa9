/**
 * A sandbox loan's schedule and what a repayment settles: pure, on top of src/money (the same loan
 * math the platform uses, so the schedule the sandbox pushes is the one the platform quoted).
 *
 * Simplifications a real lender would not make: installments are paid whole and in order (the
 * earliest unpaid first), there are no fees, no penalties and no overdue (the sandbox clock never
 * runs past a due date on its own).
 */
import { quoteLoan, quotePayoff, type RepaymentMethod } from '../../src/money/index.ts';
import type { ScheduleInstallment } from '../sdk/index.ts';

export interface LoanTerms {
  readonly principalFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
  /** All-in APR of the approved offer, used as the nominal annual rate (no fees, so they agree). */
  readonly apr: string;
  readonly startDate: string;
}

/** The first schedule of a loan: every installment pending. */
export function initialSchedule(terms: LoanTerms): ScheduleInstallment[] {
  const quote = quoteLoan({
    principalFen: terms.principalFen,
    termMonths: terms.termMonths,
    method: terms.method,
    annualRate: terms.apr,
    startDate: terms.startDate,
  });
  return quote.installments.map((row) => ({
    period: row.period,
    dueDate: row.dueDate,
    principalFen: row.principalFen,
    interestFen: row.interestFen,
    feeFen: row.feeFen,
    penaltyFen: 0,
    paidFen: 0,
    status: 'pending',
  }));
}

function isOpen(row: ScheduleInstallment): boolean {
  return row.status === 'pending' || row.status === 'overdue';
}

function paid(row: ScheduleInstallment): ScheduleInstallment {
  return {
    ...row,
    paidFen: row.principalFen + row.interestFen + row.feeFen + row.penaltyFen,
    status: 'paid',
  };
}

/** What one repayment settles, and the schedule after it. */
export interface Settlement {
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly penaltyFen: number;
  /** The sum of the four parts: the amount the repayment must carry. */
  readonly totalFen: number;
  readonly periods: readonly number[];
  readonly earlyPayoff: boolean;
  readonly installments: readonly ScheduleInstallment[];
  /** Every installment is paid after this repayment. */
  readonly settled: boolean;
}

export type SettlementResult =
  | ({ readonly ok: true } & Settlement)
  | { readonly ok: false; readonly message: string };

function settlement(
  before: readonly ScheduleInstallment[],
  after: readonly ScheduleInstallment[],
  earlyPayoff: boolean,
): SettlementResult {
  let principalFen = 0;
  let interestFen = 0;
  let feeFen = 0;
  let penaltyFen = 0;
  const periods: number[] = [];
  after.forEach((row, i) => {
    if (!isOpen(before[i]!) || row.status !== 'paid') return;
    principalFen += row.principalFen;
    interestFen += row.interestFen;
    feeFen += row.feeFen;
    penaltyFen += row.penaltyFen;
    periods.push(row.period);
  });
  return {
    ok: true,
    principalFen,
    interestFen,
    feeFen,
    penaltyFen,
    totalFen: principalFen + interestFen + feeFen + penaltyFen,
    periods,
    earlyPayoff,
    installments: after,
    settled: after.every((row) => !isOpen(row)),
  };
}

/** Refuses a settlement whose amount is not exactly what it pays off. */
export function withAmount(result: SettlementResult, amountFen: number): SettlementResult {
  if (!result.ok || result.totalFen === amountFen) return result;
  return { ok: false, message: `amountFen must be ${result.totalFen} for this repayment, not ${amountFen}` };
}

/** Pays whole installments; they must be the earliest unpaid ones, in order. */
export function planInstallments(
  schedule: readonly ScheduleInstallment[],
  periods: readonly number[],
): SettlementResult {
  const open = schedule.filter(isOpen).map((row) => row.period);
  if (open.length === 0) return { ok: false, message: 'the loan is already settled' };
  const expected = open.slice(0, periods.length);
  if (periods.length > open.length || periods.some((p, i) => p !== expected[i]))
    return {
      ok: false,
      message: `installments are paid in order: the next unpaid ones are ${expected.join(', ')}`,
    };
  const chosen = new Set(periods);
  return settlement(
    schedule,
    schedule.map((row) => (chosen.has(row.period) ? paid(row) : row)),
    false,
  );
}

/**
 * Early payoff (提前结清) on `payoffDate`, free: installments due by then are paid as scheduled; the
 * rest pays its principal plus interest for the days since the last due date (src/money
 * `quotePayoff`), none when the next installment was already paid ahead. Fees of the remaining
 * installments are waived.
 */
export function planPayoff(
  terms: LoanTerms,
  schedule: readonly ScheduleInstallment[],
  payoffDate: string,
): SettlementResult {
  if (!schedule.some(isOpen)) return { ok: false, message: 'the loan is already settled' };
  const day = payoffDate < terms.startDate ? terms.startDate : payoffDate;
  const next = schedule.find((row) => row.dueDate > day);
  let accrued = 0;
  if (next !== undefined && isOpen(next)) {
    accrued = quotePayoff(
      {
        principalFen: terms.principalFen,
        termMonths: terms.termMonths,
        method: terms.method,
        annualRate: terms.apr,
        startDate: terms.startDate,
      },
      day,
    ).interestFen;
  }
  const after = schedule.map((row): ScheduleInstallment => {
    if (!isOpen(row)) return row;
    if (row.dueDate <= day) return paid(row);
    const interestFen = row === next ? accrued : 0;
    return paid({ ...row, interestFen, feeFen: 0 });
  });
  return settlement(schedule, after, next !== undefined);
}
