import { createPrivateKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Config } from '../config.ts';
import { unseal } from '../crypto/seal.ts';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { AUDIENCE } from './claims.ts';
import { CHANNEL_USER_ID_PATTERN } from './model.ts';
import type { ChannelTables } from './tables.ts';
import { fieldError } from './validation.ts';

/** Seal purpose of a demo channel's private key: bound to the channel and kid it belongs to. */
export function demoKeyPurpose(channelCode: string, kid: string): string {
  return `channel-demo-key:${channelCode}:${kid}`;
}

/** Lifetime of a minted token: well inside the 10-minute limit sign-in enforces. */
const MINTED_LIFETIME_SECONDS = 300;

/**
 * Dev minting is for trying the H5 locally: only with demo data on, and never in production
 * even if someone turns demo data on there.
 */
export function devMintingEnabled(
  config: Pick<Config, 'demo'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return config.demo && env.NODE_ENV !== 'production';
}

export interface MintedToken {
  readonly token: string;
  readonly expiresAt: string;
  readonly kid: string;
}

/**
 * Signs a sign-in token as a demo channel would, with the private key the demo seed kept (sealed
 * by the master key). Real channels keep their private keys; Lendgate only ever has their public
 * keys.
 */
export class DevTokenMinter {
  readonly #db: Executor<ChannelTables>;
  readonly #clock: Clock;
  readonly #masterKey: Buffer;

  constructor(db: Executor<ChannelTables>, options: { readonly clock: Clock; readonly masterKey: Buffer }) {
    this.#db = db;
    this.#clock = options.clock;
    this.#masterKey = options.masterKey;
  }

  async mint(channelCode: string, channelUserId: string): Promise<MintedToken> {
    if (!CHANNEL_USER_ID_PATTERN.test(channelUserId)) {
      throw fieldError('channelUserId', 'must be 1–128 letters, digits or ._:@+/=|~-');
    }
    const channel = await this.#db
      .selectFrom('channels')
      .select('code')
      .where('code', '=', channelCode)
      .executeTakeFirst();
    if (!channel) throw new AppError('NOT_FOUND', `No channel has code ${channelCode}.`);
    const now = this.#clock();
    const key = await this.#db
      .selectFrom('channel_demo_keys as d')
      .innerJoin('channel_keys as k', (join) =>
        join.onRef('k.channel_code', '=', 'd.channel_code').onRef('k.kid', '=', 'd.kid'),
      )
      .select(['k.kid', 'k.alg', 'd.private_key_sealed'])
      .where('d.channel_code', '=', channelCode)
      .where('k.not_before', '<=', now)
      .where((eb) => eb.or([eb('k.not_after', 'is', null), eb('k.not_after', '>', now)]))
      .where('k.revoked_at', 'is', null)
      .orderBy('k.not_before', 'desc')
      .executeTakeFirst();
    if (!key) throw new AppError('CONFLICT', `Channel ${channelCode} has no demo signing key.`);
    const privateKey = createPrivateKey(
      unseal(this.#masterKey, demoKeyPurpose(channelCode, key.kid), key.private_key_sealed),
    );
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + MINTED_LIFETIME_SECONDS;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(channelCode)
      .setAudience(AUDIENCE)
      .setSubject(channelUserId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(privateKey);
    return { token, expiresAt: new Date(exp * 1000).toISOString(), kid: key.kid };
  }
}
