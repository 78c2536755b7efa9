import { sql } from 'kysely';
import type { Executor } from '../db/transaction.ts';
import type { NonceStore } from './envelope/index.ts';

/**
 * Replay protection shared by every server process: a (partner, nonce) pair is claimed by one
 * INSERT on a primary key. A pair whose window has closed may be claimed again (its timestamp
 * check would refuse the old message anyway), which keeps the table from needing a sweep to work.
 */
export class DatabaseNonceStore implements NonceStore {
  readonly #db: Executor;
  readonly #now: () => Date;

  constructor(db: Executor, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  async claim(partnerId: string, nonce: string, expiresAt: number): Promise<boolean> {
    const result = await sql<{ claimed: number }>`
      INSERT INTO protocol_nonces (partner_id, nonce, expires_at)
      VALUES (${partnerId}, ${nonce}, ${new Date(expiresAt)})
      ON CONFLICT (partner_id, nonce) DO UPDATE SET expires_at = excluded.expires_at
        WHERE protocol_nonces.expires_at <= ${this.#now()}
      RETURNING 1 AS claimed`.execute(this.#db);
    return result.rows.length === 1;
  }

  /** Deletes nonces whose window has closed; returns how many. Run now and then. */
  async sweep(): Promise<number> {
    const result = await this.#db
      .deleteFrom('protocol_nonces')
      .where('expires_at', '<=', this.#now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
