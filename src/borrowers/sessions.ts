import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type Executor, ownTables, type SharedExecutor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import type { BorrowerTables } from './tables.ts';

export interface BorrowerSession {
  readonly token: string;
  readonly expiresAt: string;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Borrower identities and their sessions. A channel's sign-in (channels module) creates the
 * borrower on first sight and opens a session; every borrower route authenticates through here.
 */
export class BorrowerSessions {
  readonly #db: Executor<BorrowerTables>;
  readonly #clock: Clock;
  readonly #ttlMinutes: number;

  constructor(db: Executor<BorrowerTables>, clock: Clock, ttlMinutes = 30) {
    this.#db = db;
    this.#clock = clock;
    this.#ttlMinutes = ttlMinutes;
  }

  /** Creates a new borrower (no personal data yet) and returns its id. */
  async createBorrower(executor: SharedExecutor = this.#db): Promise<string> {
    const id = randomUUID();
    await ownTables<BorrowerTables>(executor)
      .insertInto('borrowers')
      .values({ id, status: 'active' })
      .execute();
    return id;
  }

  async open(principal: BorrowerPrincipal, executor: SharedExecutor = this.#db): Promise<BorrowerSession> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.#clock().getTime() + this.#ttlMinutes * 60_000);
    await ownTables<BorrowerTables>(executor)
      .insertInto('borrower_sessions')
      .values({
        token_hash: hashToken(token),
        borrower_id: principal.borrowerId,
        channel_code: principal.channelCode,
        expires_at: expiresAt,
        revoked_at: null,
      })
      .execute();
    return { token, expiresAt: expiresAt.toISOString() };
  }

  /** The principal behind a token, or null when unknown, expired, revoked or the borrower is gone. */
  async authenticate(token: string): Promise<BorrowerPrincipal | null> {
    const row = await this.#db
      .selectFrom('borrower_sessions as s')
      .innerJoin('borrowers as b', 'b.id', 's.borrower_id')
      .select(['s.borrower_id', 's.channel_code'])
      .where('s.token_hash', '=', hashToken(token))
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', this.#clock())
      .where('b.status', '=', 'active')
      .executeTakeFirst();
    return row ? { borrowerId: row.borrower_id, channelCode: row.channel_code } : null;
  }

  async revoke(token: string): Promise<void> {
    await this.#db
      .updateTable('borrower_sessions')
      .set({ revoked_at: this.#clock() })
      .where('token_hash', '=', hashToken(token))
      .execute();
  }
}
