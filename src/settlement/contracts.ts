import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import { chinaDate } from '../shared/china-date.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import { isDate } from './calendar.ts';
import { type ContractTerms, checkContractTerms } from './contract-terms.ts';
import { type LenderDirectory, requireKnownLender } from './ports.ts';
import type { RevenueContractRow, SettlementTables } from './tables.ts';

export interface ContractVersion {
  readonly id: string;
  readonly lenderCode: string;
  readonly version: number;
  readonly effectiveFrom: string;
  readonly terms: ContractTerms;
  readonly reference: string | null;
  readonly note: string | null;
  readonly createdBy: string | null;
  readonly createdAt: string;
}

export interface NewContractVersion {
  readonly effectiveFrom: string;
  readonly terms: ContractTerms;
  readonly reference?: string;
  readonly note?: string;
}

function toVersion(row: Selectable<RevenueContractRow>): ContractVersion {
  return {
    id: row.id,
    lenderCode: row.lender_code,
    version: row.version,
    effectiveFrom: row.effective_from,
    terms: row.terms,
    reference: row.reference,
    note: row.note,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Revenue-share contracts per lender: versions are appended, never edited. The version that prices
 * an event is the one with the latest `effectiveFrom` on or before the event's CST date (the
 * highest version among equals). A version cannot start before today, so a change never reprices
 * an event that may already have been posted — and posted fees are stored, never recomputed.
 */
export class ContractService {
  readonly #db: Executor<SettlementTables>;
  readonly #clock: Clock;
  readonly #lenders: LenderDirectory;

  constructor(db: Executor<SettlementTables>, clock: Clock, lenders: LenderDirectory) {
    this.#db = db;
    this.#clock = clock;
    this.#lenders = lenders;
  }

  async addVersion(
    lenderCode: string,
    input: NewContractVersion,
    actor: Actor,
    requestId?: string,
  ): Promise<ContractVersion> {
    await requireKnownLender(this.#lenders, lenderCode);
    if (!isDate(input.effectiveFrom)) throw invalidField('body.effectiveFrom', 'must be a date YYYY-MM-DD');
    const today = chinaDate(this.#clock());
    if (input.effectiveFrom < today) {
      throw invalidField(
        'body.effectiveFrom',
        `cannot be before today (${today}); past events keep their terms`,
      );
    }
    const terms = checkContractTerms(input.terms);
    return inTransaction(this.#db, async (trx) => {
      const last = await trx
        .selectFrom('revenue_contracts')
        .select('version')
        .where('lender_code', '=', lenderCode)
        .orderBy('version', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst();
      const row = {
        id: randomUUID(),
        lender_code: lenderCode,
        version: (last?.version ?? 0) + 1,
        effective_from: input.effectiveFrom,
        terms: JSON.stringify(terms),
        reference: input.reference ?? null,
        note: input.note ?? null,
        created_by: actor.id,
        created_at: this.#clock(),
      };
      // The unique (lender, version) key refuses a concurrent twin that read the same last version.
      const inserted = await trx
        .insertInto('revenue_contracts')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!inserted) throw new AppError('CONFLICT', 'Another version was added at the same time; retry.');
      await recordAudit(trx, {
        actor,
        action: 'settlement.contract_version_added',
        target: { type: 'lender', id: lenderCode },
        ...(requestId ? { requestId } : {}),
        details: { version: row.version, effectiveFrom: row.effective_from },
      });
      return toVersion(inserted);
    });
  }

  async versions(lenderCode: string): Promise<ContractVersion[]> {
    const rows = await this.#db
      .selectFrom('revenue_contracts')
      .selectAll()
      .where('lender_code', '=', lenderCode)
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toVersion);
  }

  /** Lenders with a contract, each with its latest version. */
  async latest(): Promise<ContractVersion[]> {
    const rows = await this.#db
      .selectFrom('revenue_contracts')
      .selectAll()
      .distinctOn('lender_code')
      .orderBy('lender_code')
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toVersion);
  }

  /** The version pricing events of `date` (CST), if any. */
  async effectiveOn(
    executor: Executor<SettlementTables>,
    lenderCode: string,
    date: string,
  ): Promise<ContractVersion | undefined> {
    const row = await executor
      .selectFrom('revenue_contracts')
      .selectAll()
      .where('lender_code', '=', lenderCode)
      .where('effective_from', '<=', date)
      .orderBy('effective_from', 'desc')
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toVersion(row) : undefined;
  }
}
