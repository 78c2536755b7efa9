import { seal, unseal } from '../crypto/seal.ts';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import {
  generateKeyPair,
  isKeyValidAt,
  type PrivateSigningKey,
  type PublicKeyRecord,
  type PublicSigningKey,
  type SignatureAlgorithm,
  smAvailable,
} from './envelope/index.ts';
import type { ProtocolTables } from './tables.ts';

const SEAL_PURPOSE = 'platform-signing-key';

/**
 * Which of its signing keys the platform uses towards a partner: `standard` (Ed25519) or `sm`
 * (SM2-SM3, for a partner on the 国密 suite).
 */
export type SigningFamily = 'standard' | 'sm';

const FAMILY_ALG: Readonly<Record<SigningFamily, SignatureAlgorithm>> = {
  standard: 'Ed25519',
  sm: 'SM2-SM3',
};

function familyOfAlg(alg: string): SigningFamily {
  return alg === 'SM2-SM3' ? 'sm' : 'standard';
}

/**
 * The family a partner speaks, read from its published key set: that of its newest valid signing
 * key (so a partner moving to SM2-SM3 is answered in SM from the moment its new key is live).
 * `standard` when there is none.
 */
export function signingFamilyOf(
  peerKeys: readonly PublicKeyRecord[] | undefined,
  nowMs: number,
): SigningFamily {
  let newest: PublicKeyRecord | undefined;
  for (const key of peerKeys ?? []) {
    if (key.use !== 'signing' || !isKeyValidAt(key, nowMs)) continue;
    if (newest === undefined || key.notBefore > newest.notBefore) newest = key;
  }
  return newest === undefined ? 'standard' : familyOfAlg(newest.alg);
}

/**
 * The platform's own signing keys. Generated on first start — an Ed25519 key, and an SM2-SM3 key
 * for partners on the SM suite — stored with the private half sealed by the master key so that
 * every server process signs with the same keys, and published to lenders at GET /open/v1/keys.
 * Rotation: add a key with a later notBefore and give the old one a notAfter; both are published
 * during the overlap.
 */
export class PlatformKeyring {
  readonly #db: Executor<ProtocolTables>;
  readonly #masterKey: Buffer;
  readonly #clock: Clock;
  readonly #cached = new Map<SigningFamily, { key: PrivateSigningKey; until: number }>();

  constructor(db: Executor<ProtocolTables>, masterKey: Buffer, clock: Clock) {
    this.#db = db;
    this.#masterKey = masterKey;
    this.#clock = clock;
  }

  /**
   * Creates a signing key of each family that has no valid one (the SM one when an SM provider is
   * installed); safe to call from several processes.
   */
  async ensureSigningKey(): Promise<void> {
    const now = this.#clock().getTime();
    const valid = (await this.publicKeys()).filter((key) => isKeyValidAt(key, now));
    const families: SigningFamily[] = smAvailable() ? ['standard', 'sm'] : ['standard'];
    for (const family of families) {
      if (valid.some((key) => familyOfAlg(key.alg) === family)) continue;
      await this.#create(FAMILY_ALG[family], now);
    }
  }

  async #create(alg: SignatureAlgorithm, now: number): Promise<void> {
    const pair = await generateKeyPair(alg, { notBefore: now - 60_000 });
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

  /**
   * The key to sign with towards a partner whose published keys are `peerKeys`: the SM2-SM3 key for
   * a partner on the SM suite ({@link signingFamilyOf}), else the standard one.
   */
  async signingKeyFor(peerKeys: readonly PublicKeyRecord[] | undefined): Promise<PrivateSigningKey> {
    return this.signingKey(signingFamilyOf(peerKeys, this.#clock().getTime()));
  }

  /** The newest currently valid signing key of a family (default: standard), cached for a minute. */
  async signingKey(family: SigningFamily = 'standard'): Promise<PrivateSigningKey> {
    const now = this.#clock().getTime();
    const hit = this.#cached.get(family);
    if (hit && hit.until > now) return hit.key;
    const sm = FAMILY_ALG.sm;
    const row = await this.#db
      .selectFrom('platform_keys')
      .selectAll()
      .where('use', '=', 'signing')
      .where('alg', family === 'sm' ? '=' : '!=', sm)
      .where('not_before', '<=', new Date(now))
      .where((eb) => eb.or([eb('not_after', 'is', null), eb('not_after', '>', new Date(now))]))
      .orderBy('not_before', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row)
      throw new Error(`the platform has no valid ${family} signing key; run ensureSigningKey at start`);
    const key: PrivateSigningKey = {
      kid: row.kid,
      alg: row.alg as PrivateSigningKey['alg'],
      privateKey: unseal(this.#masterKey, SEAL_PURPOSE, row.private_key_sealed),
    };
    this.#cached.set(family, { key, until: now + 60_000 });
    return key;
  }
}
