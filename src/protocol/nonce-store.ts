import { sql } from 'kysely';
import type { Executor } from '../db/transaction.ts';
import type { NonceStore } from './envelope/index.ts';
import type { ProtocolTables } from './tables.ts';

/** How often a store deletes the nonces whose window has closed. */
export const NONCE_SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Replay protection shared by every server process: a (partner, nonce) pair is claimed by one
 * INSERT on a primary key. A pair whose window has closed may be claimed again (its timestamp
 * check would refuse the old message anyway), which keeps the table from needing a sweep to work.
 * Every nonce is new, though, so without deleting the closed ones the table grows by a row per
 * message for ever: a claim starts a sweep when the last one is `sweepEveryMs` old, in the
 * background (the request does not wait for it; a failed sweep is simply tried at the next one).
 */
export class DatabaseNonceStore implements NonceStore {
  readonly #db: Executor<ProtocolTables>;
  readonly #now: () => Date;
  readonly #sweepEveryMs: number;
  #lastSweep: number;
  #sweeping: Promise<unknown> = Promise.resolve();

  constructor(db: Executor<ProtocolTables>, now: () => Date, sweepEveryMs = NONCE_SWEEP_EVERY_MS) {
    this.#db = db;
    this.#now = now;
    this.#sweepEveryMs = sweepEveryMs;
    this.#lastSweep = now().getTime();
  }

  /** The sweep in progress (or the last one), for tests and orderly shutdowns to wait on. */
  get sweeping(): Promise<unknown> {
    return this.#sweeping;
  }

  async claim(partnerId: string, nonce: string, expiresAt: number): Promise<boolean> {
    const nowMs = this.#now().getTime();
    if (nowMs - this.#lastSweep >= this.#sweepEveryMs) {
      this.#lastSweep = nowMs;
      this.#sweeping = this.sweep().catch(() => 0);
    }
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
