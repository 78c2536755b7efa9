/**
 * A sandbox loan's schedule and what a repayment settles: pure, computed with the sandbox's own
 * calculator (calculator.ts, written from docs/money.md independently of src/money), so that the
 * platform's "to the fen" checks of what the sandbox pushes compare two implementations. Only the
 * 24% cap check of the penalty fault uses the platform's APR solver (src/money).
 *
 * Simplifications a real lender would not make: installments are paid whole and in order (the
 * earliest unpaid first), there are no fees, and an installment falls overdue only when a fault
 * says so (the sandbox clock never runs past a due date on its own), with a penalty for a given
 * number of days.
 */
import { checkScheduleWithinCap } from '../../src/money/index.ts';
import type { ScheduleInstallment } from '../sdk/index.ts';
import {
  type CalculatorTerms,
  payoffInterest,
  type SandboxDayCount,
  type SandboxMethod,
  schedule,
} from './calculator.ts';

export interface LoanTerms {
  readonly principalFen: number;
  readonly termMonths: number;
  readonly method: SandboxMethod;
  /** All-in APR of the approved offer, used as the nominal annual rate (no fees, so they agree). */
  readonly apr: string;
  readonly startDate: string;
  /** The product's day count; ACT/360 when absent (loans booked before it was kept). */
  readonly dayCount?: SandboxDayCount;
}

/**
 * A loan's terms as the calculator takes them: the offer's APR is the nominal annual rate, and the
 * day count is passed only when the loan kept one (the calculator defaults to ACT/360), so the
 * schedule and the payoff interest are computed from the very same terms.
 */
function calculatorTerms(terms: LoanTerms): CalculatorTerms {
  return {
    principalFen: terms.principalFen,
    termMonths: terms.termMonths,
    method: terms.method,
    annualRate: terms.apr,
    startDate: terms.startDate,
    ...(terms.dayCount ? { dayCount: terms.dayCount } : {}),
  };
}

