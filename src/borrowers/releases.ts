import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import type { Executor } from '../db/transaction.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../shared/cursor.ts';
import { isPiiCategory, normalizeCategories, type PiiCategory } from './categories.ts';
import {
  CHAIN_START,
  type ChainPosition,
  type ChainProblem,
  checkHead,
  checkLinks,
  nextEntry,
  type ReleaseEntry,
} from './release-chain.ts';
import type { BorrowerDataReleaseRow, BorrowerTables } from './tables.ts';

export interface NewRelease {
  readonly borrowerId: string;
  readonly lenderId: string;
  readonly partnerId: string;
  readonly categories: readonly PiiCategory[];
  readonly consentId: string;
  readonly requestId: string;
  readonly releasedAt: Date;
}

export interface ReleaseQuery {
  readonly borrowerId?: string;
  readonly lenderId?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface ChainReport {
  readonly ok: boolean;
  readonly chains: number;
  readonly entries: number;
  /** The first problems found (at most 100), each naming the borrower's chain and the entry. */
  readonly problems: ChainProblem[];
}

const MAX_REPORTED_PROBLEMS = 100;
const VERIFY_BATCH = 2_000;

export function toEntry(row: Selectable<BorrowerDataReleaseRow>): ReleaseEntry {
  return {
    id: row.id,
    borrowerId: row.borrower_id,
    seq: row.seq,
    lenderId: row.lender_id,
    partnerId: row.partner_id,
    categories: row.categories.filter(isPiiCategory),
    consentId: row.consent_id,
    requestId: row.request_id,
    releasedAt: row.released_at.toISOString(),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The data release log: who received which categories of whose data, when, under which consent.
 * One hash chain per borrower, appended under a lock on the chain's head row; the database
 * refuses updates and deletes of entries. Entries hold ids and category names, never personal data,
 * so they outlive a borrower's deletion.
 */
export class ReleaseLog {
  readonly #db: Executor<BorrowerTables>;

  constructor(db: Executor<BorrowerTables>) {
    this.#db = db;
  }

  /** Appends one entry; call inside the transaction of the release it records. */
  async append(trx: Executor<BorrowerTables>, release: NewRelease): Promise<ReleaseEntry> {
    await trx
      .insertInto('borrower_release_heads')
      .values({ borrower_id: release.borrowerId, seq: CHAIN_START.seq, hash: CHAIN_START.hash })
      .onConflict((oc) => oc.column('borrower_id').doNothing())
      .execute();
    // The head lock serialises appends to one chain: each reads the head the previous one wrote.
    const head = await trx
      .selectFrom('borrower_release_heads')
      .select(['seq', 'hash'])
      .where('borrower_id', '=', release.borrowerId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const entry = nextEntry(head, {
      id: randomUUID(),
      borrowerId: release.borrowerId,
      lenderId: release.lenderId,
      partnerId: release.partnerId,
      categories: normalizeCategories(release.categories),
      consentId: release.consentId,
      requestId: release.requestId,
      releasedAt: release.releasedAt.toISOString(),
    });
    await trx
      .insertInto('borrower_data_releases')
      .values({
        borrower_id: entry.borrowerId,
        seq: entry.seq,
        id: entry.id,
        lender_id: entry.lenderId,
        partner_id: entry.partnerId,
        categories: [...entry.categories],
        consent_id: entry.consentId,
        request_id: entry.requestId,
        released_at: new Date(entry.releasedAt),
        prev_hash: entry.prevHash,
        hash: entry.hash,
      })
      .execute();
    await trx
      .updateTable('borrower_release_heads')
      .set({ seq: entry.seq, hash: entry.hash })
      .where('borrower_id', '=', entry.borrowerId)
      .execute();
    return entry;
  }

  /** Newest first, keyset-paginated; filter by borrower and/or lender. */
  async list(query: ReleaseQuery): Promise<{ items: ReleaseEntry[]; nextCursor: string | null }> {
    let select = this.#db
      .selectFrom('borrower_data_releases')
      .selectAll()
      .orderBy('released_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.borrowerId !== undefined) select = select.where('borrower_id', '=', query.borrowerId);
    if (query.lenderId !== undefined) select = select.where('lender_id', '=', query.lenderId);
    if (query.cursor !== undefined) {
      const { at, id } = decodeTimeCursor(query.cursor, { field: 'query.cursor' });
      select = select.where((eb) =>
        eb.or([eb('released_at', '<', at), eb.and([eb('released_at', '=', at), eb('id', '<', id)])]),
      );
    }
    const rows = await select.execute();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toEntry),
      nextCursor: rows.length > query.limit && last ? encodeTimeCursor(last.released_at, last.id) : null,
    };
  }

  /**
   * Walks every chain (or one borrower's) in (borrower, seq) order in batches, recomputing each
   * hash and link, and compares each chain's end with its head row. Any edited, inserted,
   * removed or reordered entry shows up as a problem; nothing is changed. With `by`, the run and
   * its outcome are recorded in the audit log (`release_chain.verify`) in the actor's name.
   */
  async verify(
    options: { readonly borrowerId?: string } = {},
    by?: { readonly actor: Actor; readonly requestId?: string },
  ): Promise<ChainReport> {
    const report = await this.#verify(options);
    if (by) {
      await recordAudit(this.#db, {
        actor: by.actor,
        action: 'release_chain.verify',
        requestId: by.requestId,
        details: {
          borrowerId: options.borrowerId ?? null,
          ok: report.ok,
          chains: report.chains,
          entries: report.entries,
        },
      });
    }
    return report;
  }

  async #verify(options: { readonly borrowerId?: string }): Promise<ChainReport> {
    const problems: ChainProblem[] = [];
    const report = (found: readonly ChainProblem[]) => {
      for (const problem of found) if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(problem);
      if (found.length > 0) anyProblem = true;
    };
    let anyProblem = false;
    let chains = 0;
    let entries = 0;
    let current: { borrowerId: string; last: ChainPosition } | undefined;
    const heads = new Map<string, ChainPosition>();

    const finish = () => {
      if (current) report(checkHead(current.borrowerId, current.last, heads.get(current.borrowerId)));
    };

    let after: { borrowerId: string; seq: number } | undefined;
    for (;;) {
      let select = this.#db
        .selectFrom('borrower_data_releases')
        .selectAll()
        .orderBy('borrower_id')
        .orderBy('seq')
        .limit(VERIFY_BATCH);
      if (options.borrowerId !== undefined) select = select.where('borrower_id', '=', options.borrowerId);
      if (after)
        select = select.where(sql<boolean>`(borrower_id, seq) > (${after.borrowerId}::uuid, ${after.seq})`);
      const rows = await select.execute();
      if (rows.length === 0) break;
      const ids = [...new Set(rows.map((row) => row.borrower_id))].filter((id) => !heads.has(id));
      if (ids.length > 0) {
        const headRows = await this.#db
          .selectFrom('borrower_release_heads')
          .select(['borrower_id', 'seq', 'hash'])
          .where('borrower_id', 'in', ids)
          .execute();
        for (const head of headRows) heads.set(head.borrower_id, { seq: head.seq, hash: head.hash });
      }
      let start = 0;
      while (start < rows.length) {
        const borrowerId = rows[start]!.borrower_id;
        let end = start;
        while (end < rows.length && rows[end]!.borrower_id === borrowerId) end += 1;
        if (current?.borrowerId !== borrowerId) {
          finish();
          if (current) heads.delete(current.borrowerId);
          current = { borrowerId, last: CHAIN_START };
          chains += 1;
        }
        const checked = checkLinks(borrowerId, current.last, rows.slice(start, end).map(toEntry));
        report(checked.problems);
        current.last = checked.last;
        entries += end - start;
        start = end;
      }
      const last = rows.at(-1)!;
      after = { borrowerId: last.borrower_id, seq: last.seq };
    }
    finish();

    // A head that moved past zero but has no entry at all: the whole chain was removed.
    let orphans = this.#db
      .selectFrom('borrower_release_heads as h')
      .select(['h.borrower_id', 'h.seq'])
      .where('h.seq', '>', 0)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('borrower_data_releases as r')
              .select('r.seq')
              .whereRef('r.borrower_id', '=', 'h.borrower_id'),
          ),
        ),
      );
    if (options.borrowerId !== undefined) orphans = orphans.where('h.borrower_id', '=', options.borrowerId);
    for (const orphan of await orphans.execute()) {
      chains += 1;
      report([{ borrowerId: orphan.borrower_id, seq: orphan.seq, reason: 'head_mismatch' }]);
    }
    return { ok: !anyProblem, chains, entries, problems };
  }
}
