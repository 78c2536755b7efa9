/**
 * Partners' pre-check (撞库) keys: the secret HMAC-SHA256 key of the phone and id number hashes in
 * the pre-checks a partner receives (sandbox/sdk/contract.ts PreCheckRequest). One is issued when a
 * partner is registered; an operator rotates it with an overlap. The secret is sealed by the master
 * key at rest, answered once — by the call that issues it, for the operator to hand to the partner
 * out of band — and never again: lists, the audit log and logs carry key ids and times only.
 */
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { seal, unseal } from '../crypto/seal.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../shared/cursor.ts';
import { invalidField } from '../shared/errors.ts';
import type { Page } from './model.ts';
import { pageOf } from './pagination.ts';
import { lockPartner, lockPartnerTakingChanges, requirePartner } from './partner-guards.ts';
import {
  PRE_CHECK_KEY_BYTES,
  type PreCheckKeyState,
  preCheckKeyState,
  retirementTime,
} from './pre-check-key-rules.ts';
import type { ListQuery } from './service.ts';
import type { LenderPreCheckKeyRow, LenderTables } from './tables.ts';

/** A pre-check key as operators see it: never its secret. */
export interface PreCheckKey {
  readonly keyId: string;
  readonly lenderId: string;
  readonly state: PreCheckKeyState;
  readonly createdAt: string;
  /** When a replaced key stops being valid; null for the current key. */
  readonly retiresAt: string | null;
}

/** The answer of the call that issues a key: the only place its secret ever appears. */
export interface IssuedPreCheckKey extends PreCheckKey {
  /** Base64 of the 32 secret bytes (the HMAC key is the decoded bytes). Shown once. */
  readonly secret: string;
  /** The keys this one replaced, each valid until its `retiresAt`. */
  readonly replaced: PreCheckKey[];
}

/** A valid key with its secret, for computing (or, in the demo, handing over) pre-check hashes. */
export interface PreCheckSecret {
  readonly keyId: string;
  readonly secret: Buffer;
  readonly retiresAt: Date | null;
}

export interface RotateOptions {
  /** When the replaced keys retire; by default a week from now (pre-check-key-rules.ts). */
  readonly previousKeyRetiresAt?: Date;
}

function sealPurpose(lenderId: string, keyId: string): string {
  return `lendgate/pre-check-key/v1/${lenderId}/${keyId}`;
}

/** The key ids the column accepts (its CHECK): what a cursor may name. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** An id that says what it is and nothing else: `pck_` and 16 random url-safe characters. */
function newKeyId(): string {
  return `pck_${randomBytes(12).toString('base64url')}`;
}

function toKey(row: Selectable<LenderPreCheckKeyRow>, now: Date): PreCheckKey {
  return {
    keyId: row.key_id,
    lenderId: row.lender_id,
    state: preCheckKeyState(row.retires_at, now),
    createdAt: row.created_at.toISOString(),
    retiresAt: row.retires_at?.toISOString() ?? null,
  };
}

export class PreCheckKeyService {
  readonly #db: Executor<LenderTables>;
  readonly #clock: Clock;
  readonly #masterKey: Buffer | undefined;

  /**
   * `masterKey` seals and opens the secrets. Without it (a command that only reads the registry)
   * lists work, and partners are registered without a key: an operator issues one by rotating.
   */
  constructor(db: Executor<LenderTables>, options: { readonly clock: Clock; readonly masterKey?: Buffer }) {
    this.#db = db;
    this.#clock = options.clock;
    this.#masterKey = options.masterKey;
  }

  /** Whether keys can be issued and opened here (a master key was given). */
  get sealing(): boolean {
    return this.#masterKey !== undefined;
  }

  #key(): Buffer {
    if (this.#masterKey === undefined) throw new Error('pre-check keys need the master key');
    return this.#masterKey;
  }

