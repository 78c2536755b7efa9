import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import { applicationMigrations } from '../applications/migrations.ts';
import { auditMigrations } from '../audit/migrations.ts';
import { borrowerMigrations } from '../borrowers/migrations.ts';
import { channelMigrations } from '../channels/migrations.ts';
import { demoMigrations } from '../demo/migrations.ts';
import { ledgerMigrations } from '../ledger/migrations.ts';
import { lenderMigrations, lenderPreCheckKeys } from '../lenders/migrations.ts';
import { loanMigrations } from '../loans/migrations.ts';
import { marketplaceMigrations } from '../marketplace/migrations.ts';
import { operatorMigrations } from '../operators/migrations.ts';
import { protocolMigrations } from '../protocol/migrations.ts';
import { settlementMigrations } from '../settlement/migrations.ts';
import { whitelistLookupOnHashes, whitelistMigrations } from '../whitelist/migrations.ts';
import type { Database } from './schema.ts';

/**
 * Migrations of one change that spans modules and got one sequence number: each module's part
 * stays in that module's migrations.ts (it owns its tables and functions); the step runs them in
 * order.
 */
const CROSS_MODULE_MIGRATIONS: Readonly<Record<string, Migration>> = {
  // Issue 10, private pre-checks: per-partner HMAC keys, and whitelist lookups on hashes computed
  // in Node, so that no plain phone is a bind parameter.
  '0131_private_pre_checks': {
    async up(db) {
      await lenderPreCheckKeys.up(db);
      await whitelistLookupOnHashes.up(db);
    },
  },
};

/**
 * Every module's migrations. Names start with a global sequence number so that the order across
 * modules is fixed; a migration, once shipped, is never edited — add a new one.
 */
const MODULE_MIGRATIONS: readonly Readonly<Record<string, Migration>>[] = [
  operatorMigrations,
  auditMigrations,
  demoMigrations,
  lenderMigrations,
  protocolMigrations,
  borrowerMigrations,
  channelMigrations,
  whitelistMigrations,
  applicationMigrations,
  marketplaceMigrations,
  loanMigrations,
  ledgerMigrations,
  settlementMigrations,
  CROSS_MODULE_MIGRATIONS,
];

/** Every migration in the order Kysely runs them: by name (a module may add one much later). */
export const ALL_MIGRATIONS: Readonly<Record<string, Migration>> = Object.fromEntries(
  MODULE_MIGRATIONS.flatMap((migrations) => Object.entries(migrations)).sort(([a], [b]) => (a < b ? -1 : 1)),
);

/** Names of the migrations, one per sequence number, for the check that no two modules clash. */
export function migrationSequenceClashes(): string[] {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const name of MODULE_MIGRATIONS.flatMap((migrations) => Object.keys(migrations))) {
    const sequence = name.slice(0, 4);
    const other = seen.get(sequence);
    if (other !== undefined) clashes.push(`${other} and ${name}`);
    seen.set(sequence, name);
  }
  return clashes;
}

const provider: MigrationProvider = { getMigrations: async () => ({ ...ALL_MIGRATIONS }) };

export interface MigrationReport {
  readonly applied: readonly string[];
}

/** Applies every pending migration; safe to call from several processes at once (Kysely locks). */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(
      `Migration ${failed ?? '(unknown)'} failed: ${String((error as Error).message ?? error)}`,
      {
        cause: error,
      },
    );
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** True when every known migration has been applied. */
export async function isFullyMigrated(db: Kysely<Database>): Promise<boolean> {
  const migrations = await new Migrator({ db, provider }).getMigrations();
  return migrations.every((migration) => migration.executedAt !== undefined);
}
