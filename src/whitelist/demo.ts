import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { ChannelService } from '../channels/channel-service.ts';
import type { ChannelTables } from '../channels/tables.ts';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { WhitelistImporter } from './importer.ts';
import { WhitelistService } from './service.ts';
import type { WhitelistTables } from './tables.ts';

/** Demo users demo-001…demo-020 are listed on every demo channel; demo-099 is not. */
export function demoWhitelistCsv(): string {
  const lines = ['channel_user_id,segment,limit_fen'];
  for (let i = 1; i <= 20; i++) {
    const id = `demo-${String(i).padStart(3, '0')}`;
    lines.push(i <= 10 ? `${id},prime,5000000` : `${id},standard,2000000`);
  }
  return `${lines.join('\n')}\n`;
}

/** Imports and activates the demo list on each of the given channels. */
export async function seedDemoWhitelists(
  // The whitelist's tables and the channels' (the demo lists go to demo channels it looks up).
  trx: Executor<WhitelistTables & ChannelTables>,
  clock: Clock,
  channelCodes: readonly string[],
): Promise<string[]> {
  const registry = new ChannelService(trx, { clock });
  const channels = { statusOf: (code: string) => registry.statusOf(code), channelUserIdOf: async () => null };
  const service = new WhitelistService(trx, { clock, channels });
  const importer = new WhitelistImporter(trx, {
    clock,
    channels,
    activate: (code, version, actor) => service.activate(code, version, actor),
  });
  for (const code of channelCodes) {
    await importer.import(code, [demoWhitelistCsv()], {
      actor: SYSTEM_ACTOR,
      source: 'seed',
      activate: true,
    });
  }
  return [
    `demo whitelist on ${channelCodes.join(', ')}: users demo-001…demo-020 (prime, standard); demo-099 is not listed`,
  ];
}
