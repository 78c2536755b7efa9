import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { KeyLookup, PublicKeyRecord } from '../protocol/envelope/index.ts';
import type { Clock } from '../shared/clock.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../shared/cursor.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import { type KeyState, keyValidityAt, MAX_BACKDATE_MS, retirementProblem } from '../shared/key-validity.ts';
import { checkPublicKey, type KeyAlgorithm, type KeyUse, KID_PATTERN } from './key-material.ts';
import type { Page } from './model.ts';
import { pageOf } from './pagination.ts';
import { lockPartnerTakingChanges, requirePartner } from './partner-guards.ts';
import { Problems } from './problems.ts';
import type { ListQuery } from './service.ts';
import type { LenderKeyRow, LenderTables } from './tables.ts';

export { type KeyState, MAX_BACKDATE_MS } from '../shared/key-validity.ts';

export interface LenderKey {
  readonly id: string;
  readonly lenderId: string;
  readonly kid: string;
  readonly algorithm: KeyAlgorithm;
  readonly use: KeyUse;
  readonly publicKeyPem: string;
  readonly fingerprint: string;
  readonly notBefore: string;
  readonly notAfter: string | null;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
  /** The key's state at the time of the answer. */
  readonly state: KeyState;
  readonly createdAt: string;
}

export interface NewLenderKey {
  /** Defaults to the SPKI thumbprint of the key (sandbox/sdk spkiThumbprint). */
  readonly kid?: string;
  readonly algorithm: KeyAlgorithm;
  readonly use: KeyUse;
  readonly publicKeyPem: string;
  /** Defaults to now. */
  readonly notBefore?: Date;
  /** `null` or omitted: valid until revoked or retired by a later rotation. */
  readonly notAfter?: Date | null;
  /**
   * Rotation: the key this one replaces stays valid until `at`, then expires. `at` must come after
   * the new key's notBefore, so that both are valid for a while (the overlap).
   */
  readonly retire?: { readonly kid: string; readonly at: Date };
}

function toKey(row: Selectable<LenderKeyRow>, now: Date): LenderKey {
  return {
    id: row.id,
    lenderId: row.lender_id,
    kid: row.kid,
    algorithm: row.algorithm,
    use: row.use,
    publicKeyPem: row.public_key_pem,
    fingerprint: row.fingerprint,
    ...keyValidityAt(row, now),
    createdAt: row.created_at.toISOString(),
  };
}

/** A stored key in the envelope's own shape (sandbox/sdk/keys.ts PublicKeyRecord). */
function toPublicKeyRecord(row: Selectable<LenderKeyRow>): PublicKeyRecord {
  const validity = {
    kid: row.kid,
    publicKeyPem: row.public_key_pem,
    notBefore: row.not_before.getTime(),
    notAfter: row.not_after?.getTime() ?? null,
  };
  if (row.use === 'encryption')
    return { use: 'encryption', alg: row.algorithm === 'SM2' ? 'SM2' : 'RSA-OAEP-256', ...validity };
  const alg = row.algorithm === 'Ed25519' || row.algorithm === 'SM2-SM3' ? row.algorithm : 'RSA-SHA256';
  return { use: 'signing', alg, ...validity };
}

/**
 * Partners' public keys (credentials): add with overlap-friendly rotation, revoke, and the key set
 * the envelope verifier reads.
 */
export class LenderKeyService {
  readonly #db: Executor<LenderTables>;
  readonly #clock: Clock;

  constructor(db: Executor<LenderTables>, options: { readonly clock: Clock }) {
    this.#db = db;
    this.#clock = options.clock;
  }

