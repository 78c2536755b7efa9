/**
 * Pure reconciliation of one lender day: the lender's file against Lendgate's records of that
 * day. Records are keyed by (type, business id). Every difference is listed once:
 *
 * - `duplicate`: a key appears more than once in the file (the first occurrence is still matched);
 * - `missing_in_file`: Lendgate recorded it that day, the file does not list it;
 * - `missing_in_lendgate`: the file lists it for a loan Lendgate knows, Lendgate has no record;
 * - `unknown_loan`: the file lists it for a loan Lendgate does not know at all;
 * - `status_mismatch`: both have it but not as the same thing — another loan or application, a
 *   reversal on one side only, or booked on another day in Lendgate;
 * - `amount_mismatch`: same thing, different amounts (the fields that differ are named).
 */

import type { FileRecord, MoneyRecord } from './reconciliation-file.ts';
import type { DifferenceKind } from './tables.ts';

export interface LendgateRecord extends MoneyRecord {
  /** CST date Lendgate booked it on. */
  readonly businessDate: string;
  /** True for the reversal of a repayment (its amounts are negative). */
  readonly reversal: boolean;
}

export interface Difference {
  readonly kind: DifferenceKind;
  readonly recordType: string;
  readonly businessId: string;
  readonly loanId: string;
  readonly fields: readonly string[];
  readonly file: MoneyRecord | null;
  readonly lendgate: LendgateRecord | null;
  readonly message: string;
}

export interface MatchInput {
  readonly date: string;
  readonly file: readonly FileRecord[];
  /** Lendgate's records booked on `date`. */
  readonly lendgate: readonly LendgateRecord[];
  /** Lendgate's records, any day, for keys of the file absent from `lendgate`. */
  readonly elsewhere: ReadonlyMap<string, LendgateRecord>;
  /** Lender loan ids Lendgate knows. */
  readonly knownLoans: ReadonlySet<string>;
}

export interface MatchResult {
  readonly matched: number;
  readonly differences: readonly Difference[];
}

export function recordKey(record: { readonly type: string; readonly businessId: string }): string {
  return `${record.type}\u0000${record.businessId}`;
}

const AMOUNT_FIELDS = ['amountFen', 'principalFen', 'interestFen', 'feeFen', 'penaltyFen'] as const;

function strip(record: FileRecord): MoneyRecord {
  const { line: _line, ...rest } = record;
  return rest;
}

export function reconcile(input: MatchInput): MatchResult {
  const differences: Difference[] = [];
  const ours = new Map(input.lendgate.map((record) => [recordKey(record), record]));
  const seen = new Map<string, FileRecord[]>();
  for (const record of input.file) {
    const key = recordKey(record);
    const list = seen.get(key);
    if (list) list.push(record);
    else seen.set(key, [record]);
  }
  let matched = 0;
  for (const [key, occurrences] of seen) {
    const record = occurrences[0]!;
    if (occurrences.length > 1) {
      differences.push({
        kind: 'duplicate',
        recordType: record.type,
        businessId: record.businessId,
        loanId: record.loanId,
        fields: [],
        file: strip(record),
        lendgate: ours.get(key) ?? input.elsewhere.get(key) ?? null,
        message: `listed ${occurrences.length} times (lines ${occurrences.map((o) => o.line).join(', ')})`,
      });
    }
    const mine = ours.get(key);
    const other = mine ?? input.elsewhere.get(key);
    if (!other) {
      const known = input.knownLoans.has(record.loanId);
      differences.push({
        kind: known ? 'missing_in_lendgate' : 'unknown_loan',
        recordType: record.type,
        businessId: record.businessId,
        loanId: record.loanId,
        fields: [],
        file: strip(record),
        lendgate: null,
        message: known
          ? `line ${record.line}: Lendgate has no ${record.type} ${record.businessId}`
          : `line ${record.line}: Lendgate knows no loan ${record.loanId}`,
      });
      continue;
    }
    const statusFields: string[] = [];
    if (other.loanId !== record.loanId) statusFields.push('loanId');
    if (other.applicationId !== record.applicationId) statusFields.push('applicationId');
    if (other.reversal !== record.amountFen < 0) statusFields.push('reversal');
    if (!mine) statusFields.push('businessDate');
    const amountFields = AMOUNT_FIELDS.filter((field) => other[field] !== record[field]);
    if (statusFields.length > 0) {
      differences.push({
        kind: 'status_mismatch',
        recordType: record.type,
        businessId: record.businessId,
        loanId: record.loanId,
        fields: [...statusFields, ...amountFields],
        file: strip(record),
        lendgate: other,
        message: mine
          ? `line ${record.line}: differs in ${statusFields.join(', ')}`
          : `line ${record.line}: Lendgate booked it on ${other.businessDate}, not ${input.date}`,
      });
    } else if (amountFields.length > 0) {
      differences.push({
        kind: 'amount_mismatch',
        recordType: record.type,
        businessId: record.businessId,
        loanId: record.loanId,
        fields: amountFields,
        file: strip(record),
        lendgate: other,
        message: `line ${record.line}: ${amountFields.map((f) => `${f} ${record[f]} in the file, ${other[f]} in Lendgate`).join('; ')}`,
      });
    } else {
      matched += 1;
    }
  }
  for (const record of input.lendgate) {
    if (seen.has(recordKey(record))) continue;
    differences.push({
      kind: 'missing_in_file',
      recordType: record.type,
      businessId: record.businessId,
      loanId: record.loanId,
      fields: [],
      file: null,
      lendgate: record,
      message: `the file does not list ${record.type} ${record.businessId}`,
    });
  }
  return { matched, differences };
}
