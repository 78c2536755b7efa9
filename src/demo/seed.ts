import type { Kysely, Transaction } from 'kysely';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { seedDemoAgreements } from '../borrowers/demo.ts';
import { DEMO_CHANNELS, seedDemoChannels } from '../channels/demo.ts';
import type { Database } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { seedDemoLenders } from '../lenders/demo.ts';
import { createLenderServices } from '../lenders/index.ts';
import { generatePassword } from '../operators/password.ts';
import { OperatorService } from '../operators/service.ts';
import type { Clock } from '../shared/clock.ts';
import { seedDemoWhitelists } from '../whitelist/demo.ts';
import { lenderDirectoryFrom } from '../wiring/lenders-adapter.ts';

/** What seeding produced that a person must see once (e.g. generated demo passwords). */
export interface SeedNotice {
  readonly step: string;
  readonly lines: readonly string[];
}

export interface SeedContext {
  readonly trx: Transaction<Database>;
  readonly clock: Clock;
  /**
   * Seals demo secrets (the demo channels' private keys, the demo partners' pre-check keys);
   * absent where a caller has none.
   */
  readonly masterKey?: Buffer;
}

/** A named, run-once unit of demo data. Steps are never renamed; new data gets a new step. */
export interface SeedStep {
  readonly name: string;
  run(context: SeedContext): Promise<readonly string[]>;
}

/** Demo operator accounts, one per role besides admin, sharing one generated password. */
const demoOperators: SeedStep = {
  name: 'operators-v1',
  async run({ trx, clock }) {
    const password = generatePassword();
    const operators = new OperatorService(trx, { clock, sessionTtlMinutes: 60 });
    for (const role of ['operator', 'finance', 'compliance'] as const) {
      await operators.create(
        { email: `${role}@demo.lendgate.local`, displayName: `Demo ${role}`, password, roles: [role] },
        SYSTEM_ACTOR,
        undefined,
        { generatedPassword: true },
      );
    }
    return [
      `demo operator accounts operator@, finance@, compliance@demo.lendgate.local, password: ${password}`,
    ];
  },
};

/** Fictional sandbox partners with approved products (src/lenders/demo.ts). */
const demoLenders: SeedStep = {
  name: 'lenders-v1',
  run: ({ trx, clock, masterKey }) => seedDemoLenders(trx, clock, masterKey),
};

/** Agreement texts: the platform's, and per demo lender its authorization and loan agreement. */
const demoAgreements: SeedStep = {
  name: 'agreements-v1',
  run: ({ trx, clock }) => {
    const lenders = createLenderServices(trx, { clock });
    return seedDemoAgreements(trx, clock, { lenders, directory: lenderDirectoryFrom(lenders) });
  },
};

/** Demo channels shop, maps, resale with generated signing keys (src/channels/demo.ts). */
const demoChannels: SeedStep = {
  name: 'channels-v1',
  run: ({ trx, clock, masterKey }) => seedDemoChannels(trx, clock, masterKey),
};

/** An active whitelist on each demo channel (src/whitelist/demo.ts). */
const demoWhitelists: SeedStep = {
  name: 'whitelists-v1',
  run: ({ trx, clock }) =>
    seedDemoWhitelists(
      trx,
      clock,
      DEMO_CHANNELS.map((channel) => channel.code),
    ),
};

export const DEMO_STEPS: readonly SeedStep[] = [
  demoOperators,
  demoLenders,
  demoAgreements,
  demoChannels,
  demoWhitelists,
];

/**
 * Runs every demo step that has not run yet, each in its own transaction together with its marker
 * row. The marker's primary key makes a concurrent second process fail that step's transaction
 * instead of seeding twice.
 */
export async function seedDemo(
  db: Kysely<Database>,
  clock: Clock,
  steps: readonly SeedStep[] = DEMO_STEPS,
  masterKey?: Buffer,
): Promise<SeedNotice[]> {
  const notices: SeedNotice[] = [];
  for (const step of steps) {
    const lines = await inTransaction(db, async (trx) => {
      const claimed = await trx
        .insertInto('demo_seed_steps')
        .values({ step: step.name })
        .onConflict((oc) => oc.column('step').doNothing())
        .returning('step')
        .executeTakeFirst();
      if (!claimed) return null;
      return step.run({ trx, clock, ...(masterKey ? { masterKey } : {}) });
    });
    if (lines && lines.length > 0) notices.push({ step: step.name, lines });
  }
  return notices;
}
