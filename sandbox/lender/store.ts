/**
 * The sandbox's embedded store: every hosted lender's book (applications, drawdowns, loans, daily
 * application counts, the money ledger), its memory of answers, and the callbacks queued for
 * delivery, in one SQLite file in the data folder — Node's built-in `node:sqlite`, no dependency.
 *
 * Design: the book stays the working model in memory (book.ts, pure transitions) and this store is
 * written through: each call's changes — the records it touched, the answer remembered, the
 * callbacks it queued — go in one transaction, and a process reads everything back when it starts.
 * That keeps the transitions testable without a database and the check-then-act of idempotency
 * synchronous (`DatabaseSync` writes inside the same synchronous step), at the cost of holding the
 * whole book in memory, which for a sandbox is small. Records are kept as JSON next to the columns
 * that identify them; the ledger has a column per amount, as the reconciliation file lists them.
 *
 * `:memory:` (or no path) keeps nothing past the process, for tests and throw-away instances. A
 * file is opened in exclusive locking mode: a second process on the same file is refused at start
 * rather than silently diverging from the first.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { CallbackKind } from '../sdk/index.ts';
import type { ApplicationRecord, BookState, DayCount, DrawdownRecord, LoanRecord } from './book.ts';
import type { QueuedCallback } from './delivery.ts';
import type { AnswerEntry } from './idempotency.ts';
import type { LedgerEntry } from './reconciliation.ts';

export const MEMORY_STORE = ':memory:';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS applications (
  partner_id TEXT NOT NULL,
  application_id TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (partner_id, application_id)
) STRICT;
CREATE TABLE IF NOT EXISTS drawdowns (
  partner_id TEXT NOT NULL,
  drawdown_id TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (partner_id, drawdown_id)
) STRICT;
CREATE TABLE IF NOT EXISTS loans (
  partner_id TEXT NOT NULL,
  loan_id TEXT NOT NULL,
  application_id TEXT NOT NULL,
  status TEXT NOT NULL,
  schedule_version INTEGER NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (partner_id, loan_id)
) STRICT;
CREATE TABLE IF NOT EXISTS applied_per_day (
  partner_id TEXT NOT NULL,
  product_code TEXT NOT NULL,
  day TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (partner_id, product_code, day)
) STRICT;
CREATE TABLE IF NOT EXISTS ledger (
  partner_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  business_id TEXT NOT NULL,
  loan_id TEXT NOT NULL,
  application_id TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  day TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  principal_fen INTEGER NOT NULL,
  interest_fen INTEGER NOT NULL,
  fee_fen INTEGER NOT NULL,
  penalty_fen INTEGER NOT NULL,
  PRIMARY KEY (partner_id, seq)
) STRICT;
CREATE TABLE IF NOT EXISTS answers (
  partner_id TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (partner_id, key)
) STRICT;
CREATE TABLE IF NOT EXISTS callbacks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL UNIQUE,
  partner_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  due_at_ms INTEGER NOT NULL,
  duplicate INTEGER NOT NULL
) STRICT;
`;

export class SandboxStoreError extends Error {
  override readonly name = 'SandboxStoreError';
}

/** What one call changed for one lender, written in one transaction. */
export interface LenderChanges {
  readonly book: BookState;
  readonly answers: readonly AnswerEntry[];
  readonly callbacks: readonly QueuedCallback[];
}

/** What a lender's book and memory are rebuilt from. */
export interface LenderRecords {
  readonly book: BookState;
  readonly answers: readonly AnswerEntry[];
}

type Row = Record<string, string | number | bigint | null | Uint8Array>;

