import type { BorrowerPrincipal } from '../shared/principal.ts';

/**
 * What the whitelist needs from the channels module, as a narrow interface the composition root
 * plugs in (see channelDirectory in index.ts).
 */
export interface ChannelDirectory {
  /** The channel's status, or null when no channel has this code. */
  statusOf(channelCode: string): Promise<'active' | 'disabled' | null>;
  /** The channel's own user id of a signed-in borrower. */
  channelUserIdOf(principal: BorrowerPrincipal): Promise<string | null>;
}
