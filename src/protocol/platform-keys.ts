import { seal, unseal } from '../crypto/seal.ts';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import {
  generateKeyPair,
  isKeyValidAt,
  type PrivateSigningKey,
  type PublicSigningKey,
} from './envelope/index.ts';

const SEAL_PURPOSE = 'platform-signing-key';

/**
 * The platform's own signing keys. Generated on first start (Ed25519), stored with the private
 * half sealed by the master key so that every server process signs with the same key, and
 * published to lenders at GET /open/v1/keys. Rotation: add a key with a later notBefore and give
 * the old one a notAfter; both are published during the overlap.
 */
export class PlatformKeyring {
  readonly #db: Executor;
  readonly #masterKey: Buffer;
  readonly #clock: Clock;
  #cached: { key: PrivateSigningKey; until: number } | undefined;

  constructor(db: Executor, masterKey: Buffer, clock: Clock) {
    this.#db = db;
    this.#masterKey = masterKey;
    this.#clock = clock;
  }

  /** Creates the first signing key when there is none; safe to call from several processes. */
  async ensureSigningKey(): Promise<void> {
    const now = this.#clock().getTime();
    if ((await this.publicKeys()).some((key) => isKeyValidAt(key, now))) return;
    const pair = await generateKeyPair('Ed25519', { notBefore: now - 60_000 });
    await this.#db
      .insertInto('platform_keys')
      .values({
        kid: pair.publicKey.kid,
        alg: pair.publicKey.alg,
        use: 'signing',
        public_key_pem: pair.publicKey.publicKeyPem,
        private_key_sealed: seal(this.#masterKey, SEAL_PURPOSE, pair.privateKeyPem),
        not_before: new Date(pair.publicKey.notBefore),
        not_after: null,
      })
      .onConflict((oc) => oc.column('kid').doNothing())
      .execute();
  }

  /** Every published signing key, valid now or not, oldest first. */
  async publicKeys(): Promise<PublicSigningKey[]> {
    const rows = await this.#db
      .selectFrom('platform_keys')
      .select(['kid', 'alg', 'public_key_pem', 'not_before', 'not_after'])
      .where('use', '=', 'signing')
      .orderBy('not_before')
      .execute();
    return rows.map((row) => ({
      use: 'signing',
      kid: row.kid,
      alg: row.alg as PublicSigningKey['alg'],
      publicKeyPem: row.public_key_pem,
      notBefore: row.not_before.getTime(),
      notAfter: row.not_after?.getTime() ?? null,
    }));
  }

  /** The newest currently valid signing key, cached for a minute. */
  async signingKey(): Promise<PrivateSigningKey> {
    const now = this.#clock().getTime();
    if (this.#cached && this.#cached.until > now) return this.#cached.key;
    const row = await this.#db
      .selectFrom('platform_keys')
      .selectAll()
      .where('use', '=', 'signing')
      .where('not_before', '<=', new Date(now))
      .where((eb) => eb.or([eb('not_after', 'is', null), eb('not_after', '>', new Date(now))]))
      .orderBy('not_before', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) throw new Error('the platform has no valid signing key; run ensureSigningKey at start');
    const key: PrivateSigningKey = {
      kid: row.kid,
      alg: row.alg as PrivateSigningKey['alg'],
      privateKey: unseal(this.#masterKey, SEAL_PURPOSE, row.private_key_sealed),
    };
    this.#cached = { key, until: now + 60_000 };
    return key;
  }
}
