import { type Actor, recordAudit } from '../audit/audit-log.ts';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import {
  type ChunkSource,
  type CsvRecord,
  CsvSyntaxError,
  InputTooLargeError,
  readCsvRecords,
} from '../shared/csv.ts';
import { AppError } from '../shared/errors.ts';
import { MAX_LINE_LENGTH, parseHeader, parseRow } from './csv.ts';
import { type ImportError, type ImportProgress, type ImportResult, MAX_REPORTED_ERRORS } from './model.ts';
import type { ChannelDirectory } from './ports.ts';
import {
  createVersion,
  failVersion,
  finishVersion,
  insertEntries,
  saveProgress,
  toVersion,
} from './store.ts';
import type { WhitelistKeyType, WhitelistTables } from './tables.ts';

/** What the reader refuses, as the API answers it: too large, or not CSV (naming the line). */
function asAppError(error: unknown): unknown {
  if (error instanceof InputTooLargeError) return new AppError('PAYLOAD_TOO_LARGE', error.message);
  if (error instanceof CsvSyntaxError) {
    return new AppError('VALIDATION_FAILED', error.message, {
      fields: [{ field: 'body', message: error.message }],
    });
  }
  return error;
}

/** Rows per INSERT: big enough that per-statement costs vanish, small enough to stay light. */
export const DEFAULT_BATCH_SIZE = 5_000;
/** Batches inserted at once (PostgreSQL; the embedded database runs them one after another). */
export const DEFAULT_PARALLEL_INSERTS = 3;

export interface ImportOptions {
  readonly actor: Actor;
  readonly requestId?: string;
  readonly source: 'api' | 'cli' | 'seed';
  /** Activate the list when the import ends with no bad line and at least one entry. */
  readonly activate?: boolean;
  /** Refuse a larger input (PAYLOAD_TOO_LARGE). */
  readonly maxBytes?: number;
  readonly batchSize?: number;
  /** Batches inserted concurrently (default DEFAULT_PARALLEL_INSERTS). */
  readonly parallelInserts?: number;
  /** Called after every batch with the counts so far. */
  readonly onProgress?: (progress: ImportProgress) => void;
}

/** Activation, done by the service that owns the switch. */
export type Activate = (
  channelCode: string,
  version: number,
  actor: Actor,
  requestId?: string,
) => Promise<unknown>;

class Counter {
  rowsRead = 0;
  rowsAccepted = 0;
  rowsRejected = 0;
  rowsDuplicate = 0;
  readonly errors: ImportError[] = [];

  reject(line: number, message: string): void {
    this.rowsRejected++;
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push({ line, message });
  }

  snapshot(): ImportProgress {
    return {
      rowsRead: this.rowsRead,
      rowsAccepted: this.rowsAccepted,
      rowsRejected: this.rowsRejected,
      rowsDuplicate: this.rowsDuplicate,
      errors: [...this.errors],
    };
  }
}

/**
 * Streams a whitelist CSV (through csv-parse, src/shared/csv.ts) into a new version: the header is
 * checked before anything is created; then every record is validated, good ones are inserted in
 * batches, bad ones are counted and the first 100 reported with their line numbers (a file with
 * bad rows still imports its good ones — the operator sees the report before activating). A file
 * that is not CSV at all (a quote out of place or never closed, a record longer than
 * MAX_LINE_LENGTH) fails the import, naming the line. Memory stays flat whatever the size.
 */
export class WhitelistImporter {
  readonly #db: Executor<WhitelistTables>;
  readonly #clock: Clock;
  readonly #channels: ChannelDirectory;
  readonly #activate: Activate;

  constructor(
    db: Executor<WhitelistTables>,
    options: { readonly clock: Clock; readonly channels: ChannelDirectory; readonly activate: Activate },
  ) {
    this.#db = db;
    this.#clock = options.clock;
    this.#channels = options.channels;
    this.#activate = options.activate;
  }

  async import(channelCode: string, source: ChunkSource, options: ImportOptions): Promise<ImportResult> {
    if ((await this.#channels.statusOf(channelCode)) === null) {
      throw new AppError('NOT_FOUND', `No channel has code ${channelCode}.`);
    }
    const batches = readCsvRecords(source, {
      maxRecordSize: MAX_LINE_LENGTH,
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    })[Symbol.asyncIterator]();
    try {
      const header = await this.#readHeader(batches);
      return await this.#importBody(channelCode, header, batches, options);
    } catch (error) {
      throw asAppError(error);
    } finally {
      await batches.return?.(undefined);
    }
  }

  /** The key type from the first record (blank lines are skipped); the records after it on that batch come back too. */
  async #readHeader(
    batches: AsyncIterator<CsvRecord[]>,
  ): Promise<{ keyType: WhitelistKeyType; rest: CsvRecord[] }> {
    for (let next = await batches.next(); !next.done; next = await batches.next()) {
      const [header, ...rest] = next.value;
      if (header === undefined) continue;
      const parsed = parseHeader(header.fields);
      if (!parsed.ok) {
        throw new AppError('VALIDATION_FAILED', `line ${header.line}: ${parsed.message}`, {
          fields: [{ field: 'body', message: parsed.message }],
        });
      }
      return { keyType: parsed.keyType, rest };
    }
    throw new AppError('VALIDATION_FAILED', 'The file is empty: it needs a header line and entries.', {
      fields: [{ field: 'body', message: 'is empty' }],
    });
  }

