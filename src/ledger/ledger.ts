import { sql } from 'kysely';
import { type Executor, inTransaction, ownTables, type SharedExecutor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { type ChainedEntry, type ChainProblem, entryHash, verifyRun } from './hash-chain.ts';
import { GENESIS_HASH } from './migrations.ts';
import { negatePostings, normalizePostings, type Posting } from './postings.ts';
import type { LedgerEntryRow, LedgerTables } from './tables.ts';

export interface EntryCause {
  /** e.g. `disbursement`, `repayment`, `statement`. */
  readonly causeType: string;
  /** Unique within the type: posting the same cause again returns the first entry. */
  readonly causeId: string;
  /** The callback or HTTP request that carried the cause, for tracing. */
  readonly requestId?: string | null;
}

export interface NewEntry extends EntryCause {
  readonly kind: string;
  readonly occurredAt: Date;
  readonly memo?: string;
  readonly postings: readonly Posting[];
}

export interface PostedEntry {
  readonly seq: number;
  readonly hash: string;
  /** False when the cause had already been posted (an idempotent repeat). */
  readonly created: boolean;
}

export interface LedgerEntry {
  readonly seq: number;
  readonly kind: string;
  readonly causeType: string;
  readonly causeId: string;
  readonly requestId: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly reversesSeq: number | null;
  readonly memo: string;
  readonly hash: string;
  readonly postings: Posting[];
}

export interface AccountBalance {
  readonly account: string;
  readonly balanceFen: number;
}

export interface ChainVerification {
  readonly ok: boolean;
  readonly entries: number;
  readonly headSeq: number;
  readonly problem?: ChainProblem | { readonly seq: number; readonly problem: 'head_mismatch' };
}

const BATCH = 2000;

function sameLegs(a: readonly Posting[], b: readonly Posting[]): boolean {
  return (
    a.length === b.length && a.every((p, i) => p.account === b[i]!.account && p.amountFen === b[i]!.amountFen)
  );
}

function byAccount(a: Posting, b: Posting): number {
  return a.account < b.account ? -1 : a.account > b.account ? 1 : 0;
}

/**
 * The double-entry ledger: append-only entries of balanced postings, each caused by exactly one
 * business fact (idempotent on it) and chained by hash. Posting locks the chain head, so entries
 * are appended one at a time in commit order; the database re-checks the link, the balance (at
 * commit) and refuses any update or delete.
 */
export class Ledger {
  readonly #db: Executor<LedgerTables>;
  readonly #clock: Clock;

  constructor(db: Executor<LedgerTables>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Appends an entry in `executor`'s transaction (or a new one); a repeat of its cause returns the first. */
  async post(executor: SharedExecutor, entry: NewEntry): Promise<PostedEntry> {
    return this.#append(ownTables<LedgerTables>(executor), entry, null);
  }

  /** Appends the entry that cancels entry `seq` exactly; an entry is reversed at most once. */
  async reverse(
    executor: SharedExecutor,
    seq: number,
    cause: EntryCause & { readonly occurredAt: Date; readonly memo?: string },
  ): Promise<PostedEntry> {
    return inTransaction(ownTables<LedgerTables>(executor), async (trx) => {
      const original = await this.#legs(trx, seq);
      if (original.length === 0) throw new AppError('NOT_FOUND', `No ledger entry ${seq}.`);
      return this.#append(
        trx,
        {
          ...cause,
          kind: 'reversal',
          memo: cause.memo ?? `reverses entry ${seq}`,
          postings: negatePostings(original),
        },
        seq,
      );
    });
  }

  async #append(
    executor: Executor<LedgerTables>,
    entry: NewEntry,
    reversesSeq: number | null,
  ): Promise<PostedEntry> {
    const postings = normalizePostings(entry.postings);
    return inTransaction(executor, async (trx) => {
      // The head's row lock orders every append; it is held to commit, so the chain never forks.
      // The same round trip looks for an earlier entry of this cause (idempotency).
      const head = await trx
        .selectFrom('ledger_chain_head as head')
        .leftJoin('ledger_entries as entry', (join) =>
          join.on('entry.cause_type', '=', entry.causeType).on('entry.cause_id', '=', entry.causeId),
        )
        .select([
          'head.seq',
          'head.hash',
          'entry.seq as existingSeq',
          'entry.hash as existingHash',
          'entry.reverses_seq as existingReverses',
        ])
        .where('head.id', '=', 1)
        .forUpdate('head')
        .executeTakeFirstOrThrow();
      const existing =
        head.existingSeq === null
          ? undefined
          : { seq: head.existingSeq, hash: head.existingHash!, reverses_seq: head.existingReverses };
      if (existing) {
        const legs = await this.#legs(trx, existing.seq);
        if (!sameLegs(legs, postings) || existing.reverses_seq !== reversesSeq) {
          throw new AppError(
            'CONFLICT',
            `Ledger cause ${entry.causeType} ${entry.causeId} was already posted with other amounts.`,
          );
        }
        return { seq: existing.seq, hash: existing.hash, created: false };
      }
      if (reversesSeq !== null) {
        const reversed = await trx
          .selectFrom('ledger_entries')
          .select('seq')
          .where('reverses_seq', '=', reversesSeq)
          .executeTakeFirst();
        if (reversed) {
          throw new AppError(
            'CONFLICT',
            `Ledger entry ${reversesSeq} is already reversed by ${reversed.seq}.`,
          );
        }
      }
      const content = {
        seq: head.seq + 1,
        kind: entry.kind,
        causeType: entry.causeType,
        causeId: entry.causeId,
        requestId: entry.requestId ?? null,
        occurredAt: entry.occurredAt,
        recordedAt: this.#clock(),
        reversesSeq,
        memo: entry.memo ?? '',
        postings,
      };
      const hash = entryHash(head.hash, content);
      // One statement writes the entry and its postings; the database checks the link now and the
      // balance at commit.
      await trx
        .with('entry', (db) =>
          db.insertInto('ledger_entries').values({
            seq: content.seq,
            kind: content.kind,
            cause_type: content.causeType,
            cause_id: content.causeId,
            request_id: content.requestId,
            occurred_at: content.occurredAt,
            recorded_at: content.recordedAt,
            reverses_seq: reversesSeq,
            memo: content.memo,
            prev_hash: head.hash,
            hash,
          }),
        )
        .insertInto('ledger_postings')
        .values(
          postings.map((p) => ({ entry_seq: content.seq, account: p.account, amount_fen: p.amountFen })),
        )
        .execute();
      return { seq: content.seq, hash, created: true };
    });
  }

  async #legs(executor: Executor<LedgerTables>, seq: number): Promise<Posting[]> {
    const rows = await executor
      .selectFrom('ledger_postings')
      .select(['account', 'amount_fen'])
      .where('entry_seq', '=', seq)
      .execute();
    return rows.map((row) => ({ account: row.account, amountFen: row.amount_fen })).sort(byAccount);
  }

  /** The entry posted for a cause, if any. */
  async findByCause(
    executor: Executor<LedgerTables>,
    causeType: string,
    causeId: string,
  ): Promise<LedgerEntry | undefined> {
    const row = await executor
      .selectFrom('ledger_entries')
      .selectAll()
      .where('cause_type', '=', causeType)
      .where('cause_id', '=', causeId)
      .executeTakeFirst();
    return row ? this.#view(row, await this.#legs(executor, row.seq)) : undefined;
  }

  #view(row: LedgerEntryRow, postings: Posting[]): LedgerEntry {
    return {
      seq: row.seq,
      kind: row.kind,
      causeType: row.cause_type,
      causeId: row.cause_id,
      requestId: row.request_id,
      occurredAt: row.occurred_at.toISOString(),
      recordedAt: row.recorded_at.toISOString(),
      reversesSeq: row.reverses_seq,
      memo: row.memo,
      hash: row.hash,
      postings,
    };
  }

  /** Entries newest first, optionally only those touching one account (keyset on seq). */
  async entries(query: {
    readonly account?: string;
    readonly beforeSeq?: number;
    readonly limit: number;
  }): Promise<LedgerEntry[]> {
    let select = this.#db.selectFrom('ledger_entries').selectAll().orderBy('seq', 'desc').limit(query.limit);
    if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq);
    if (query.account !== undefined) {
      const account = query.account;
      select = select.where('seq', 'in', (eb) =>
        eb.selectFrom('ledger_postings').select('entry_seq').where('account', '=', account),
      );
    }
    const rows = await select.execute();
    const legs = await this.#legsOf(rows.map((row) => row.seq));
    return rows.map((row) => this.#view(row, legs.get(row.seq) ?? []));
  }

  async #legsOf(seqs: readonly number[]): Promise<Map<number, Posting[]>> {
    const out = new Map<number, Posting[]>();
    if (seqs.length === 0) return out;
    const rows = await this.#db
      .selectFrom('ledger_postings')
      .select(['entry_seq', 'account', 'amount_fen'])
      .where('entry_seq', 'in', [...seqs])
      .execute();
    for (const row of rows) {
      const list = out.get(row.entry_seq) ?? [];
      list.push({ account: row.account, amountFen: row.amount_fen });
      out.set(row.entry_seq, list);
    }
    for (const list of out.values()) list.sort(byAccount);
    return out;
  }

  /** Balances of every account (or those starting with `prefix`): debits positive. */
  async balances(prefix?: string, executor: Executor<LedgerTables> = this.#db): Promise<AccountBalance[]> {
    let select = executor
      .selectFrom('ledger_postings')
      .select(['account', sql<number>`sum(amount_fen)::int8`.as('balance')])
      .groupBy('account');
    if (prefix !== undefined) {
      select = select.where(sql<boolean>`starts_with(account, ${prefix})`);
    }
    const rows = await select.execute();
    return rows
      .map((row) => ({ account: row.account, balanceFen: row.balance }))
      .sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  }

  /**
   * Recomputes the whole chain from the genesis: sequence without gaps, links, hashes, balanced
   * entries, and the head row pointing at the last entry. Reads in batches; O(entries).
   */
  async verify(): Promise<ChainVerification> {
    let tip = { seq: 0, hash: GENESIS_HASH };
    let count = 0;
    for (;;) {
      const rows = await this.#db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('seq', '>', tip.seq)
        .orderBy('seq')
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      const legs = await this.#db
        .selectFrom('ledger_postings')
        .select(['entry_seq', 'account', 'amount_fen'])
        .where('entry_seq', '>=', rows[0]!.seq)
        .where('entry_seq', '<=', rows.at(-1)!.seq)
        .execute();
      const bySeq = new Map<number, Posting[]>();
      for (const leg of legs) {
        const list = bySeq.get(leg.entry_seq) ?? [];
        list.push({ account: leg.account, amountFen: leg.amount_fen });
        bySeq.set(leg.entry_seq, list);
      }
      const entries: ChainedEntry[] = rows.map((row) => ({
        seq: row.seq,
        kind: row.kind,
        causeType: row.cause_type,
        causeId: row.cause_id,
        requestId: row.request_id,
        occurredAt: row.occurred_at,
        recordedAt: row.recorded_at,
        reversesSeq: row.reverses_seq,
        memo: row.memo,
        postings: (bySeq.get(row.seq) ?? []).sort(byAccount),
        prevHash: row.prev_hash,
        hash: row.hash,
      }));
      const run = verifyRun(tip, entries);
      if (!run.ok) return { ok: false, entries: count, headSeq: tip.seq, problem: run.problem };
      tip = run.tip;
      count += rows.length;
    }
    const head = await this.#db
      .selectFrom('ledger_chain_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    if (head.seq !== tip.seq || head.hash !== tip.hash) {
      return {
        ok: false,
        entries: count,
        headSeq: head.seq,
        problem: { seq: head.seq, problem: 'head_mismatch' },
      };
    }
    return { ok: true, entries: count, headSeq: head.seq };
  }
}
