/**
 * `lendgate ledger …`, `lendgate statements …`, `lendgate reconcile …`: the settlement commands
 * finance staff (or a scheduled job) run from the shell.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { Actor } from '../audit/audit-log.ts';
import { migrateToLatest } from '../db/migrations.ts';
import { createLenderServices } from '../lenders/index.ts';
import {
  createSettlementServices,
  type SettlementServices,
  statementCsv,
  statementFileName,
  statementXlsx,
} from '../settlement/index.ts';
import { yuan } from '../settlement/rounding.ts';
import { systemClock } from '../shared/clock.ts';
import { openCliDatabase } from './database.ts';

const CLI_ACTOR: Actor = { type: 'system', id: 'cli' };

/** The CLI runner prints the usage for a TypeError that has a code (as node:util parseArgs throws). */
function usageError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_LENDGATE_USAGE' });
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function withSettlement<T>(work: (settlement: SettlementServices) => Promise<T>): Promise<T> {
  const handle = await openCliDatabase('settlement');
  try {
    await migrateToLatest(handle.db);
    const lenders = createLenderServices(handle.db, { clock: systemClock });
    return await work(
      createSettlementServices(handle.db, {
        clock: systemClock,
        lenders: { isKnownLender: async (code) => (await lenders.partners.findByCode(code)) !== undefined },
      }),
    );
  } finally {
    await handle.close();
  }
}

function format(value: string | undefined): 'csv' | 'xlsx' {
  if (value === undefined || value === 'csv' || value === 'xlsx') return value ?? 'csv';
  throw usageError('--format must be csv or xlsx');
}

export const ledgerCommand = {
  summary: 'Verify the ledger’s hash chain and balances, or print account balances',
  usage: 'lendgate ledger verify\n       lendgate ledger balances [--prefix lender:]',
  async run(args: readonly string[]): Promise<number | undefined> {
    const [sub, ...rest] = args;
    const { values } = parseArgs({ args: rest, options: { prefix: { type: 'string' } } });
    if (sub === 'verify') {
      return withSettlement(async ({ ledger }) => {
        const result = await ledger.verify();
        if (result.ok) {
          print(`Ledger OK: ${result.entries} entries, chain head at ${result.headSeq}.`);
          return 0;
        }
        print(
          `Ledger BROKEN at entry ${result.problem?.seq}: ${result.problem?.problem} (${result.entries} entries verified before it).`,
        );
        return 1;
      });
    }
    if (sub === 'balances') {
      return withSettlement(async ({ ledger }) => {
        for (const balance of await ledger.balances(values.prefix)) {
          print(`${balance.account.padEnd(48)} ${yuan(balance.balanceFen).padStart(16)}`);
        }
        return 0;
      });
    }
    throw usageError('expected verify or balances');
  },
};

export const statementsCommand = {
  summary: 'Generate a closed month’s statement for a lender (idempotent), or export one as CSV/XLSX',
  usage:
    'lendgate statements generate --lender CODE --month YYYY-MM [--channel CODE]\n' +
    '       lendgate statements export --id STATEMENT_ID [--format csv|xlsx] [--out FILE]',
  async run(args: readonly string[]): Promise<number | undefined> {
    const [sub, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: {
        lender: { type: 'string' },
        month: { type: 'string' },
        channel: { type: 'string' },
        id: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
      },
    });
    if (sub === 'generate') {
      if (!values.lender || !values.month) throw usageError('--lender and --month are required');
      return withSettlement(async ({ statements }) => {
        const statement = await statements.generate(
          {
            lenderCode: values.lender!,
            month: values.month!,
            ...(values.channel ? { channelCode: values.channel } : {}),
          },
          CLI_ACTOR,
        );
        const t = statement.totals;
        print(
          `Statement ${statement.id} (${statement.lenderCode} ${statement.month}, ${statement.channelScope}): ${statement.status}`,
        );
        print(`  ${t.lineCount} lines, ${t.eventCount} events`);
        print(
          `  referral ${yuan(t.referralFen)}, service ${yuan(t.serviceInterestFen + t.serviceFeeFen)}, total due ${yuan(t.totalFen)} yuan`,
        );
        return 0;
      });
    }
    if (sub === 'export') {
      if (!values.id) throw usageError('--id is required');
      const kind = format(values.format);
      return withSettlement(async ({ statements }) => {
        const statement = await statements.get(values.id!);
        const lines = await statements.lines(statement.id);
        const out = values.out ?? statementFileName(statement, kind);
        writeFileSync(
          out,
          kind === 'csv'
            ? statementCsv(statement, lines)
            : statementXlsx(statement, lines, await statements.byChannel(statement.id)),
        );
        print(`Wrote ${out} (${lines.length} lines).`);
        return 0;
      });
    }
    throw usageError('expected generate or export');
  },
};

export const reconcileCommand = {
  summary: 'Import a lender’s daily reconciliation file and list the differences, or export a report',
  usage:
    'lendgate reconcile import --lender CODE --date YYYY-MM-DD --file FILE.csv\n' +
    '       lendgate reconcile report --id RUN_ID [--format csv|xlsx] [--out FILE]',
  async run(args: readonly string[]): Promise<number | undefined> {
    const [sub, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: {
        lender: { type: 'string' },
        date: { type: 'string' },
        file: { type: 'string' },
        id: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
      },
    });
    if (sub === 'import') {
      if (!values.lender || !values.date || !values.file)
        throw usageError('--lender, --date and --file are required');
      const content = readFileSync(values.file, 'utf8');
      return withSettlement(async ({ reconciliation }) => {
        const run = await reconciliation.import(
          { lenderCode: values.lender!, date: values.date!, content, fileName: basename(values.file!) },
          CLI_ACTOR,
        );
        print(
          `Run ${run.id}: ${run.fileRows} rows in the file, ${run.lendgateRecords} in Lendgate, ${run.matched} matched, ${run.differences} differences.`,
        );
        for (const d of await reconciliation.differences(run.id))
          print(`  ${d.kind.padEnd(20)} ${d.recordType} ${d.businessId}: ${d.message}`);
        return run.differences === 0 ? 0 : 2;
      });
    }
    if (sub === 'report') {
      if (!values.id) throw usageError('--id is required');
      const kind = format(values.format);
      return withSettlement(async ({ reconciliation }) => {
        const report = await reconciliation.report(values.id!, kind);
        const out = values.out ?? report.fileName;
        writeFileSync(out, report.body);
        print(`Wrote ${out}.`);
        return 0;
      });
    }
    throw usageError('expected import or report');
  },
};
