import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { keyValidityAt, MAX_BACKDATE_MS, retirementProblem } from '../shared/key-validity.ts';
import { checkChannelKey } from './key-material.ts';
import { type ChannelKey, type ChannelKeyAlgorithm, KID_PATTERN, type NewChannelKey } from './model.ts';
import type { ChannelKeyRow, ChannelTables } from './tables.ts';
import { checkReason, fieldError } from './validation.ts';

/** A key that may verify a token now. */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: ChannelKeyAlgorithm;
  readonly publicJwk: Readonly<Record<string, string>>;
}

function toKey(row: Selectable<ChannelKeyRow>, now: Date, demoPrivateKey: boolean): ChannelKey {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: row.public_jwk,
    thumbprint: row.thumbprint,
    ...keyValidityAt(row, now),
    demoPrivateKey,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * The public keys channels sign their sign-in tokens with. Rotation with overlap: publish the new
 * key, then let the old one run out (`retire`, or its own notAfter); both verify in between.
 */
export class ChannelKeyService {
  readonly #db: Executor<ChannelTables>;
  readonly #clock: Clock;

  constructor(db: Executor<ChannelTables>, options: { readonly clock: Clock }) {
    this.#db = db;
    this.#clock = options.clock;
  }

  async add(code: string, input: NewChannelKey, actor: Actor, requestId?: string): Promise<ChannelKey> {
    const now = this.#clock();
    const checked = checkChannelKey(input);
    if (!checked.ok) throw fieldError(checked.field, checked.message);
    if (input.kid !== undefined && !KID_PATTERN.test(input.kid)) {
      throw fieldError('kid', 'must be 1–128 letters, digits or ._:-');
    }
    const notBefore = input.notBefore ?? now;
    const notAfter = input.notAfter ?? null;
    if (Number.isNaN(notBefore.getTime()) || notBefore.getTime() < now.getTime() - MAX_BACKDATE_MS) {
      throw fieldError('notBefore', 'must be a valid time, not in the past');
    }
    if (notAfter !== null && !(notAfter > notBefore)) throw fieldError('notAfter', 'must be after notBefore');
    if (input.retire !== undefined && !(input.retire.at > notBefore)) {
      throw fieldError('retire.at', 'must be after the new key’s notBefore, so that the two keys overlap');
    }
    const kid = input.kid ?? checked.key.thumbprint;

    return inTransaction(this.#db, async (trx) => {
      const channel = await trx
        .selectFrom('channels')
        .select('code')
        .where('code', '=', code)
        .forUpdate()
        .executeTakeFirst();
      if (!channel) throw new AppError('NOT_FOUND', `No channel has code ${code}.`);
      const clash = await trx
        .selectFrom('channel_keys')
        .select(['kid', 'thumbprint'])
        .where('channel_code', '=', code)
        .where((eb) => eb.or([eb('kid', '=', kid), eb('thumbprint', '=', checked.key.thumbprint)]))
        .executeTakeFirst();
      if (clash?.kid === kid)
        throw new AppError('CONFLICT', `This channel already has a key ${kid}.`, { field: 'kid' });
      if (clash) throw new AppError('CONFLICT', `This public key is already registered as ${clash.kid}.`);
      if (input.retire !== undefined) await this.#retire(trx, code, input.retire, now);
      const row = await trx
        .insertInto('channel_keys')
        .values({
          id: randomUUID(),
          channel_code: code,
          kid,
          alg: input.alg,
          public_jwk: JSON.stringify(checked.key.publicJwk),
          thumbprint: checked.key.thumbprint,
          not_before: notBefore,
          not_after: notAfter,
          revoked_at: null,
          revoked_reason: null,
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor,
        action: 'channel_key.add',
        target: { type: 'channel', id: code },
        requestId,
        details: {
          kid,
          alg: input.alg,
          thumbprint: row.thumbprint,
          ...(input.retire ? { retires: input.retire.kid, retireAt: input.retire.at.toISOString() } : {}),
        },
      });
      return toKey(row, now, false);
    });
  }

  /** Revokes a key at once: tokens signed with it are refused from now on. */
  async revoke(
    code: string,
    kid: string,
    reason: string,
    actor: Actor,
    requestId?: string,
  ): Promise<ChannelKey> {
    const why = checkReason('reason', reason);
    return inTransaction(this.#db, async (trx) => {
      const now = this.#clock();
      const updated = await trx
        .updateTable('channel_keys')
        .set({ revoked_at: now, revoked_reason: why })
        .where('channel_code', '=', code)
        .where('kid', '=', kid)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!updated) {
        const exists = await trx
          .selectFrom('channel_keys')
          .select('kid')
          .where('channel_code', '=', code)
          .where('kid', '=', kid)
          .executeTakeFirst();
        throw exists
          ? new AppError('CONFLICT', `Key ${kid} is already revoked.`)
          : new AppError('NOT_FOUND', `Channel ${code} has no key ${kid}.`);
      }
      await recordAudit(trx, {
        actor,
        action: 'channel_key.revoke',
        target: { type: 'channel', id: code },
        requestId,
        details: { kid, reason: why },
      });
      return toKey(updated, now, await this.#hasDemoKey(trx, code, kid));
    });
  }

  /** Every key of the channel, newest first, with its state now. */
  async list(code: string): Promise<ChannelKey[]> {
    const channel = await this.#db
      .selectFrom('channels')
      .select('code')
      .where('code', '=', code)
      .executeTakeFirst();
    if (!channel) throw new AppError('NOT_FOUND', `No channel has code ${code}.`);
    const rows = await this.#db
      .selectFrom('channel_keys as k')
      .leftJoin('channel_demo_keys as d', (join) =>
        join.onRef('d.channel_code', '=', 'k.channel_code').onRef('d.kid', '=', 'k.kid'),
      )
      .selectAll('k')
      .select('d.kid as demo_kid')
      .where('k.channel_code', '=', code)
      .orderBy('k.created_at', 'desc')
      .orderBy('k.kid')
      .execute();
    const now = this.#clock();
    return rows.map(({ demo_kid, ...row }) => toKey(row, now, demo_kid !== null));
  }

  /** The channel's key `kid` if it may verify a token at `now` (started, not expired, not revoked). */
  async validKey(code: string, kid: string, now: Date): Promise<VerificationKey | null> {
    const row = await this.#db
      .selectFrom('channel_keys')
      .select(['kid', 'alg', 'public_jwk'])
      .where('channel_code', '=', code)
      .where('kid', '=', kid)
      .where('not_before', '<=', now)
      .where((eb) => eb.or([eb('not_after', 'is', null), eb('not_after', '>', now)]))
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', now)]))
      .executeTakeFirst();
    return row ? { kid: row.kid, alg: row.alg, publicJwk: row.public_jwk } : null;
  }

  async #hasDemoKey(trx: Executor<ChannelTables>, code: string, kid: string): Promise<boolean> {
    const row = await trx
      .selectFrom('channel_demo_keys')
      .select('kid')
      .where('channel_code', '=', code)
      .where('kid', '=', kid)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Shortens the replaced key's validity to `at`; it can only end sooner, never later. */
  async #retire(
    trx: Executor<ChannelTables>,
    code: string,
    retire: { kid: string; at: Date },
    now: Date,
  ): Promise<void> {
    const old = await trx
      .selectFrom('channel_keys')
      .selectAll()
      .where('channel_code', '=', code)
      .where('kid', '=', retire.kid)
      .forUpdate()
      .executeTakeFirst();
    if (!old) throw fieldError('retire.kid', 'is not a key of this channel');
    const problem = retirementProblem(old, retire.at, now);
    if (problem) throw fieldError(problem.field, problem.message);
    await trx.updateTable('channel_keys').set({ not_after: retire.at }).where('id', '=', old.id).execute();
  }
}
