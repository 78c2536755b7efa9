/**
 * Test support for loans: a computed schedule (money module) in the shape a lender reports it in
 * its repayment-schedule callback (protocol ScheduleInstallment), which has fewer members than the
 * money module's row (no totals) and more (penalties, what was paid, each row's status).
 */
import type { Installment } from '../money/index.ts';

/** The schedule as the lender reports it, the first `paidPeriods` installments paid in full. */
export function reportedInstallments(installments: readonly Installment[], paidPeriods = 0) {
  return installments.map((row) => ({
    period: row.period,
    dueDate: row.dueDate,
    principalFen: row.principalFen,
    interestFen: row.interestFen,
    feeFen: row.feeFen,
    penaltyFen: 0,
    paidFen: row.period <= paidPeriods ? row.totalFen : 0,
    status: row.period <= paidPeriods ? 'paid' : 'pending',
  }));
}
