import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/audit-log.ts';
import type { BorrowerSessions } from '../borrowers/sessions.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { CLOCK_SKEW_SECONDS, type SignInClaims } from './claims.ts';
import type { ChannelKeyService } from './key-service.ts';
import type { ChannelTables } from './tables.ts';
import { tokenRefused, verifyChannelToken } from './verify-token.ts';

export interface ChannelSignInResult {
  readonly token: string;
  readonly expiresAt: string;
  readonly borrower: { readonly id: string };
  /** True when this sign-in created the borrower. */
  readonly newBorrower: boolean;
}

/** Thrown inside the transaction when a concurrent first sign-in mapped the user first. */
class LostRace extends Error {}

/** How often used token ids past their expiry are deleted. */
const SWEEP_EVERY_MS = 60_000;

/**
 * Joint sign-in (联合登录): a channel's signed token becomes a borrower session. The token's id is
 * recorded, the channel user is mapped to one borrower (created on first sight) and the session is
 * opened in one transaction, so a refused or failed sign-in leaves nothing behind.
 */
export class ChannelSignIn {
  readonly #db: Executor<ChannelTables>;
  readonly #clock: Clock;
  readonly #keys: ChannelKeyService;
  readonly #sessions: BorrowerSessions;
  #lastSweep = 0;

  constructor(
    db: Executor<ChannelTables>,
    options: { readonly clock: Clock; readonly keys: ChannelKeyService; readonly sessions: BorrowerSessions },
  ) {
    this.#db = db;
    this.#clock = options.clock;
    this.#keys = options.keys;
    this.#sessions = options.sessions;
  }

  async signIn(channelCode: string, token: string, requestId?: string): Promise<ChannelSignInResult> {
    const channel = await this.#db
      .selectFrom('channels')
      .select('status')
      .where('code', '=', channelCode)
      .executeTakeFirst();
    if (!channel) throw new AppError('NOT_FOUND', `No channel has code ${channelCode}.`);
    if (channel.status !== 'active') throw new AppError('FORBIDDEN', `Channel ${channelCode} is disabled.`);
    const now = this.#clock();
    const claims = await verifyChannelToken(
      channelCode,
      token,
      (kid) => this.#keys.validKey(channelCode, kid, now),
      now,
    );
    await this.#sweep(now);
    // A concurrent first sign-in of the same user may win the mapping; then the transaction rolls
    // back (leaving no borrower behind) and the retry finds the winner's borrower.
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.#db, (trx) => this.#open(trx, channelCode, claims, requestId));
      } catch (error) {
        if (!(error instanceof LostRace) || attempt >= 3) throw error;
      }
    }
  }

  async #open(
    trx: Transaction<ChannelTables>,
    channelCode: string,
    claims: SignInClaims,
    requestId: string | undefined,
  ): Promise<ChannelSignInResult> {
    const used = await trx
      .insertInto('channel_token_uses')
      .values({
        channel_code: channelCode,
        jti: claims.jti,
        expires_at: new Date((claims.expiresAt + CLOCK_SKEW_SECONDS) * 1000),
      })
      .onConflict((oc) => oc.columns(['channel_code', 'jti']).doNothing())
      .returning('jti')
      .executeTakeFirst();
    if (!used) throw tokenRefused('replayed', 'This token has been used already.');

    let borrowerId = await this.#borrowerOf(trx, channelCode, claims.channelUserId);
    const newBorrower = borrowerId === undefined;
    if (borrowerId === undefined) {
      borrowerId = await this.#sessions.createBorrower(trx);
      const mapped = await trx
        .insertInto('channel_users')
        .values({
          channel_code: channelCode,
          channel_user_id: claims.channelUserId,
          borrower_id: borrowerId,
          created_at: this.#clock(),
        })
        .onConflict((oc) => oc.columns(['channel_code', 'channel_user_id']).doNothing())
        .returning('borrower_id')
        .executeTakeFirst();
      if (!mapped) throw new LostRace();
      await recordAudit(trx, {
        actor: { type: 'channel', id: channelCode },
        action: 'channel_user.link',
        target: { type: 'borrower', id: borrowerId },
        requestId,
      });
    }
    const session = await this.#sessions.open({ borrowerId, channelCode }, trx);
    return { ...session, borrower: { id: borrowerId }, newBorrower };
  }

  async #borrowerOf(
    trx: Executor<ChannelTables>,
    channelCode: string,
    channelUserId: string,
  ): Promise<string | undefined> {
    const row = await trx
      .selectFrom('channel_users')
      .select('borrower_id')
      .where('channel_code', '=', channelCode)
      .where('channel_user_id', '=', channelUserId)
      .executeTakeFirst();
    return row?.borrower_id;
  }

  /** Deletes used token ids that could no longer be accepted anyway (at most once a minute). */
  async #sweep(now: Date): Promise<void> {
    if (now.getTime() - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now.getTime();
    await this.#db.deleteFrom('channel_token_uses').where('expires_at', '<', now).execute();
  }
}
