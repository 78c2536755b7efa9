import type { Executor } from '../db/transaction.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import type { ChannelTables } from './tables.ts';

/** Reads the channel-user ↔ borrower map that sign-in maintains. */
export class ChannelUsers {
  readonly #db: Executor<ChannelTables>;

  constructor(db: Executor<ChannelTables>) {
    this.#db = db;
  }

  /** The channel's own user id of a signed-in borrower (whitelists and offers key on it). */
  async channelUserIdOf(principal: BorrowerPrincipal): Promise<string | null> {
    const row = await this.#db
      .selectFrom('channel_users')
      .select('channel_user_id')
      .where('borrower_id', '=', principal.borrowerId)
      .where('channel_code', '=', principal.channelCode)
      .executeTakeFirst();
    return row?.channel_user_id ?? null;
  }

  /** The borrower a channel user maps to, or null before their first sign-in. */
  async borrowerOf(channelCode: string, channelUserId: string): Promise<string | null> {
    const row = await this.#db
      .selectFrom('channel_users')
      .select('borrower_id')
      .where('channel_code', '=', channelCode)
      .where('channel_user_id', '=', channelUserId)
      .executeTakeFirst();
    return row?.borrower_id ?? null;
  }
}