  async add(lenderId: string, input: NewLenderKey, actor: Actor, requestId?: string): Promise<LenderKey> {
    const now = this.#clock();
    const problems = new Problems();
    if (input.kid !== undefined && !KID_PATTERN.test(input.kid)) {
      problems.add('kid', 'must be 1–128 characters: letters, digits, dot, colon, dash, underscore');
    }
    const material = checkPublicKey(problems, input);
    const notBefore = input.notBefore ?? now;
    const notAfter = input.notAfter ?? null;
    if (Number.isNaN(notBefore.getTime())) problems.add('notBefore', 'must be a valid time');
    else if (notBefore.getTime() < now.getTime() - MAX_BACKDATE_MS)
      problems.add('notBefore', 'must not be in the past');
    if (notAfter !== null && !(notAfter > notBefore)) problems.add('notAfter', 'must be after notBefore');
    if (input.retire !== undefined && !(input.retire.at > notBefore)) {
      problems.add('retire.at', 'must be after the new key’s notBefore, so that the two keys overlap');
    }
    problems.throwIfAny();
    const kid = input.kid ?? material!.fingerprint;

    return inTransaction(this.#db, async (trx) => {
      await lockPartnerTakingChanges(trx, lenderId, 'A terminated partner takes no new keys.');
      const clash = await trx
        .selectFrom('lender_keys')
        .select(['kid', 'fingerprint'])
        .where('lender_id', '=', lenderId)
        .where((eb) => eb.or([eb('kid', '=', kid), eb('fingerprint', '=', material!.fingerprint)]))
        .executeTakeFirst();
      if (clash?.kid === kid)
        throw new AppError('CONFLICT', `This partner already has a key ${kid}.`, { field: 'kid' });
      if (clash) {
        throw new AppError('CONFLICT', `This public key is already registered as ${clash.kid}.`, {
          field: 'publicKeyPem',
        });
      }
      if (input.retire !== undefined) await this.#retire(trx, lenderId, input.use, input.retire, now);
      const row = await trx
        .insertInto('lender_keys')
        .values({
          id: randomUUID(),
          lender_id: lenderId,
          kid,
          algorithm: input.algorithm,
          use: input.use,
          public_key_pem: material!.publicKeyPem,
          fingerprint: material!.fingerprint,
          not_before: notBefore,
          not_after: notAfter,
          revoked_at: null,
          revoked_reason: null,
          created_at: now,
        })
        // A concurrent add of the same kid or key loses here rather than failing with a 500.
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new AppError('CONFLICT', `This partner already has key ${kid} or this public key.`);
      await recordAudit(trx, {
        actor,
        action: 'lender_key.add',
        target: { type: 'lender', id: lenderId },
        requestId,
        details: {
          kid,
          algorithm: input.algorithm,
          use: input.use,
          fingerprint: row.fingerprint,
          ...(input.retire ? { retires: input.retire.kid, retireAt: input.retire.at.toISOString() } : {}),
        },
      });
      return toKey(row, now);
    });
  }

  /** Revokes a key at once: it leaves the key set immediately, whatever its notAfter. */
  async revoke(
    lenderId: string,
    kid: string,
    reason: string,
    actor: Actor,
    requestId?: string,
  ): Promise<LenderKey> {
    const why = reason.trim();
    if (why === '' || why.length > 500) throw invalidField('reason', 'must be 1–500 characters');
    return inTransaction(this.#db, async (trx) => {
      const now = this.#clock();
      const row = await this.#lockKey(trx, lenderId, kid);
      if (row.revoked_at !== null) throw new AppError('CONFLICT', `Key ${kid} is already revoked.`);
      const updated = await trx
        .updateTable('lender_keys')
        .set({ revoked_at: now, revoked_reason: why })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor,
        action: 'lender_key.revoke',
        target: { type: 'lender', id: lenderId },
        requestId,
        details: { kid, reason: why },
      });
      return toKey(updated, now);
    });
  }

  /** Every key of the partner, newest first, with its state now. */
  async list(lenderId: string, query: ListQuery): Promise<Page<LenderKey>> {
    await requirePartner(this.#db, lenderId);
    let select = this.#db
      .selectFrom('lender_keys')
      .selectAll()
      .where('lender_id', '=', lenderId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.cursor !== undefined) {
      const { at, id } = decodeTimeCursor(query.cursor);
      select = select.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
      );
    }
    const rows = await select.execute();
    const now = this.#clock();
    return pageOf(
      rows,
      query.limit,
      (row) => toKey(row, now),
      (row) => encodeTimeCursor(row.created_at, row.id),
    );
  }

  /**
   * The partner's public keys valid at `now` (not revoked by then, `notBefore ≤ now < notAfter`),
   * in the envelope verifier's shape; `undefined` when no partner has this id. During a rotation
   * both the old and the new key are in the set until the old one's notAfter.
   */
  async keySetFor(lenderId: string, now: Date): Promise<readonly PublicKeyRecord[] | undefined> {
    const lender = await this.#db
      .selectFrom('lenders')
      .select('id')
      .where('id', '=', lenderId)
      .executeTakeFirst();
    if (!lender) return undefined;
    return this.#validKeys(lenderId, now);
  }

  /**
   * The envelope's KeyLookup (sandbox/sdk verify-request.ts) over this registry. The envelope's
   * partner id is the partner's code. Keys are not filtered by partner status: a suspended
   * partner must still be able to send callbacks for loans in flight; revoke keys to cut it off.
   */
  keyLookup(): KeyLookup {
    return {
      keysOf: async (partnerId) => {
        const lender = await this.#db
          .selectFrom('lenders')
          .select('id')
          .where('code', '=', partnerId)
          .executeTakeFirst();
        return lender ? this.#validKeys(lender.id, this.#clock()) : undefined;
      },
    };
  }

  async #validKeys(lenderId: string, now: Date): Promise<readonly PublicKeyRecord[]> {
    const rows = await this.#db
      .selectFrom('lender_keys')
      .selectAll()
      .where('lender_id', '=', lenderId)
      .where('not_before', '<=', now)
      .where((eb) => eb.or([eb('not_after', 'is', null), eb('not_after', '>', now)]))
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', now)]))
      .orderBy('not_before', 'asc')
      .orderBy('kid', 'asc')
      .execute();
    return rows.map(toPublicKeyRecord);
  }

  async #lockKey(
    trx: Executor<LenderTables>,
    lenderId: string,
    kid: string,
  ): Promise<Selectable<LenderKeyRow>> {
    const row = await trx
      .selectFrom('lender_keys')
      .selectAll()
      .where('lender_id', '=', lenderId)
      .where('kid', '=', kid)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `This partner has no key ${kid}.`);
    return row;
  }

  /** Shortens the replaced key's validity to `at`; it can only end sooner, never later. */
  async #retire(
    trx: Executor<LenderTables>,
    lenderId: string,
    use: KeyUse,
    retire: { kid: string; at: Date },
    now: Date,
  ): Promise<void> {
    const old = await trx
      .selectFrom('lender_keys')
      .selectAll()
      .where('lender_id', '=', lenderId)
      .where('kid', '=', retire.kid)
      .forUpdate()
      .executeTakeFirst();
    if (!old) throw invalidField('retire.kid', 'is not a key of this partner');
    if (old.use !== use)
      throw invalidField('retire.kid', `is a ${old.use} key; a ${use} key cannot replace it`);
    const problem = retirementProblem(old, retire.at, now);
    if (problem) throw invalidField(problem.field, problem.message);
    await trx.updateTable('lender_keys').set({ not_after: retire.at }).where('id', '=', old.id).execute();
  }
}
