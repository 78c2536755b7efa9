/**
 * Whitelist gating (白名单): versioned lists imported from CSV, switched atomically, with rollout
 * per segment and kill switches. Other modules call `whitelist.entryFor(principal)`.
 */

import type { ChannelServices } from '../channels/index.ts';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { WhitelistImporter } from './importer.ts';
import type { ChannelDirectory } from './ports.ts';
import { WhitelistService } from './service.ts';
import type { WhitelistTables } from './tables.ts';

export { MAX_LINE_LENGTH, parseHeader, parseRow, SEGMENT_PATTERN, WHITELIST_KEY_TYPES } from './csv.ts';
export { DEFAULT_BATCH_SIZE, type ImportOptions } from './importer.ts';
export * from './model.ts';
export type { ChannelDirectory } from './ports.ts';
export { decideEntry, type EntryDecision, type EntryRefusal, phoneSha256, rolloutBucket } from './rollout.ts';
export { WhitelistImporter, WhitelistService };

export interface WhitelistServices {
  readonly service: WhitelistService;
  readonly importer: WhitelistImporter;
}

/** The channels module seen through the narrow interface the whitelist needs. */
export function channelDirectory(channels: Pick<ChannelServices, 'registry' | 'users'>): ChannelDirectory {
  return {
    statusOf: (code) => channels.registry.statusOf(code),
    channelUserIdOf: (principal) => channels.users.channelUserIdOf(principal),
  };
}

export function createWhitelistServices(
  db: Executor<WhitelistTables>,
  options: { readonly clock: Clock; readonly channels: ChannelDirectory },
): WhitelistServices {
  const service = new WhitelistService(db, options);
  return {
    service,
    importer: new WhitelistImporter(db, {
      ...options,
      activate: (channelCode, version, actor, requestId) =>
        service.activate(channelCode, version, actor, requestId),
    }),
  };
}