/** The first schedule of a loan: every installment pending. */
export function initialSchedule(terms: LoanTerms): ScheduleInstallment[] {
  const rows = schedule(calculatorTerms(terms));
  return rows.map((row) => ({
    period: row.period,
    dueDate: row.dueDate,
    principalFen: row.principalFen,
    interestFen: row.interestFen,
    feeFen: 0,
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

/**
 * The prepayment-fee fault: an early payoff charged `feeFen` more (as a fee), so the payoff call
 * must carry it. The protocol forbids it — early payoff is free — and the conformance kit's
 * `payoff` check must catch it.
 */
export function withPrepaymentFee(result: SettlementResult, feeFen: number): SettlementResult {
  if (!result.ok || feeFen === 0 || !result.earlyPayoff) return result;
  return { ...result, feeFen: result.feeFen + feeFen, totalFen: result.totalFen + feeFen };
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
 * rest pays its principal plus interest for the days since the last due date (the calculator's
 * `payoffInterest`), none when the next installment was already paid ahead. Fees (and penalties) of
 * the remaining installments are waived — the same amount as the platform's payoff quote
 * (src/loans/payoff.ts).
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
    accrued = payoffInterest(calculatorTerms(terms), day).interestFen;
  }
  const after = schedule.map((row): ScheduleInstallment => {
    if (!isOpen(row)) return row;
    if (row.dueDate <= day) return paid(row);
    const interestFen = row === next ? accrued : 0;
    // Not due yet by the calendar, so nothing is owed for lateness either: an installment the
    // overdue fault made overdue ahead of its due date has its penalty waived, as on the platform.
    return paid({ ...row, interestFen, feeFen: 0, penaltyFen: 0 });
  });
  return settlement(schedule, after, next !== undefined);
}

/** How an installment falls overdue (the `overdue` fault). */
export interface OverdueTerms {
  /** The installment that falls overdue; default the earliest unpaid. Unpaid ones before it fall with it. */
  readonly period?: number;
  /** Annual penalty rate (罚息利率), a decimal string in [0, 1]. */
  readonly penaltyRate: string;
  /** Days overdue the penalty is charged for. */
  readonly days: number;
}

export interface OverduePlan {
  readonly installments: readonly ScheduleInstallment[];
  /** The installments that fell overdue now. */
  readonly periods: readonly number[];
  /** The penalties charged now, in all. */
  readonly penaltyFen: number;
  /** The penalties were lowered to keep the all-in APR within the 24% cap. */
  readonly capped: boolean;
}

/** Days in the year of a daily penalty rate (日利率 = 年利率 / 360). */
export const PENALTY_DAY_BASIS = 360;

/** A rate string as an exact fraction num/den. */
function rateFraction(rate: string): { num: bigint; den: bigint } {
  const [whole = '0', decimals = ''] = rate.split('.');
  return { num: BigInt(whole + decimals), den: 10n ** BigInt(decimals.length) };
}

/** num / den rounded half up, for non-negative operands. */
function halfUp(num: bigint, den: bigint): bigint {
  return (2n * num + den) / (2n * den);
}

/**
 * The penalty of one overdue installment, exact to the fen: its principal and interest (逾期本息)
 * × the annual penalty rate × days / 360, rounded half up.
 */
export function penaltyFen(row: ScheduleInstallment, penaltyRate: string, days: number): number {
  const { num, den } = rateFraction(penaltyRate);
  const base = BigInt(row.principalFen + row.interestFen);
  return Number(halfUp(base * num * BigInt(days), den * BigInt(PENALTY_DAY_BASIS)));
}

/** Whether the schedule's all-in APR, penalties counted on their due dates, is within the 24% cap. */
function withinCap(terms: LoanTerms, schedule: readonly ScheduleInstallment[]): boolean {
  const cap = checkScheduleWithinCap({
    amountReceivedFen: terms.principalFen,
    startDate: terms.startDate,
    installments: schedule.map((row) => ({
      dueDate: row.dueDate,
      totalFen: row.principalFen + row.interestFen + row.feeFen + row.penaltyFen,
    })),
  });
  // Only the cap binds (as on the platform): a price below the floor harms no borrower.
  return cap.ok || cap.reason !== 'APR_ABOVE_CAP';
}

/**
 * The schedule with installment `period` (and any unpaid one before it) overdue, each charged its
 * penalty; `undefined` when no pending installment is concerned (already paid or already overdue).
 *
 * The penalties are kept within the 24% cap on the all-in price: counted as paid on their due
 * dates (a borrower pays them later, which only lowers the APR), the schedule's IRR APR must not
 * exceed 24%. When it would, every new penalty is scaled down by the same factor, to the largest
 * that fits (to 1/10,000, each rounded half up), and `capped` says so.
 */
export function overdueSchedule(
  terms: LoanTerms,
  schedule: readonly ScheduleInstallment[],
  overdue: OverdueTerms,
): OverduePlan | undefined {
  const target = overdue.period ?? schedule.find(isOpen)?.period;
  if (target === undefined) return undefined;
  const falling = schedule.filter((row) => row.status === 'pending' && row.period <= target);
  if (falling.length === 0) return undefined;
  const full = new Map(
    falling.map((row) => [row.period, penaltyFen(row, overdue.penaltyRate, overdue.days)]),
  );
  const SCALE = 10_000n;
  const at = (step: bigint) =>
    schedule.map((row): ScheduleInstallment => {
      const penalty = full.get(row.period);
      if (penalty === undefined) return row;
      const scaled = Number(halfUp(BigInt(penalty) * step, SCALE));
      return { ...row, status: 'overdue', penaltyFen: row.penaltyFen + scaled };
    });
  let installments = at(SCALE);
  let capped = false;
  if (!withinCap(terms, installments)) {
    capped = true;
    // The largest step whose penalties fit: step 0 adds nothing, so the search has a floor.
    let low = 0n;
    let high = SCALE;
    while (high - low > 1n) {
      const mid = (low + high) / 2n;
      if (withinCap(terms, at(mid))) low = mid;
      else high = mid;
    }
    installments = at(low);
  }
  const added = installments.reduce((sum, row, i) => sum + row.penaltyFen - schedule[i]!.penaltyFen, 0);
  return { installments, periods: falling.map((row) => row.period), penaltyFen: added, capped };
}

/** Whether any installment is overdue. */
export function hasOverdue(schedule: readonly ScheduleInstallment[]): boolean {
  return schedule.some((row) => row.status === 'overdue');
}
