/**
 * Statement downloads: CSV (one line per loan and month, then a TOTAL line; amounts in yuan with
 * two decimals, exact) and XLSX (a summary sheet and a lines sheet, amounts as numbers shown 0.00).
 */
import { toCsv } from '../shared/csv.ts';
import { yuan } from './rounding.ts';
import type { OwedAmounts, StatementLine } from './statement-builder.ts';
import type { Statement } from './statements.ts';
import { type Cell, writeXlsx } from './xlsx.ts';

/**
 * The money columns of a line and of the totals, in file order: the lines' header and the
 * summary's label of each. One list, so that the two sheets and the CSV cannot disagree.
 */
const AMOUNT_COLUMNS: readonly {
  readonly header: string;
  readonly label: string;
  readonly fen: (row: OwedAmounts) => number;
}[] = [
  { header: 'disbursed_principal', label: 'disbursed principal', fen: (r) => r.disbursedPrincipalFen },
  { header: 'principal_collected', label: 'principal collected', fen: (r) => r.principalCollectedFen },
  { header: 'interest_collected', label: 'interest collected', fen: (r) => r.interestCollectedFen },
  { header: 'fees_collected', label: 'fees collected', fen: (r) => r.feesCollectedFen },
  { header: 'referral_fee', label: 'referral fees', fen: (r) => r.referralFen },
  { header: 'service_fee_on_interest', label: 'service fee on interest', fen: (r) => r.serviceInterestFen },
  { header: 'service_fee_on_fees', label: 'service fee on fees', fen: (r) => r.serviceFeeFen },
  { header: 'total_fee', label: 'total due', fen: (r) => r.totalFen },
];

const LINE_HEADER = [
  'line',
  'loan_id',
  'lender_loan_id',
  'channel',
  'business_month',
  'events',
  ...AMOUNT_COLUMNS.map((column) => column.header),
];

function amounts(row: OwedAmounts): number[] {
  return AMOUNT_COLUMNS.map((column) => column.fen(row));
}

/** A line's cells before its amounts. */
function lineKey(line: StatementLine): (string | number)[] {
  return [line.lineNo, line.loanId, line.lenderLoanId, line.channelCode, line.businessMonth, line.events];
}

export function statementFileName(statement: Statement, extension: 'csv' | 'xlsx'): string {
  const scope = statement.channelScope === '*' ? '' : `-${statement.channelScope}`;
  return `statement-${statement.lenderCode}-${statement.month}${scope}.${extension}`;
}

export function statementCsv(statement: Statement, lines: readonly StatementLine[]): string {
  return toCsv([
    LINE_HEADER,
    ...lines.map((line) => [...lineKey(line), ...amounts(line).map(yuan)]),
    [
      'TOTAL',
      '',
      '',
      statement.channelScope,
      statement.month,
      statement.totals.eventCount,
      ...amounts(statement.totals).map(yuan),
    ],
  ]);
}

export function statementXlsx(
  statement: Statement,
  lines: readonly StatementLine[],
  byChannel: readonly {
    readonly channelCode: string;
    readonly lineCount: number;
    readonly totalFen: number;
  }[],
): Buffer {
  const t = statement.totals;
  const summary: Cell[][] = [
    ['Lendgate revenue-share statement'],
    ['lender', statement.lenderCode],
    ['month', statement.month],
    ['scope', statement.channelScope === '*' ? 'all channels' : `channel ${statement.channelScope}`],
    ['status', statement.status],
    ['statement id', statement.id],
    ['generated at', statement.generatedAt],
    [],
    ['lines', t.lineCount],
    ['events', t.eventCount],
    ...AMOUNT_COLUMNS.map((column): Cell[] => [column.label, { fen: column.fen(t) }]),
    [],
    ['channel', 'lines', 'total due'],
    ...byChannel.map((c): Cell[] => [c.channelCode, c.lineCount, { fen: c.totalFen }]),
  ];
  const rows: Cell[][] = [
    LINE_HEADER,
    ...lines.map((line): Cell[] => [...lineKey(line), ...amounts(line).map((fen) => ({ fen }))]),
    ['TOTAL', null, null, null, null, t.eventCount, ...amounts(t).map((fen) => ({ fen }))],
  ];
  return writeXlsx([
    { name: 'Summary', rows: summary },
    { name: 'Lines', rows },
  ]);
}
