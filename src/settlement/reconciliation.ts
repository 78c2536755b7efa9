import { createHash, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { toCsv } from '../shared/csv.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import { isDate } from './calendar.ts';
import { type Difference, type LendgateRecord, reconcile, recordKey } from './matching.ts';
import { type LenderDirectory, requireKnownLender } from './ports.ts';
import { parseReconciliationFile, ReconciliationFileError } from './reconciliation-file.ts';
import type {
  FeeAccrualRow,
  ReconciliationDifferenceRow,
  ReconciliationRunRow,
  SettlementTables,
} from './tables.ts';
import { type Cell, writeXlsx } from './xlsx.ts';

export interface ReconciliationRun {
  readonly id: string;
  readonly lenderCode: string;
  readonly fileDate: string;
  readonly fileName: string | null;
  readonly fileSha256: string;
  readonly fileRows: number;
  readonly lendgateRecords: number;
  readonly matched: number;
  readonly differences: number;
  readonly unresolved: number;
  readonly importedBy: string | null;
  readonly importedAt: string;
}

export interface StoredDifference {
  readonly id: number;
  readonly kind: Difference['kind'];
  readonly recordType: string;
  readonly businessId: string;
  readonly loanId: string;
  readonly fields: string[];
  readonly file: Record<string, unknown> | null;
  readonly lendgate: Record<string, unknown> | null;
  readonly message: string;
  readonly resolutionNote: string | null;
  readonly resolvedBy: string | null;
  readonly resolvedAt: string | null;
}

export interface ImportRequest {
  readonly lenderCode: string;
  readonly date: string;
  readonly content: string;
  readonly fileName?: string;
}

const ID_CHUNK = 1000;

function toRun(row: Selectable<ReconciliationRunRow>, unresolved: number): ReconciliationRun {
  return {
    id: row.id,
    lenderCode: row.lender_code,
    fileDate: row.file_date,
    fileName: row.file_name,
    fileSha256: row.file_sha256,
    fileRows: row.file_rows,
    lendgateRecords: row.lendgate_records,
    matched: row.matched,
    differences: row.differences,
    unresolved,
    importedBy: row.imported_by,
    importedAt: row.imported_at.toISOString(),
  };
}

function toDifference(row: Selectable<ReconciliationDifferenceRow>): StoredDifference {
  return {
    id: row.id,
    kind: row.kind,
    recordType: row.record_type,
    businessId: row.business_id,
    loanId: row.loan_id,
    fields: row.fields,
    file: row.file_values,
    lendgate: row.lendgate_values,
    message: row.message,
    resolutionNote: row.resolution_note,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}

/** Lendgate's side of a money movement, from its accrual. */
function toRecord(row: Selectable<FeeAccrualRow>): LendgateRecord {
  const amount =
    row.record_type === 'disbursement'
      ? row.principal_fen
      : row.principal_fen + row.interest_fen + row.fee_fen + row.penalty_fen;
  return {
    type: row.record_type,
    businessId: row.business_id,
    loanId: row.lender_loan_id,
    applicationId: row.application_id,
    occurredAt: row.occurred_at.toISOString(),
    amountFen: amount,
    principalFen: row.principal_fen,
    interestFen: row.record_type === 'disbursement' ? 0 : row.interest_fen,
    feeFen: row.fee_fen,
    penaltyFen: row.penalty_fen,
    businessDate: row.business_date,
    reversal: row.reversal_of !== null,
  };
}

/**
 * Reconciliation (对账) with a lender's daily file: import it, match it against what Lendgate
 * recorded from the lender's callbacks that day, store every difference, resolve each with a note.
 * Importing the same file again returns the earlier run; a corrected file makes a new run.
 */
export class ReconciliationService {
  readonly #db: Executor<SettlementTables>;
  readonly #clock: Clock;
  readonly #lenders: LenderDirectory;

  constructor(db: Executor<SettlementTables>, clock: Clock, lenders: LenderDirectory) {
    this.#db = db;
    this.#clock = clock;
    this.#lenders = lenders;
  }

  async import(request: ImportRequest, actor: Actor, requestId?: string): Promise<ReconciliationRun> {
    if (!isDate(request.date)) throw invalidField('body.date', 'must be a date YYYY-MM-DD');
    await requireKnownLender(this.#lenders, request.lenderCode);
    let file: ReturnType<typeof parseReconciliationFile>;
    try {
      file = parseReconciliationFile(request.content);
    } catch (error) {
      if (error instanceof ReconciliationFileError) throw invalidField('body.content', error.message);
      throw error;
    }
    const sha256 = createHash('sha256').update(request.content, 'utf8').digest('hex');
    const lender = request.lenderCode;
    return inTransaction(this.#db, async (trx) => {
      const existing = await trx
        .selectFrom('reconciliation_runs')
        .selectAll()
        .where('lender_code', '=', lender)
        .where('file_date', '=', request.date)
        .where('file_sha256', '=', sha256)
        .executeTakeFirst();
      if (existing) return toRun(existing, await this.#unresolved(trx, existing.id));

      const ours = (
        await trx
          .selectFrom('fee_accruals')
          .selectAll()
          .where('lender_code', '=', lender)
          .where('business_date', '=', request.date)
          .execute()
      ).map(toRecord);
      const oursKeys = new Set(ours.map(recordKey));
      const absent = [...new Set(file.filter((r) => !oursKeys.has(recordKey(r))).map((r) => r.businessId))];
      const elsewhere = new Map<string, LendgateRecord>();
      for (let i = 0; i < absent.length; i += ID_CHUNK) {
        const rows = await trx
          .selectFrom('fee_accruals')
          .selectAll()
          .where('lender_code', '=', lender)
          .where('business_id', 'in', absent.slice(i, i + ID_CHUNK))
          .execute();
        for (const row of rows) elsewhere.set(recordKey(toRecord(row)), toRecord(row));
      }
      const loanIds = [...new Set(file.map((r) => r.loanId))];
      const knownLoans = new Set<string>();
      for (let i = 0; i < loanIds.length; i += ID_CHUNK) {
        const rows = await trx
          .selectFrom('fee_accruals')
          .select('lender_loan_id')
          .distinct()
          .where('lender_code', '=', lender)
          .where('lender_loan_id', 'in', loanIds.slice(i, i + ID_CHUNK))
          .execute();
        for (const row of rows) knownLoans.add(row.lender_loan_id);
      }
      const result = reconcile({ date: request.date, file, lendgate: ours, elsewhere, knownLoans });
      const id = randomUUID();
      await trx
        .insertInto('reconciliation_runs')
        .values({
          id,
          lender_code: lender,
          file_date: request.date,
          file_name: request.fileName ?? null,
          file_sha256: sha256,
          content: request.content,
          file_rows: file.length,
          lendgate_records: ours.length,
          matched: result.matched,
          differences: result.differences.length,
          imported_by: actor.id,
          imported_at: this.#clock(),
        })
        .execute();
      for (let i = 0; i < result.differences.length; i += ID_CHUNK) {
        await trx
          .insertInto('reconciliation_differences')
          .values(
            result.differences.slice(i, i + ID_CHUNK).map((d) => ({
              run_id: id,
              kind: d.kind,
              record_type: d.recordType,
              business_id: d.businessId,
              loan_id: d.loanId,
              fields: [...d.fields],
              file_values: JSON.stringify(d.file),
              lendgate_values: JSON.stringify(d.lendgate),
              message: d.message,
              resolution_note: null,
              resolved_by: null,
              resolved_at: null,
            })),
          )
          .execute();
      }
      await recordAudit(trx, {
        actor,
        action: 'settlement.reconciliation_imported',
        target: { type: 'reconciliation', id },
        ...(requestId ? { requestId } : {}),
        details: {
          lenderCode: lender,
          date: request.date,
          rows: file.length,
          differences: result.differences.length,
        },
      });
      const run = await trx
        .selectFrom('reconciliation_runs')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return toRun(run, result.differences.length);
    });
  }

  async #unresolved(executor: Executor<SettlementTables>, runId: string): Promise<number> {
    const row = await executor
      .selectFrom('reconciliation_differences')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('run_id', '=', runId)
      .where('resolved_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async get(id: string): Promise<ReconciliationRun> {
    const row = await this.#db
      .selectFrom('reconciliation_runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No such reconciliation run.');
    return toRun(row, await this.#unresolved(this.#db, id));
  }

  async list(query: {
    readonly lenderCode?: string;
    readonly date?: string;
    readonly limit: number;
  }): Promise<ReconciliationRun[]> {
    let select = this.#db
      .selectFrom('reconciliation_runs')
      .selectAll()
      .orderBy('file_date', 'desc')
      .orderBy('imported_at', 'desc')
      .limit(query.limit);
    if (query.lenderCode !== undefined) select = select.where('lender_code', '=', query.lenderCode);
    if (query.date !== undefined) select = select.where('file_date', '=', query.date);
    const rows = await select.execute();
    return Promise.all(rows.map(async (row) => toRun(row, await this.#unresolved(this.#db, row.id))));
  }

  async differences(
    runId: string,
    filter: { readonly unresolvedOnly?: boolean } = {},
  ): Promise<StoredDifference[]> {
    await this.get(runId);
    let select = this.#db
      .selectFrom('reconciliation_differences')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('id');
    if (filter.unresolvedOnly) select = select.where('resolved_at', 'is', null);
    return (await select.execute()).map(toDifference);
  }

  /** Marks a difference resolved with a note (what was found and done); a resolution is final. */
  async resolve(
    runId: string,
    differenceId: number,
    note: string,
    actor: Actor,
    requestId?: string,
  ): Promise<StoredDifference> {
    const text = note.trim();
    if (text === '' || text.length > 1000) throw invalidField('body.note', 'must be 1–1000 characters');
    return inTransaction(this.#db, async (trx) => {
      const row = await trx
        .selectFrom('reconciliation_differences')
        .selectAll()
        .where('id', '=', differenceId)
        .where('run_id', '=', runId)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', 'No such difference in this run.');
      if (row.resolved_at !== null)
        throw new AppError('INVALID_STATE', 'This difference is already resolved.');
      const updated = await trx
        .updateTable('reconciliation_differences')
        .set({ resolution_note: text, resolved_by: actor.id, resolved_at: this.#clock() })
        .where('id', '=', differenceId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor,
        action: 'settlement.difference_resolved',
        target: { type: 'reconciliation', id: runId },
        ...(requestId ? { requestId } : {}),
        details: { differenceId, kind: row.kind, businessId: row.business_id },
      });
      return toDifference(updated);
    });
  }

  async report(runId: string, format: 'csv' | 'xlsx'): Promise<{ fileName: string; body: string | Buffer }> {
    const run = await this.get(runId);
    const differences = await this.differences(runId);
    const header = [
      'id',
      'kind',
      'record_type',
      'business_id',
      'loan_id',
      'fields',
      'message',
      'resolution_note',
      'resolved_by',
      'resolved_at',
    ];
    const rows = differences.map((d) => [
      d.id,
      d.kind,
      d.recordType,
      d.businessId,
      d.loanId,
      d.fields.join(' '),
      d.message,
      d.resolutionNote,
      d.resolvedBy,
      d.resolvedAt,
    ]);
    const base = `reconciliation-${run.lenderCode}-${run.fileDate}`;
    if (format === 'csv') return { fileName: `${base}.csv`, body: toCsv([header, ...rows]) };
    const summary: Cell[][] = [
      ['Lendgate reconciliation report'],
      ['lender', run.lenderCode],
      ['file date', run.fileDate],
      ['file', run.fileName ?? ''],
      ['file sha256', run.fileSha256],
      ['rows in the file', run.fileRows],
      ['Lendgate records', run.lendgateRecords],
      ['matched', run.matched],
      ['differences', run.differences],
      ['unresolved', run.unresolved],
    ];
    return {
      fileName: `${base}.xlsx`,
      body: writeXlsx([
        { name: 'Summary', rows: summary },
        {
          name: 'Differences',
          rows: [header, ...rows.map((row) => row.map((cell) => (cell === null ? null : cell)))],
        },
      ]),
    };
  }
}
