/**
 * Statement downloads: CSV (one line per loan and month, then a TOTAL line; amounts in yuan with
 * two decimals, exact) and XLSX (a summary sheet and a lines sheet, amounts as numbers shown 0.00).
 */
import { toCsv } from '../shared/csv.ts';
import { yuan } from './rounding.ts';
import type { StatementLine, StatementTotals } from './statement-builder.ts';
import type { Statement } from './statements.ts';
import { type Cell, writeXlsx } from './xlsx.ts';

const LINE_HEADER = [
  'line',
  'loan_id',
  'lender_loan_id',
  'channel',
  'business_month',
  'events',
  'disbursed_principal',
  'principal_collected',
  'interest_collected',
  'fees_collected',
  'referral_fee',
  'service_fee_on_interest',
  'service_fee_on_fees',
  'total_fee',
] as const;

function amounts(row: StatementLine | StatementTotals): number[] {
  return [
    row.disbursedPrincipalFen,
    row.principalCollectedFen,
    row.interestCollectedFen,
    row.feesCollectedFen,
    row.referralFen,
    row.serviceInterestFen,
    row.serviceFeeFen,
    row.totalFen,
  ];
}

export function statementFileName(statement: Statement, extension: 'csv' | 'xlsx'): string {
  const scope = statement.channelScope === '*' ? '' : `-${statement.channelScope}`;
  return `statement-${statement.lenderCode}-${statement.month}${scope}.${extension}`;
}

export function statementCsv(statement: Statement, lines: readonly StatementLine[]): string {
  return toCsv([
    [...LINE_HEADER],
    ...lines.map((line) => [
      line.lineNo,
      line.loanId,
      line.lenderLoanId,
      line.channelCode,
      line.businessMonth,
      line.events,
      ...amounts(line).map(yuan),
    ]),
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
    ['disbursed principal', { fen: t.disbursedPrincipalFen }],
    ['principal collected', { fen: t.principalCollectedFen }],
    ['interest collected', { fen: t.interestCollectedFen }],
    ['fees collected', { fen: t.feesCollectedFen }],
    ['referral fees', { fen: t.referralFen }],
    ['service fee on interest', { fen: t.serviceInterestFen }],
    ['service fee on fees', { fen: t.serviceFeeFen }],
    ['total due', { fen: t.totalFen }],
    [],
    ['channel', 'lines', 'total due'],
    ...byChannel.map((c): Cell[] => [c.channelCode, c.lineCount, { fen: c.totalFen }]),
  ];
  const rows: Cell[][] = [
    [...LINE_HEADER],
    ...lines.map((line): Cell[] => [
      line.lineNo,
      line.loanId,
      line.lenderLoanId,
      line.channelCode,
      line.businessMonth,
      line.events,
      ...amounts(line).map((fen) => ({ fen })),
    ]),
    ['TOTAL', null, null, null, null, t.eventCount, ...amounts(t).map((fen) => ({ fen }))],
  ];
  return writeXlsx([
    { name: 'Summary', rows: summary },
    { name: 'Lines', rows },
  ]);
}
