/**
 * The lender's daily reconciliation file (对账文件), in the format the sandbox lender produces
 * (sandbox/lender/reconciliation.ts) and the lender contract defines (RECONCILIATION_ROW in
 * sandbox/sdk/schemas.ts): CSV (src/shared/csv.ts) with a header row of these columns, one row per
 * disbursement and repayment of the day, amounts in integer fen. A reversal is a repayment row
 * with negative amounts. Parsing is pure; a malformed file is refused with its line number.
 */
import { RECONCILIATION_COLUMNS, RECONCILIATION_ROW } from '../protocol/envelope/index.ts';
import { type CsvRecord, CsvSyntaxError, parseCsv } from '../shared/csv.ts';

/** The columns, in order, as the lender contract defines the file (sandbox/sdk/schemas.ts). */
export { RECONCILIATION_COLUMNS };

export const RECORD_TYPES = RECONCILIATION_ROW.properties.type.enum;
export type RecordType = (typeof RECORD_TYPES)[number];

/** One money movement, as either side records it. */
export interface MoneyRecord {
  readonly type: RecordType;
  readonly businessId: string;
  readonly loanId: string;
  readonly applicationId: string;
  readonly occurredAt: string;
  readonly amountFen: number;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly penaltyFen: number;
}

export interface FileRecord extends MoneyRecord {
  /** 1-based line in the file (the header is line 1). */
  readonly line: number;
}

export class ReconciliationFileError extends Error {
  readonly line: number | null;
  constructor(line: number | null, message: string) {
    super(line === null ? message : `line ${line}: ${message}`);
    this.name = 'ReconciliationFileError';
    this.line = line;
  }
}

const INTEGER = /^-?(0|[1-9]\d{0,15})$/;
const ID = new RegExp(RECONCILIATION_ROW.properties.business_id.pattern, 'u');

export const MAX_FILE_ROWS = 200_000;

export function parseReconciliationFile(text: string): FileRecord[] {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      throw new ReconciliationFileError(error.line, error.message.replace(/^line \d+: /, ''));
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) throw new ReconciliationFileError(null, 'the file is empty; a header row is required');
  const index = new Map(header.fields.map((name, i) => [name, i]));
  const missing = RECONCILIATION_COLUMNS.filter((column) => !index.has(column));
  if (missing.length > 0)
    throw new ReconciliationFileError(header.line, `missing columns: ${missing.join(', ')}`);
  if (rows.length > MAX_FILE_ROWS) throw new ReconciliationFileError(null, `more than ${MAX_FILE_ROWS} rows`);
  const out: FileRecord[] = [];
  for (const { line, fields: row } of rows) {
    const get = (column: (typeof RECONCILIATION_COLUMNS)[number]) => (row[index.get(column)!] ?? '').trim();
    const int = (column: (typeof RECONCILIATION_COLUMNS)[number]) => {
      const value = get(column);
      if (!INTEGER.test(value))
        throw new ReconciliationFileError(line, `${column} "${value}" is not an integer of fen`);
      return Number(value);
    };
    const type = get('type');
    if (!(RECORD_TYPES as readonly string[]).includes(type)) {
      throw new ReconciliationFileError(line, `type "${type}" is not disbursement or repayment`);
    }
    for (const column of ['business_id', 'loan_id', 'application_id'] as const) {
      if (!ID.test(get(column)))
        throw new ReconciliationFileError(line, `${column} "${get(column)}" is not an id`);
    }
    const occurredAt = get('occurred_at');
    if (Number.isNaN(Date.parse(occurredAt))) {
      throw new ReconciliationFileError(line, `occurred_at "${occurredAt}" is not an ISO instant`);
    }
    out.push({
      line,
      type: type as RecordType,
      businessId: get('business_id'),
      loanId: get('loan_id'),
      applicationId: get('application_id'),
      occurredAt,
      amountFen: int('amount_fen'),
      principalFen: int('principal_fen'),
      interestFen: int('interest_fen'),
      feeFen: int('fee_fen'),
      penaltyFen: int('penalty_fen'),
    });
  }
  return out;
}