  /**
   * Makes a new key current for the partner; every key it replaces stays valid until the stated
   * retirement time (the overlap in which the partner installs the new key), then is unusable.
   * Keys already retired have their secret wiped. Refused for a terminated partner.
   */
  async rotate(
    lenderId: string,
    options: RotateOptions,
    actor: Actor,
    requestId?: string,
  ): Promise<IssuedPreCheckKey> {
    return inTransaction(this.#db, async (trx) => {
      await lockPartnerTakingChanges(trx, lenderId, 'A terminated partner takes no new pre-check key.');
      return this.issue(trx, lenderId, options, actor, requestId);
    });
  }

  /**
   * Issues a key inside the caller's transaction, which must hold the partner row locked (or have
   * just created it): used at registration and by {@link rotate}.
   */
  async issue(
    trx: Executor<LenderTables>,
    lenderId: string,
    options: RotateOptions,
    actor: Actor,
    requestId?: string,
  ): Promise<IssuedPreCheckKey> {
    const now = this.#clock();
    const retirement = retirementTime(options.previousKeyRetiresAt, now);
    if (!retirement.ok) throw invalidField('previousKeyRetiresAt', retirement.problem);
    // Every key still valid after the new retirement time ends then: a rotation that retires at
    // once (a leaked key) cuts off every earlier key too, never lengthens one.
    const replaced = await trx
      .updateTable('lender_pre_check_keys')
      .set({ retires_at: retirement.at })
      .where('lender_id', '=', lenderId)
      .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', retirement.at)]))
      .returningAll()
      .execute();
    await trx
      .updateTable('lender_pre_check_keys')
      .set({ secret_sealed: null })
      .where('lender_id', '=', lenderId)
      .where('retires_at', '<=', now)
      .where('secret_sealed', 'is not', null)
      .execute();
    const keyId = newKeyId();
    const secret = randomBytes(PRE_CHECK_KEY_BYTES);
    const row = await trx
      .insertInto('lender_pre_check_keys')
      .values({
        key_id: keyId,
        lender_id: lenderId,
        secret_sealed: seal(this.#key(), sealPurpose(lenderId, keyId), secret.toString('base64')),
        created_at: now,
        retires_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const replacedKeys = replaced.map((old) => toKey(old, now));
    await recordAudit(trx, {
      actor,
      action: 'lender_pre_check_key.issue',
      target: { type: 'lender', id: lenderId },
      requestId,
      // Ids and times only: with the secret, every pre-check hash could be tested against guesses.
      details: {
        keyId,
        replaced: replacedKeys.map((key) => ({ keyId: key.keyId, retiresAt: key.retiresAt })),
      },
    });
    const issued = { ...toKey(row, now), secret: secret.toString('base64'), replaced: replacedKeys };
    secret.fill(0);
    return issued;
  }

  /** Every key of the partner, newest first, with its state now (never a secret). */
  async list(lenderId: string, query: ListQuery): Promise<Page<PreCheckKey>> {
    await requirePartner(this.#db, lenderId);
    let select = this.#db
      .selectFrom('lender_pre_check_keys')
      .select(['key_id', 'lender_id', 'created_at', 'retires_at'])
      .where('lender_id', '=', lenderId)
      .orderBy('created_at', 'desc')
      .orderBy('key_id', 'desc')
      .limit(query.limit + 1);
    if (query.cursor !== undefined) {
      const { at, id } = decodeTimeCursor(query.cursor, { isId: (id) => KEY_ID.test(id) });
      select = select.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('key_id', '<', id)])]),
      );
    }
    const rows = await select.execute();
    const now = this.#clock();
    return pageOf(
      rows,
      query.limit,
      (row) => toKey({ ...row, secret_sealed: null }, now),
      (row) => encodeTimeCursor(row.created_at, row.key_id),
    );
  }

  /**
   * The valid keys (current and retiring, not retired) of each partner, by partner code (the
   * envelope's partner id), the current key first; every code asked for is in the map, with no
   * key when the partner has none. The secrets are opened here: callers fill them with zeros
   * when done.
   */
  async validSecrets(partnerCodes: readonly string[]): Promise<Map<string, PreCheckSecret[]>> {
    const out = new Map<string, PreCheckSecret[]>(partnerCodes.map((code) => [code, []]));
    if (partnerCodes.length === 0) return out;
    const now = this.#clock();
    const rows = await this.#db
      .selectFrom('lender_pre_check_keys as k')
      .innerJoin('lenders as l', 'l.id', 'k.lender_id')
      .select(['l.code', 'k.key_id', 'k.lender_id', 'k.secret_sealed', 'k.retires_at', 'k.created_at'])
      .where('l.code', 'in', [...new Set(partnerCodes)])
      .where('k.secret_sealed', 'is not', null)
      .where((eb) => eb.or([eb('k.retires_at', 'is', null), eb('k.retires_at', '>', now)]))
      .orderBy('k.created_at', 'desc')
      .orderBy('k.key_id', 'desc')
      .execute();
    // The current key (no retirement) first, then the others, most recently issued first.
    rows.sort((a, b) => Number(a.retires_at !== null) - Number(b.retires_at !== null));
    for (const row of rows) {
      const secret = Buffer.from(
        unseal(this.#key(), sealPurpose(row.lender_id, row.key_id), row.secret_sealed!),
        'base64',
      );
      if (secret.length !== PRE_CHECK_KEY_BYTES)
        throw new Error('a sealed pre-check key did not hold 32 bytes');
      out.get(row.code)?.push({ keyId: row.key_id, secret, retiresAt: row.retires_at });
    }
    return out;
  }

  /**
   * Issues a key to a partner that has none (registered before pre-check keys existed, or where no
   * master key was at hand); `undefined` when it has a valid one. For the demo start-up, which
   * hands the demo partners' keys to the sandbox lender it starts.
   */
  async issueIfNone(lenderId: string, actor: Actor): Promise<IssuedPreCheckKey | undefined> {
    return inTransaction(this.#db, async (trx) => {
      await lockPartner(trx, lenderId);
      const now = this.#clock();
      const valid = await trx
        .selectFrom('lender_pre_check_keys')
        .select('key_id')
        .where('lender_id', '=', lenderId)
        .where('secret_sealed', 'is not', null)
        .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', now)]))
        .executeTakeFirst();
      return valid ? undefined : this.issue(trx, lenderId, {}, actor);
    });
  }
}
