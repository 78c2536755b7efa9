/**
 * Pure statement building: accrual sums grouped per loan and month (from SQL) → numbered lines,
 * totals and a per-channel breakdown. A line's total is what the lender owes for it: referral plus
 * both service fee parts (negative for a line made only of reversals).
 */

/** The money a statement sums, per accrual group, per line and in total. */
export interface StatementAmounts {
  readonly disbursedPrincipalFen: number;
  readonly principalCollectedFen: number;
  readonly interestCollectedFen: number;
  readonly feesCollectedFen: number;
  readonly referralFen: number;
  readonly serviceInterestFen: number;
  readonly serviceFeeFen: number;
}

/** {@link StatementAmounts} with what the lender owes for them (referral plus service fees). */
export interface OwedAmounts extends StatementAmounts {
  readonly totalFen: number;
}

export interface AccrualGroup extends StatementAmounts {
  readonly loanId: string;
  readonly lenderLoanId: string;
  readonly channelCode: string;
  readonly businessMonth: string;
  readonly events: number;
}

export interface StatementLine extends AccrualGroup, OwedAmounts {
  readonly lineNo: number;
}

export interface StatementTotals extends OwedAmounts {
  readonly lineCount: number;
  readonly eventCount: number;
}

export const EMPTY_TOTALS: StatementTotals = Object.freeze({
  lineCount: 0,
  eventCount: 0,
  disbursedPrincipalFen: 0,
  principalCollectedFen: 0,
  interestCollectedFen: 0,
  feesCollectedFen: 0,
  referralFen: 0,
  serviceInterestFen: 0,
  serviceFeeFen: 0,
  totalFen: 0,
});

export function addToTotals(totals: StatementTotals, line: StatementLine): StatementTotals {
  return {
    lineCount: totals.lineCount + 1,
    eventCount: totals.eventCount + line.events,
    disbursedPrincipalFen: totals.disbursedPrincipalFen + line.disbursedPrincipalFen,
    principalCollectedFen: totals.principalCollectedFen + line.principalCollectedFen,
    interestCollectedFen: totals.interestCollectedFen + line.interestCollectedFen,
    feesCollectedFen: totals.feesCollectedFen + line.feesCollectedFen,
    referralFen: totals.referralFen + line.referralFen,
    serviceInterestFen: totals.serviceInterestFen + line.serviceInterestFen,
    serviceFeeFen: totals.serviceFeeFen + line.serviceFeeFen,
    totalFen: totals.totalFen + line.totalFen,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lines in a stable order: late (earlier-month) lines first, then by lender loan id. */
export function buildStatement(groups: readonly AccrualGroup[]): {
  readonly lines: StatementLine[];
  readonly totals: StatementTotals;
  readonly byChannel: ReadonlyMap<string, StatementTotals>;
} {
  const sorted = [...groups].sort(
    (a, b) =>
      compareText(a.businessMonth, b.businessMonth) ||
      compareText(a.lenderLoanId, b.lenderLoanId) ||
      compareText(a.loanId, b.loanId),
  );
  let totals = EMPTY_TOTALS;
  const byChannel = new Map<string, StatementTotals>();
  const lines = sorted.map((group, index): StatementLine => {
    const line = {
      ...group,
      lineNo: index + 1,
      totalFen: group.referralFen + group.serviceInterestFen + group.serviceFeeFen,
    };
    totals = addToTotals(totals, line);
    byChannel.set(line.channelCode, addToTotals(byChannel.get(line.channelCode) ?? EMPTY_TOTALS, line));
    return line;
  });
  return { lines, totals, byChannel };
}
