/**
 * APR and cap check for a schedule given as data — our own quote, or one a lender sends back
 * in a callback — rather than as loan terms. Installments must fall on monthly due dates of
 * the start date (same day of month, clamped), because the APR is 12 × a monthly IRR.
 */
import { annualIrr, formatApr } from './apr.ts';
import { type CapCheckResult, checkAprWithinCap } from './cap.ts';
import { addMonthsClamped, parseIsoDate } from './dates.ts';
import { MoneyValidationError } from './errors.ts';
import { MAX_PRINCIPAL_FEN, requireFen } from './fen.ts';
import { MAX_TERM_MONTHS } from './terms.ts';

/** A schedule as cash flows: what the borrower received on the start date, and what they repay. */
export interface ScheduleCashFlows {
  readonly amountReceivedFen: number;
  /** ISO `YYYY-MM-DD` disbursement date. */
  readonly startDate: string;
  readonly installments: readonly { readonly dueDate: string; readonly totalFen: number }[];
}

/** Largest single installment accepted, generous but keeping sums exact. */
const MAX_INSTALLMENT_FEN = 4 * MAX_PRINCIPAL_FEN;

/**
 * All-in APR of a schedule (IRR method, 6 places).
 * @throws MoneyValidationError naming the bad field, e.g. `installments[3].dueDate` when a due
 * date is not a monthly due date of the start date.
 */
export function scheduleApr(schedule: ScheduleCashFlows): string {
  const received = requireFen(schedule.amountReceivedFen, 'amountReceivedFen', 1, MAX_PRINCIPAL_FEN);
  const start = parseIsoDate(schedule.startDate, 'startDate');
  if (!Array.isArray(schedule.installments) || schedule.installments.length === 0) {
    throw new MoneyValidationError('installments', 'installments must be a non-empty list');
  }
  const flows = new Float64Array(MAX_TERM_MONTHS);
  let lastMonth = 0;
  schedule.installments.forEach((installment, i) => {
    const field = `installments[${i}]`;
    const total = requireFen(installment.totalFen, `${field}.totalFen`, 0, MAX_INSTALLMENT_FEN);
    const due = parseIsoDate(installment.dueDate, `${field}.dueDate`);
    const month = (due.year - start.year) * 12 + (due.month - start.month);
    if (month < 1 || month > MAX_TERM_MONTHS || addMonthsClamped(start, month).epochDay !== due.epochDay) {
      throw new MoneyValidationError(
        `${field}.dueDate`,
        `${field}.dueDate must be a monthly due date of the start date, 1 to ${MAX_TERM_MONTHS} months later`,
      );
    }
    flows[month - 1]! += total;
    lastMonth = Math.max(lastMonth, month);
  });
  if (flows.every((c) => c === 0)) {
    throw new MoneyValidationError('installments', 'installments must repay a positive amount');
  }
  return formatApr(annualIrr(received, flows.subarray(0, lastMonth)));
}

/** Whether a schedule's all-in APR lies within [3.6%, 24%]. */
export function checkScheduleWithinCap(schedule: ScheduleCashFlows): CapCheckResult {
  return checkAprWithinCap(scheduleApr(schedule));
}
