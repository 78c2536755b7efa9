/**
 * Channels (渠道) and joint sign-in (联合登录): the registry, the channels' signing keys, sign-in
 * that turns a channel's token into a borrower session, the channel-user map, and dev minting.
 * Other modules use these services, never the tables.
 */

import type { BorrowerSessions } from '../borrowers/sessions.ts';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { ChannelService } from './channel-service.ts';
import { ChannelUsers } from './channel-users.ts';
import { DevTokenMinter } from './dev-tokens.ts';
import { ChannelKeyService } from './key-service.ts';
import { ChannelSignIn } from './sign-in.ts';
import type { ChannelTables } from './tables.ts';

export {
  AUDIENCE,
  CLOCK_SKEW_SECONDS,
  MAX_LIFETIME_SECONDS,
  TOKEN_REFUSALS,
  type TokenRefusal,
} from './claims.ts';
export { DEMO_CHANNELS, seedDemoChannels } from './demo.ts';
export { devMintingEnabled, type MintedToken } from './dev-tokens.ts';
export * from './model.ts';
export type { ChannelSignInResult } from './sign-in.ts';
export { ChannelKeyService, ChannelService, ChannelSignIn, ChannelUsers, DevTokenMinter };

export interface ChannelServices {
  readonly registry: ChannelService;
  readonly keys: ChannelKeyService;
  readonly signIn: ChannelSignIn;
  readonly users: ChannelUsers;
  readonly devTokens: DevTokenMinter;
}

export function createChannelServices(
  db: Executor<ChannelTables>,
  options: { readonly clock: Clock; readonly sessions: BorrowerSessions; readonly masterKey: Buffer },
): ChannelServices {
  const keys = new ChannelKeyService(db, options);
  return {
    registry: new ChannelService(db, options),
    keys,
    signIn: new ChannelSignIn(db, { clock: options.clock, keys, sessions: options.sessions }),
    users: new ChannelUsers(db),
    devTokens: new DevTokenMinter(db, options),
  };
}
