/**
 * Whitelist lookups against a 10-million-entry list, and the streamed import rate.
 *
 * The list is generated inside the database (INSERT … SELECT generate_series) — on PostgreSQL in a
 * scratch database when DATABASE_URL is set, else on PGlite in a temporary folder. Lookups are
 * compared with a baseline measured in the same run over the same driver: a primary-key lookup in
 * a one-row table, i.e. the cheapest query a round trip can carry. Then a 1,000,000-row CSV is
 * generated on the fly and streamed through the importer (validation, batches, progress).
 *
 * Sizes can be lowered for a quick look: WHITELIST_BENCH_ENTRIES, WHITELIST_BENCH_IMPORT_ROWS.
 */
import { type Kysely, sql } from 'kysely';
import { SYSTEM_ACTOR } from '../src/audit/audit-log.ts';
import { ChannelService } from '../src/channels/channel-service.ts';
import { migrateToLatest } from '../src/db/migrations.ts';
import type { Database } from '../src/db/schema.ts';
import { systemClock } from '../src/shared/clock.ts';
import { type ChannelDirectory, createWhitelistServices } from '../src/whitelist/index.ts';
import { createVersion } from '../src/whitelist/store.ts';
import { type Measurement, report } from './harness.ts';
import { openScratchDatabase } from './scratch-database.ts';

const ENTRIES = Number(process.env.WHITELIST_BENCH_ENTRIES ?? 10_000_000);
const IMPORT_ROWS = Number(process.env.WHITELIST_BENCH_IMPORT_ROWS ?? 1_000_000);
const CHANNEL = 'bench';

interface Candidate {
  readonly name: string;
  readonly operation: (i: number) => Promise<unknown>;
}

/**
 * Median ops/s of each candidate over rounds of `minMs`, with `concurrency` operations in flight.
 * Rounds are interleaved (baseline, a, b, baseline, a, b, …) so that a machine that slows down
 * during the run slows every candidate alike and the ratios stay fair.
 */