export class SandboxStore {
  /** The file, or `:memory:`. */
  readonly path: string;
  readonly #db: DatabaseSync;
  #depth = 0;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
  }

  /**
   * Opens (creating) the store at `path`; `:memory:` or nothing for one that keeps nothing.
   * @throws SandboxStoreError when another process holds the file, or it is of a newer version.
   */
  static open(path: string | undefined = MEMORY_STORE): SandboxStore {
    const file = path === '' ? MEMORY_STORE : path;
    if (file !== MEMORY_STORE) mkdirSync(dirname(file), { recursive: true });
    const db = new DatabaseSync(file, { timeout: 2_000 });
    try {
      if (file !== MEMORY_STORE) {
        db.exec('PRAGMA journal_mode = WAL');
        db.exec('PRAGMA synchronous = NORMAL');
        // Exclusive: the first write takes the lock and keeps it until close, so a second process
        // on the same file fails here (after the busy timeout) instead of working on a stale copy.
        db.exec('PRAGMA locking_mode = EXCLUSIVE');
      }
      const version = Number((db.prepare('PRAGMA user_version').get() as Row).user_version);
      if (version > SCHEMA_VERSION)
        throw new SandboxStoreError(`${file} was written by a newer sandbox (schema ${version})`);
      db.exec('BEGIN IMMEDIATE');
      db.exec(SCHEMA);
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      db.exec('COMMIT');
    } catch (error) {
      db.close();
      if (error instanceof SandboxStoreError) throw error;
      const message = (error as Error).message;
      throw new SandboxStoreError(
        /locked|busy/i.test(message)
          ? `${file} is in use by another sandbox process: stop it, or give this one another data folder`
          : `${file} cannot be opened: ${message}`,
      );
    }
    return new SandboxStore(file, db);
  }

  /** Runs `fn` in a transaction (nested calls join the outer one); rolls back if it throws. */
  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    this.#db.exec('BEGIN IMMEDIATE');
    this.#depth = 1;
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    } finally {
      this.#depth = 0;
    }
  }

  /** Writes one lender's changes — records, answers, queued callbacks — in one transaction. */
  write(partnerId: string, changes: LenderChanges): void {
    const { book, answers, callbacks } = changes;
    if (
      book.applications.length +
        book.drawdowns.length +
        book.loans.length +
        book.appliedPerDay.length +
        book.ledger.length +
        answers.length +
        callbacks.length ===
      0
    )
      return;
    this.transaction(() => {
      const application = this.#db.prepare(
        `INSERT INTO applications (partner_id, application_id, record) VALUES (?, ?, ?)
         ON CONFLICT DO UPDATE SET record = excluded.record`,
      );
      for (const app of book.applications) application.run(partnerId, app.applicationId, JSON.stringify(app));
      const drawdown = this.#db.prepare(
        `INSERT INTO drawdowns (partner_id, drawdown_id, record) VALUES (?, ?, ?)
         ON CONFLICT DO UPDATE SET record = excluded.record`,
      );
      for (const d of book.drawdowns) drawdown.run(partnerId, d.result.drawdownId, JSON.stringify(d));
      const loan = this.#db.prepare(
        `INSERT INTO loans (partner_id, loan_id, application_id, status, schedule_version, record)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET status = excluded.status,
           schedule_version = excluded.schedule_version, record = excluded.record`,
      );
      for (const l of book.loans)
        loan.run(partnerId, l.loanId, l.applicationId, l.status, l.scheduleVersion, JSON.stringify(l));
      const day = this.#db.prepare(
        `INSERT INTO applied_per_day (partner_id, product_code, day, count) VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET count = excluded.count`,
      );
      for (const d of book.appliedPerDay) day.run(partnerId, d.productCode, d.day, d.count);
      const entry = this.#db.prepare(
        `INSERT INTO ledger (partner_id, seq, type, business_id, loan_id, application_id, occurred_at,
           day, amount_fen, principal_fen, interest_fen, fee_fen, penalty_fen)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const [i, e] of book.ledger.entries()) {
        entry.run(
          partnerId,
          book.ledgerFrom + i,
          e.type,
          e.businessId,
          e.loanId,
          e.applicationId,
          e.occurredAt,
          e.date,
          e.amountFen,
          e.principalFen,
          e.interestFen,
          e.feeFen,
          e.penaltyFen,
        );
      }
      const answer = this.#db.prepare(
        `INSERT INTO answers (partner_id, key, fingerprint, status, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
           body = excluded.body`,
      );
      for (const a of answers)
        answer.run(partnerId, a.key, a.fingerprint, a.answer.status, JSON.stringify(a.answer.body));
      const callback = this.#db.prepare(
        `INSERT INTO callbacks (request_id, partner_id, stream, kind, body, due_at_ms, duplicate)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const c of callbacks)
        callback.run(
          c.requestId,
          c.partnerId,
          c.stream,
          c.kind,
          JSON.stringify(c.body),
          c.dueAtMs,
          c.duplicate ? 1 : 0,
        );
    });
  }

  /** Everything written for one lender. */
  load(partnerId: string): LenderRecords {
    const all = (sql: string) => this.#db.prepare(sql).all(partnerId) as Row[];
    const records = <T>(sql: string) => all(sql).map((row) => JSON.parse(String(row.record)) as T);
    const ledger = all('SELECT * FROM ledger WHERE partner_id = ? ORDER BY seq').map(
      (row): LedgerEntry => ({
        type: row.type as LedgerEntry['type'],
        businessId: String(row.business_id),
        loanId: String(row.loan_id),
        applicationId: String(row.application_id),
        occurredAt: String(row.occurred_at),
        date: String(row.day),
        amountFen: Number(row.amount_fen),
        principalFen: Number(row.principal_fen),
        interestFen: Number(row.interest_fen),
        feeFen: Number(row.fee_fen),
        penaltyFen: Number(row.penalty_fen),
      }),
    );
    return {
      book: {
        applications: records<ApplicationRecord>(
          'SELECT record FROM applications WHERE partner_id = ? ORDER BY rowid',
        ),
        drawdowns: records<DrawdownRecord>(
          'SELECT record FROM drawdowns WHERE partner_id = ? ORDER BY rowid',
        ),
        loans: records<LoanRecord>('SELECT record FROM loans WHERE partner_id = ? ORDER BY rowid'),
        appliedPerDay: all(
          'SELECT product_code, day, count FROM applied_per_day WHERE partner_id = ? ORDER BY rowid',
        ).map(
          (row): DayCount => ({
            productCode: String(row.product_code),
            day: String(row.day),
            count: Number(row.count),
          }),
        ),
        ledgerFrom: 0,
        ledger,
      },
      answers: all(
        'SELECT key, fingerprint, status, body FROM answers WHERE partner_id = ? ORDER BY rowid',
      ).map(
        (row): AnswerEntry => ({
          key: String(row.key),
          fingerprint: String(row.fingerprint),
          answer: { status: Number(row.status), body: JSON.parse(String(row.body)) },
        }),
      ),
    };
  }

  /** The callbacks of one lender still to deliver, in the order they were queued. */
  pendingCallbacks(partnerId: string): QueuedCallback[] {
    const rows = this.#db
      .prepare('SELECT * FROM callbacks WHERE partner_id = ? ORDER BY seq')
      .all(partnerId) as Row[];
    return rows.map((row) => ({
      requestId: String(row.request_id),
      partnerId: String(row.partner_id),
      stream: String(row.stream),
      kind: String(row.kind) as CallbackKind,
      body: JSON.parse(String(row.body)),
      dueAtMs: Number(row.due_at_ms),
      duplicate: Number(row.duplicate) === 1,
    }));
  }

  /** Forgets a callback whose delivery ended. */
  removeCallback(requestId: string): void {
    this.#db.prepare('DELETE FROM callbacks WHERE request_id = ?').run(requestId);
  }

  /** Counts for the start-up banner. */
  counts(): { applications: number; loans: number; callbacks: number } {
    const count = (table: string) =>
      Number((this.#db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as Row).n);
    return { applications: count('applications'), loans: count('loans'), callbacks: count('callbacks') };
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