  async #importBody(
    channelCode: string,
    header: { keyType: WhitelistKeyType; rest: CsvRecord[] },
    batches: AsyncIterator<CsvRecord[]>,
    options: ImportOptions,
  ): Promise<ImportResult> {
    const { keyType } = header;
    const row = await createVersion(this.#db, {
      channelCode,
      keyType,
      source: options.source,
      createdBy: options.actor.id,
      now: this.#clock(),
    });
    const versionId = row.id;
    await recordAudit(this.#db, {
      actor: options.actor,
      action: 'whitelist.import.start',
      target: { type: 'channel', id: channelCode },
      requestId: options.requestId,
      details: { version: row.version, keyType, source: options.source },
    });
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const counter = new Counter();
    let keys: string[] = [];
    let segments: string[] = [];
    let limits: (number | null)[] = [];

    // Up to `inFlight` batches are being inserted while the next one is parsed (on PostgreSQL
    // each on its own connection); inside a caller's transaction there is one connection, so one.
    const inFlight = this.#db.isTransaction
      ? 1
      : Math.max(1, options.parallelInserts ?? DEFAULT_PARALLEL_INSERTS);
    const pending: Promise<void>[] = [];
    const send = async (batch: { keys: string[]; segments: string[]; limits: (number | null)[] }) => {
      const added = await insertEntries(this.#db, versionId, batch);
      counter.rowsAccepted += added;
      counter.rowsDuplicate += batch.keys.length - added;
      const progress = counter.snapshot();
      if (!(await saveProgress(this.#db, versionId, progress))) {
        throw new AppError('CONFLICT', `Version ${row.version} was dropped during its import.`);
      }
      options.onProgress?.(progress);
    };
    const flush = async (): Promise<void> => {
      if (keys.length === 0) return;
      const sent = send({ keys, segments, limits });
      // Handled when awaited below; the no-op keeps a failure from being an unhandled rejection
      // while it waits its turn.
      sent.catch(() => {});
      pending.push(sent);
      keys = [];
      segments = [];
      limits = [];
      if (pending.length >= inFlight) await pending.shift();
    };
    const drain = async (): Promise<void> => {
      while (pending.length > 0) await pending.shift();
    };
    const take = async (records: readonly CsvRecord[]): Promise<void> => {
      for (const record of records) {
        counter.rowsRead++;
        const parsed = parseRow(record.fields, keyType);
        if (!parsed.ok) {
          counter.reject(record.line, parsed.message);
          continue;
        }
        keys.push(parsed.entry.key);
        segments.push(parsed.entry.segment);
        limits.push(parsed.entry.limitFen);
        if (keys.length >= batchSize) await flush();
      }
    };

    try {
      await take(header.rest);
      for (let next = await batches.next(); !next.done; next = await batches.next()) await take(next.value);
      await flush();
      await drain();
    } catch (error) {
      // No insert may still be running when the version is marked failed and its partition dropped.
      await Promise.allSettled(pending);
      const failure =
        error instanceof AppError || error instanceof InputTooLargeError || error instanceof CsvSyntaxError
          ? error.message
          : 'the import stopped on an internal error';
      await failVersion(this.#db, versionId, failure, counter.snapshot(), this.#clock());
      const dropped = await this.#db
        .selectFrom('whitelist_versions')
        .select('state')
        .where('id', '=', versionId)
        .executeTakeFirst();
      if (dropped?.state === 'dropped')
        throw new AppError('CONFLICT', `Version ${row.version} was dropped during its import.`);
      throw error;
    }

    const progress = counter.snapshot();
    const finished = await finishVersion(this.#db, versionId, progress, this.#clock());
    if (!finished) throw new AppError('CONFLICT', `Version ${row.version} was dropped during its import.`);
    await recordAudit(this.#db, {
      actor: options.actor,
      action: 'whitelist.import.finish',
      target: { type: 'channel', id: channelCode },
      requestId: options.requestId,
      details: {
        version: row.version,
        rowsRead: progress.rowsRead,
        rowsAccepted: progress.rowsAccepted,
        rowsRejected: progress.rowsRejected,
        rowsDuplicate: progress.rowsDuplicate,
      },
    });
    let activationSkipped: string | undefined;
    if (options.activate) {
      if (progress.rowsRejected > 0)
        activationSkipped = `${progress.rowsRejected} lines were rejected; review them, then activate`;
      else if (progress.rowsAccepted === 0) activationSkipped = 'the list has no entries';
      else {
        await this.#activate(channelCode, row.version, options.actor, options.requestId);
        const activated = await this.#db
          .selectFrom('whitelist_versions')
          .selectAll()
          .where('id', '=', versionId)
          .executeTakeFirstOrThrow();
        return { version: toVersion(activated, versionId), activated: true };
      }
    }
    const active = await this.#db
      .selectFrom('whitelist_settings')
      .select('active_version_id')
      .where('channel_code', '=', channelCode)
      .executeTakeFirst();
    return {
      version: toVersion(finished, active?.active_version_id ?? null),
      activated: false,
      ...(activationSkipped !== undefined ? { activationSkipped } : {}),
    };
  }
}
