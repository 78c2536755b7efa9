import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { seal } from '../crypto/seal.ts';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { ChannelService } from './channel-service.ts';
import { demoKeyPurpose } from './dev-tokens.ts';
import { minimalPublicJwk } from './key-material.ts';
import { ChannelKeyService } from './key-service.ts';
import type { ChannelKeyAlgorithm, NewChannel } from './model.ts';
import type { ChannelTables } from './tables.ts';

/** The demo channels: one per algorithm a channel may sign with, so all three are exercised. */
export const DEMO_CHANNELS: readonly (NewChannel & { readonly alg: ChannelKeyAlgorithm })[] = [
  {
    code: 'shop',
    name: '购物',
    alg: 'ES256',
    placements: [
      { code: 'benefits', name: '权益页' },
      { code: 'wallet', name: '钱包' },
    ],
  },
  { code: 'maps', name: '地图', alg: 'RS256', placements: [{ code: 'profile', name: '我的' }] },
  { code: 'resale', name: '二手', alg: 'EdDSA', placements: [{ code: 'sold', name: '卖出成功页' }] },
];

function generate(alg: ChannelKeyAlgorithm): { publicKey: KeyObject; privateKey: KeyObject } {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  return generateKeyPairSync('ed25519');
}

/**
 * Creates the demo channels, each with a generated signing key. The private halves are kept,
 * sealed by the master key, only so that the dev minting route can sign tokens for them; without
 * a master key the channels are created without that ability.
 */
export async function seedDemoChannels(
  trx: Executor<ChannelTables>,
  clock: Clock,
  masterKey: Buffer | undefined,
): Promise<string[]> {
  const channels = new ChannelService(trx, { clock });
  const keys = new ChannelKeyService(trx, { clock });
  for (const demo of DEMO_CHANNELS) {
    await channels.create(
      { code: demo.code, name: demo.name, placements: demo.placements ?? [] },
      SYSTEM_ACTOR,
    );
    const pair = generate(demo.alg);
    const kid = `${demo.code}-demo-1`;
    await keys.add(demo.code, { kid, alg: demo.alg, jwk: minimalPublicJwk(pair.publicKey) }, SYSTEM_ACTOR);
    if (masterKey === undefined) continue;
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await trx
      .insertInto('channel_demo_keys')
      .values({
        channel_code: demo.code,
        kid,
        private_key_sealed: seal(masterKey, demoKeyPurpose(demo.code, kid), pem),
      })
      .execute();
  }
  const codes = DEMO_CHANNELS.map((c) => c.code).join(', ');
  return [
    masterKey === undefined
      ? `demo channels ${codes} (no master key given: dev token minting is unavailable for them)`
      : `demo channels ${codes}; sign a demo user in with POST /api/v1/dev/channels/shop/tokens {"channelUserId":"demo-001"}`,
  ];
}
