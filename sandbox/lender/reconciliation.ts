/**
 * The daily reconciliation file (对账文件): every disbursement and repayment of one day (China
 * Standard Time) with ids and amounts, as CSV, in the columns of the contract's RECONCILIATION_ROW.
 * Pure: entries in, text out. Written with csv-stringify, the library the platform reads it with
 * (csv-parse), so that both sides quote alike; the SDK itself stays free of dependencies.
 */
import { stringify } from 'csv-stringify/sync';
import { RECONCILIATION_COLUMNS } from '../sdk/schemas.ts';

export interface LedgerEntry {
  readonly type: 'disbursement' | 'repayment';
  /** drawdownId for a disbursement, repaymentId for a repayment. */
  readonly businessId: string;
  readonly loanId: string;
  readonly applicationId: string;
  /** ISO instant of the money movement. */
  readonly occurredAt: string;
  /** CST calendar day of `occurredAt`, the day whose file lists the entry. */
  readonly date: string;
  readonly amountFen: number;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly penaltyFen: number;
}

/** The file's columns, in order, from the contract. */
export { RECONCILIATION_COLUMNS };

/** CSV (RFC 4180, CRLF line ends, header row) of the entries of `date`, in time order. */
export function reconciliationCsv(entries: readonly LedgerEntry[], date: string): string {
  const rows = entries
    .filter((e) => e.date === date)
    .sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0))
    .map((e) => [
      e.type,
      e.businessId,
      e.loanId,
      e.applicationId,
      e.occurredAt,
      e.amountFen,
      e.principalFen,
      e.interestFen,
      e.feeFen,
      e.penaltyFen,
    ]);
  return stringify([[...RECONCILIATION_COLUMNS], ...rows], { record_delimiter: '\r\n' });
}
