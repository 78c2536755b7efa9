import { randomBytes } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { ImportProgress, WhitelistKeyType, WhitelistVersion } from './model.ts';
import type { WhitelistTables, WhitelistVersionRow } from './tables.ts';

/**
 * The whitelist's SQL. Entries of a version live in the partition `whitelist_entries_<id>`,
 * created with the version and dropped with it.
 */

function partition(versionId: number) {
  if (!Number.isSafeInteger(versionId) || versionId <= 0) throw new Error(`bad version id ${versionId}`);
  return sql.table(`whitelist_entries_${versionId}`);
}

export function toVersion(
  row: Selectable<WhitelistVersionRow>,
  activeVersionId: number | null,
): WhitelistVersion {
  return {
    channelCode: row.channel_code,
    version: row.version,
    keyType: row.key_type,
    state: row.state,
    active: row.id === activeVersionId,
    source: row.source,
    createdBy: row.created_by,
    rowsRead: row.rows_read,
    rowsAccepted: row.rows_accepted,
    rowsRejected: row.rows_rejected,
    rowsDuplicate: row.rows_duplicate,
    errors: row.errors,
    segments: row.segments,
    failure: row.failure,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    activatedAt: row.activated_at?.toISOString() ?? null,
    droppedAt: row.dropped_at?.toISOString() ?? null,
  };
}

/** Creates the channel's settings row (with a random phone salt) if it has none yet. */
export async function ensureSettings(
  db: Executor<WhitelistTables>,
  channelCode: string,
  now: Date,
): Promise<void> {
  await db
    .insertInto('whitelist_settings')
    .values({
      channel_code: channelCode,
      active_version_id: null,
      last_version: 0,
      phone_salt: randomBytes(16).toString('hex'),
      kill_switch: false,
      kill_reason: null,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('channel_code').doNothing())
    .execute();
}

/** A new version in state `importing`, numbered after the channel's last, with its partition. */
export async function createVersion(
  db: Executor<WhitelistTables>,
  input: {
    readonly channelCode: string;
    readonly keyType: WhitelistKeyType;
    readonly source: 'api' | 'cli' | 'seed';
    readonly createdBy: string | null;
    readonly now: Date;
  },
): Promise<Selectable<WhitelistVersionRow>> {
  return inTransaction(db, async (trx) => {
    await ensureSettings(trx, input.channelCode, input.now);
    // The row lock of this update numbers concurrent imports one after the other.
    const { last_version } = await trx
      .updateTable('whitelist_settings')
      .set((eb) => ({ last_version: eb('last_version', '+', 1) }))
      .where('channel_code', '=', input.channelCode)
      .returning('last_version')
      .executeTakeFirstOrThrow();
    const row = await trx
      .insertInto('whitelist_versions')
      .values({
        channel_code: input.channelCode,
        version: last_version,
        key_type: input.keyType,
        state: 'importing',
        source: input.source,
        created_by: input.createdBy,
        rows_read: 0,
        rows_accepted: 0,
        rows_rejected: 0,
        rows_duplicate: 0,
        errors: '[]',
        segments: '[]',
        failure: null,
        created_at: input.now,
        finished_at: null,
        activated_at: null,
        dropped_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await sql`CREATE TABLE ${partition(row.id)} PARTITION OF whitelist_entries FOR VALUES IN (${sql.lit(row.id)})`.execute(
      trx,
    );
    return row;
  });
}

/**
 * Inserts one batch in one statement (three array parameters, whatever the batch size); a key
 * already present keeps its first row. Returns how many rows were new.
 */
export async function insertEntries(
  db: Executor<WhitelistTables>,
  versionId: number,
  batch: {
    readonly keys: readonly string[];
    readonly segments: readonly string[];
    readonly limits: readonly (number | null)[];
  },
): Promise<number> {
  const result = await sql`
    INSERT INTO ${partition(versionId)} (version_id, key, segment, limit_fen)
    SELECT ${sql.lit(versionId)}, k, s, l
    FROM unnest(${batch.keys}::text[], ${batch.segments}::text[], ${batch.limits}::int8[]) AS t (k, s, l)
    ON CONFLICT (version_id, key) DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

function progressColumns(progress: ImportProgress) {
  return {
    rows_read: progress.rowsRead,
    rows_accepted: progress.rowsAccepted,
    rows_rejected: progress.rowsRejected,
    rows_duplicate: progress.rowsDuplicate,
    errors: JSON.stringify(progress.errors),
  };
}

/** Records progress; false when the version is no longer importing (e.g. dropped meanwhile). */
export async function saveProgress(
  db: Executor<WhitelistTables>,
  versionId: number,
  progress: ImportProgress,
): Promise<boolean> {
  const result = await db
    .updateTable('whitelist_versions')
    .set(progressColumns(progress))
    .where('id', '=', versionId)
    .where('state', '=', 'importing')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Marks the import done (`ready`) with its final counts and the entries per segment. */
export async function finishVersion(
  db: Executor<WhitelistTables>,
  versionId: number,
  progress: ImportProgress,
  now: Date,
): Promise<Selectable<WhitelistVersionRow> | undefined> {
  const { rows } = await sql<{ segment: string; entries: number }>`
    SELECT segment, count(*)::int8 AS entries FROM ${partition(versionId)}
    GROUP BY segment ORDER BY segment LIMIT 1000`.execute(db);
  return db
    .updateTable('whitelist_versions')
    .set({ ...progressColumns(progress), segments: JSON.stringify(rows), state: 'ready', finished_at: now })
    .where('id', '=', versionId)
    .where('state', '=', 'importing')
    .returningAll()
    .executeTakeFirst();
}

/** Marks a broken import `failed` and frees its partition. */
export async function failVersion(
  db: Executor<WhitelistTables>,
  versionId: number,
  failure: string,
  progress: ImportProgress,
  now: Date,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const failed = await trx
      .updateTable('whitelist_versions')
      .set({ ...progressColumns(progress), state: 'failed', failure, finished_at: now })
      .where('id', '=', versionId)
      .where('state', '=', 'importing')
      .executeTakeFirst();
    if (failed.numUpdatedRows > 0n) await dropPartition(trx, versionId);
  });
}

export async function dropPartition(db: Executor<WhitelistTables>, versionId: number): Promise<void> {
  await sql`DROP TABLE IF EXISTS ${partition(versionId)}`.execute(db);
}
