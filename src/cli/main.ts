import { parseArgs } from 'node:util';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { ConfigError } from '../config.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import { migrateToLatest } from '../db/migrations.ts';
import { generatePassword } from '../operators/password.ts';
import { OperatorService } from '../operators/service.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { conformanceCommand } from './conformance.ts';
import { databaseInUseMessage, EXIT_DATABASE_IN_USE, openCliDatabase } from './database.ts';
import { ledgerCommand, reconcileCommand, statementsCommand } from './settlement.ts';
import { whitelistCommand } from './whitelist.ts';

/**
 * The operator command line: `npx lendgate <command> [options]` (or `npm run cli -- <command>`).
 * Each command opens the configured database (DATABASE_URL or the embedded one in DATA_DIR).
 */
interface Command {
  readonly summary: string;
  readonly usage: string;
  /** Resolves to the exit code, or nothing for 0. */
  run(args: readonly string[]): Promise<number | undefined>;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function withDatabase<T>(command: string, work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await openCliDatabase(command);
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

const COMMANDS: Readonly<Record<string, Command>> = {
  migrate: {
    summary: 'Apply every pending database migration',
    usage: 'lendgate migrate',
    async run() {
      await withDatabase('migrate', async ({ db }) => {
        const { applied } = await migrateToLatest(db);
        print(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
      });
    },
  },
  'create-operator': {
    summary:
      'Create an operator account (password from LENDGATE_NEW_PASSWORD, else generated and shown once)',
    usage: 'lendgate create-operator --email EMAIL --roles admin,operator,finance,compliance [--name NAME]',
    async run(args) {
      const { values } = parseArgs({
        args: [...args],
        options: { email: { type: 'string' }, roles: { type: 'string' }, name: { type: 'string' } },
      });
      if (!values.email || !values.roles) throw new UsageError('--email and --roles are required');
      const password = process.env.LENDGATE_NEW_PASSWORD ?? generatePassword();
      await withDatabase('create-operator', async ({ db }) => {
        await migrateToLatest(db);
        const operators = new OperatorService(db, { clock: systemClock, sessionTtlMinutes: 60 });
        const created = await operators.create(
          {
            email: values.email!,
            displayName: values.name ?? values.email!,
            password,
            roles: values.roles!.split(',').map((role) => role.trim()),
          },
          SYSTEM_ACTOR,
        );
        print(`Created operator ${created.email} (${created.roles.join(', ')}).`);
        if (process.env.LENDGATE_NEW_PASSWORD === undefined) print(`Password (shown once): ${password}`);
      });
    },
  },
  conformance: conformanceCommand,
  whitelist: whitelistCommand,
  ledger: ledgerCommand,
  statements: statementsCommand,
  reconcile: reconcileCommand,
};

class UsageError extends Error {}

function help(): void {
  print('Usage: lendgate <command> [options]\n\nCommands:');
  for (const [name, command] of Object.entries(COMMANDS)) print(`  ${name.padEnd(18)} ${command.summary}`);
  print('\nConfiguration comes from the environment (see README.md).');
}

async function run(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    help();
    return name === undefined ? 64 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`lendgate: unknown command "${name}"\n`);
    help();
    return 64;
  }
  try {
    return (await command.run(args)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      process.stderr.write(`lendgate ${name}: ${error.message}\nUsage: ${command.usage}\n`);
      return 64;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`lendgate: ${error.message}\n`);
      return 78;
    }
    if (error instanceof DataDirLockedError) {
      process.stderr.write(databaseInUseMessage(name, error));
      return EXIT_DATABASE_IN_USE;
    }
    if (error instanceof AppError) {
      process.stderr.write(`lendgate ${name}: ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await run(process.argv.slice(2));