async function compareAsync(
  candidates: readonly Candidate[],
  options: { concurrency: number; rounds?: number; minMs?: number },
): Promise<Measurement[]> {
  let counter = 0;
  const runFor = async (operation: Candidate['operation'], ms: number): Promise<number> => {
    const start = performance.now();
    let calls = 0;
    const worker = async () => {
      while (performance.now() - start < ms) {
        await operation(counter++);
        calls++;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    return (calls * 1000) / (performance.now() - start);
  };
  for (const candidate of candidates) await runFor(candidate.operation, 200);
  const rounds = candidates.map(() => [] as number[]);
  for (let r = 0; r < (options.rounds ?? 7); r++) {
    for (const [k, candidate] of candidates.entries())
      rounds[k]!.push(await runFor(candidate.operation, options.minMs ?? 300));
  }
  return candidates.map((candidate, k) => {
    const sorted = [...rounds[k]!].sort((a, b) => a - b);
    return { name: candidate.name, opsPerSec: sorted[sorted.length >> 1]!, rounds: rounds[k]! };
  });
}

/** A user id spread over the whole list (a multiplicative walk, no random-number cost). */
const listed = (i: number) => `u${((i * 2_654_435_761) % ENTRIES) + 1}`;

async function* csvRows(rows: number): AsyncGenerator<string> {
  let chunk = 'channel_user_id,segment,limit_fen\n';
  for (let i = 1; i <= rows; i++) {
    chunk += `imp${i},${i % 3 === 0 ? 'standard' : 'prime'},${i % 5 === 0 ? '' : 100_000 + (i % 1000) * 100}\n`;
    if (chunk.length >= 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

async function buildList(db: Kysely<Database>): Promise<number> {
  const row = await createVersion(db, {
    channelCode: CHANNEL,
    keyType: 'channel_user_id',
    source: 'cli',
    createdBy: null,
    now: systemClock(),
  });
  const started = performance.now();
  await sql`
    INSERT INTO ${sql.table(`whitelist_entries_${row.id}`)} (version_id, key, segment, limit_fen)
    SELECT ${sql.lit(row.id)}, 'u' || g, (ARRAY['prime', 'standard', 'new', 'returning'])[1 + g % 4],
           CASE WHEN g % 3 = 0 THEN NULL ELSE 100000 + (g % 500) * 1000 END
    FROM generate_series(1, ${sql.lit(ENTRIES)}) AS g`.execute(db);
  await sql`ANALYZE ${sql.table(`whitelist_entries_${row.id}`)}`.execute(db);
  await db
    .updateTable('whitelist_versions')
    .set({ state: 'ready', rows_read: ENTRIES, rows_accepted: ENTRIES, finished_at: systemClock() })
    .where('id', '=', row.id)
    .execute();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `  generated ${ENTRIES.toLocaleString('en-US')} entries in ${seconds.toFixed(1)} s ` +
      `(${Math.round(ENTRIES / seconds).toLocaleString('en-US')} rows/s, INSERT … SELECT generate_series)`,
  );
  return row.version;
}

export default async function whitelistBench(): Promise<void> {
  // On disk, not in memory: ten million rows would not fit PGlite's WebAssembly heap.
  const scratch = await openScratchDatabase({ pglite: 'disk' });
  const { db } = scratch.handle;
  try {
    console.log(`  database: ${scratch.label}`);
    await migrateToLatest(db);
    await new ChannelService(db, { clock: systemClock }).create(
      { code: CHANNEL, name: 'bench' },
      SYSTEM_ACTOR,
    );
    let user = 'u1';
    const channels: ChannelDirectory = { statusOf: async () => 'active', channelUserIdOf: async () => user };
    const { service, importer } = createWhitelistServices(db, { clock: systemClock, channels });
    const version = await buildList(db);
    await service.activate(CHANNEL, version, SYSTEM_ACTOR);

    await sql`CREATE TABLE bench_baseline (id integer PRIMARY KEY, value text NOT NULL)`.execute(db);
    await sql`INSERT INTO bench_baseline VALUES (1, 'x')`.execute(db);
    const principal = { borrowerId: '00000000-0000-4000-8000-000000000000', channelCode: CHANNEL };

    // Sanity: the bench measures real answers, not empty ones.
    if ((await service.lookup(CHANNEL, { channelUserId: listed(12345) })) === null)
      throw new Error('lookup missed');
    if ((await service.entryFor(principal)).visible !== true) throw new Error('entry not visible');

    const concurrency = process.env.DATABASE_URL ? [1, 8] : [1];
    for (const inFlight of concurrency) {
      console.log(`  ${inFlight} in flight (median of 7 interleaved rounds):`);
      const measured = await compareAsync(
        [
          {
            name: 'baseline: PK lookup, 1-row table',
            operation: () => sql`SELECT value FROM bench_baseline WHERE id = ${1}`.execute(db),
          },
          {
            name: `whitelist lookup (hit, ${(ENTRIES / 1e6).toFixed(ENTRIES < 1e6 ? 1 : 0)}M list)`,
            operation: (i) => service.lookup(CHANNEL, { channelUserId: listed(i) }),
          },
          {
            name: 'whitelist lookup (miss)',
            operation: (i) => service.lookup(CHANNEL, { channelUserId: `nobody${i}` }),
          },
          {
            name: 'entryFor (list + switches + rollout)',
            operation: (i) => {
              user = listed(i);
              return service.entryFor(principal);
            },
          },
        ],
        { concurrency: inFlight },
      );
      report(measured, measured[0]);
    }

    const progress = { batches: 0 };
    const started = performance.now();
    const result = await importer.import(CHANNEL, csvRows(IMPORT_ROWS), {
      actor: SYSTEM_ACTOR,
      source: 'cli',
      onProgress: () => {
        progress.batches++;
      },
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.version.rowsAccepted !== IMPORT_ROWS) throw new Error('import lost rows');
    console.log(
      `  streamed CSV import: ${IMPORT_ROWS.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s = ` +
        `${Math.round(IMPORT_ROWS / seconds).toLocaleString('en-US')} rows/s (${progress.batches} batches, validated, progress saved per batch)`,
    );
  } finally {
    await scratch.drop();
  }
}
