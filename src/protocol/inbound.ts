import { isDeepStrictEqual } from 'node:util';
import { sql, type Transaction } from 'kysely';
import { type Executor, inTransaction, type SharedTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, statusOf } from '../shared/errors.ts';
import type { ProtocolTables } from './tables.ts';

/** What a handler made of a callback. */
export type CallbackOutcome =
  /**
   * The effect is applied; `result` goes back to the lender. `provides` names the prerequisites
   * this callback made available (the same strings deferred callbacks wait for), so that exactly
   * the callbacks held back for them are retried.
   */
  | {
      readonly status: 'applied';
      readonly result?: Readonly<Record<string, unknown>>;
      readonly provides?: readonly string[];
    }
  /**
   * A prerequisite has not arrived yet (e.g. a repayment before its schedule); keep it and retry
   * when a callback of the same partner `provides` exactly `waitingFor`.
   */
  | { readonly status: 'deferred'; readonly waitingFor: string };

/** Bounds on held-back callbacks, per partner. */
export interface DeferralLimits {
  /** Callbacks one partner may have waiting at once; beyond it a new one is refused. */
  readonly maxPerPartner: number;
  /** How long one may wait; older ones are refused (and listed for operators). */
  readonly maxAgeMs: number;
}

export const DEFAULT_DEFERRAL_LIMITS: DeferralLimits = { maxPerPartner: 1_000, maxAgeMs: 24 * 3_600_000 };

export interface CallbackContext<B = unknown> {
  readonly partnerId: string;
  readonly requestId: string;
  readonly businessId: string;
  readonly body: B;
  readonly receivedAt: Date;
}

/**
 * Applies one kind of callback inside the transaction that records it; `B` is its body's type
 * (contract-validators.ts `callbackHandler` turns a typed handler into one the pipeline holds). Throw an AppError to refuse
 * it for good (e.g. `FORBIDDEN` for another lender's application, `APR_CAP_EXCEEDED`).
 */
export type CallbackHandler<B = unknown> = (
  trx: SharedTransaction,
  context: CallbackContext<B>,
) => Promise<CallbackOutcome>;

export interface InboundCallback {
  readonly partnerId: string;
  readonly requestId: string;
  readonly kind: string;
  readonly businessId: string;
  /** SHA-256 of the exact body bytes, as verified against the envelope. */
  readonly bodySha256: string;
  readonly body: unknown;
}

/** The answer to a callback: the first answer again when it is a repeat. */
export interface InboundAnswer {
  readonly httpStatus: number;
  readonly body: Readonly<Record<string, unknown>>;
  readonly replayed: boolean;
}

/** Thrown for a repeat of an id with a different body; carries the stored original for logging. */
function conflict(field: 'request id' | 'business id'): AppError {
  return new AppError('CONFLICT', `This ${field} was already used with a different body.`);
}

/**
 * Ingests signed callbacks exactly once. Each is written to `inbound_messages` in the same
 * transaction as its effect, before the lender gets an answer (write, then acknowledge), and two
 * unique keys make repeats safe: on (partner, request id) and on (partner, kind, business id).
 * A repeat with the same body gets the first answer back; with a different body, `CONFLICT`.
 * A refusal is recorded under its request id only, so that a corrected callback about the same
 * object (a new request id) is judged afresh.
 * Callbacks that arrive before what they depend on are kept as `deferred` (bounded per partner in
 * number and age) and re-applied, each in its own savepoint, when a callback of the same partner
 * provides what they wait for.
 */
export class InboundCallbacks {
  readonly #db: Executor<ProtocolTables>;
  readonly #handlers: ReadonlyMap<string, CallbackHandler>;
  readonly #clock: Clock;
  readonly #limits: DeferralLimits;

  constructor(
    db: Executor<ProtocolTables>,
    handlers: Readonly<Record<string, CallbackHandler>>,
    clock: Clock,
    limits: DeferralLimits = DEFAULT_DEFERRAL_LIMITS,
  ) {
    this.#db = db;
    this.#handlers = new Map(Object.entries(handlers));
    this.#clock = clock;
    this.#limits = limits;
  }

  async ingest(callback: InboundCallback): Promise<InboundAnswer> {
    const handler = this.#handlers.get(callback.kind);
    if (!handler) throw new AppError('NOT_FOUND', `No handler for callbacks of kind ${callback.kind}.`);
    try {
      return await inTransaction(this.#db, async (trx) => {
        const stored = await this.#record(trx, callback, 'applied', 200, {});
        if (stored) return stored;
        const receivedAt = this.#clock();
        const outcome = await handler(trx, { ...callback, receivedAt });
        if (outcome.status === 'deferred') await this.#checkRoomToWait(trx, callback.partnerId, receivedAt);
        const answer = answerFor(outcome);
        await trx
          .updateTable('inbound_messages')
          .set(outcomeColumns(outcome, answer, receivedAt))
          .where('partner_id', '=', callback.partnerId)
          .where('request_id', '=', callback.requestId)
          .execute();
        if (outcome.status === 'applied' && outcome.provides?.length) {
          await this.#retryWaiting(trx, callback.partnerId, outcome.provides);
        }
        return answer;
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.code === 'CONFLICT' || error.status >= 500) throw error;
      // A refusal is final: record it, so that a repeat gets the same refusal without re-running.
      const refusal = { error: { code: error.code, message: error.message } };
      const stored = await inTransaction(this.#db, (trx) =>
        this.#record(trx, callback, 'refused', error.status, refusal),
      );
      if (stored) return stored;
      throw error;
    }
  }

  /**
   * Inserts the message row. Returns undefined when this is the first sight of both ids, or the
   * stored answer when it is a repeat. The insert waits on a concurrent twin until that commits,
   * so two simultaneous deliveries of one callback never both apply it.
   */
  async #record(
    trx: Executor<ProtocolTables>,
    callback: InboundCallback,
    status: 'applied' | 'refused',
    httpStatus: number,
    body: Readonly<Record<string, unknown>>,
  ): Promise<InboundAnswer | undefined> {
    const inserted = await trx
      .insertInto('inbound_messages')
      .values({
        partner_id: callback.partnerId,
        request_id: callback.requestId,
        kind: callback.kind,
        business_id: callback.businessId,
        body_sha256: callback.bodySha256,
        body: JSON.stringify(callback.body),
        status,
        response_status: httpStatus,
        response_body: JSON.stringify(body),
        applied_at: null,
        // The injected clock, like every other time here: the age bound on deferrals reads it.
        received_at: this.#clock(),
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return status === 'refused' ? { httpStatus, body, replayed: false } : undefined;

    const existing = await trx
      .selectFrom('inbound_messages')
      .select(['request_id', 'body_sha256', 'body', 'response_status', 'response_body'])
      .where('partner_id', '=', callback.partnerId)
      .where((eb) =>
        eb.or([
          eb('request_id', '=', callback.requestId),
          eb.and([
            eb('kind', '=', callback.kind),
            eb('business_id', '=', callback.businessId),
            eb('status', '<>', 'refused'),
          ]),
        ]),
      )
      .orderBy('id')
      .execute();
    for (const row of existing) {
      // Other bytes with the same meaning (keys in another order, other spacing — or the same
      // state pulled from the lender's status query) are a repeat, not a conflict.
      if (row.body_sha256 !== callback.bodySha256 && !isDeepStrictEqual(row.body, callback.body)) {
        throw conflict(row.request_id === callback.requestId ? 'request id' : 'business id');
      }
    }
    const first = existing[0];
    if (!first) throw new Error('inbound message vanished between insert and select');
    return {
      httpStatus: first.response_status,
      body: first.response_body as Record<string, unknown>,
      replayed: true,
    };
  }

  /**
   * Refuses a new deferral when the partner already has its fill of callbacks waiting (after
   * refusing those that waited too long): a lender sending callbacks for objects that never come
   * must not grow the table without bound.
   */
  async #checkRoomToWait(trx: Transaction<ProtocolTables>, partnerId: string, now: Date): Promise<void> {
    await this.expireWaiting(partnerId, trx);
    const { n } = await trx
      .selectFrom('inbound_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('partner_id', '=', partnerId)
      .where('status', '=', 'deferred')
      .executeTakeFirstOrThrow();
    if (Number(n) >= this.#limits.maxPerPartner) {
      throw new AppError(
        'PREREQUISITE_MISSING',
        `${this.#limits.maxPerPartner} callbacks are already waiting for what they depend on; send that ` +
          `first, then this callback again with a new request id (received ${now.toISOString()}).`,
      );
    }
  }

  /**
   * Refuses this partner's callbacks that have waited longer than allowed: they stay listed (as
   * refused, with the reason) for operators, and free their business ids for a fresh callback.
   */
  async expireWaiting(partnerId: string, db: Executor<ProtocolTables> = this.#db): Promise<number> {
    const cutoff = new Date(this.#clock().getTime() - this.#limits.maxAgeMs);
    const hours = Math.round(this.#limits.maxAgeMs / 3_600_000);
    const expired = await db
      .updateTable('inbound_messages')
      .set((eb) => ({
        status: 'refused',
        response_status: statusOf('PREREQUISITE_MISSING'),
        response_body: sql<string>`jsonb_build_object('error', jsonb_build_object(
          'code', 'PREREQUISITE_MISSING',
          'message', 'Waited more than ' || ${hours}::text || ' h for ' || ${eb.ref('waiting_for')} || '.'))`,
      }))
      .where('partner_id', '=', partnerId)
      .where('status', '=', 'deferred')
      .where('received_at', '<', cutoff)
      .executeTakeFirst();
    return Number(expired.numUpdatedRows);
  }

  /**
   * Re-applies the callbacks waiting for what was just provided, in arrival order, each in its own
   * savepoint: one that fails cannot undo the callback that released it, and its own outcome —
   * applied, refused for good, or still waiting (now perhaps for something else) — is recorded
   * against it. What an applied one provides in turn releases the next (a schedule releases the
   * repayments waiting for it).
   */
  async #retryWaiting(
    trx: Transaction<ProtocolTables>,
    partnerId: string,
    provided: readonly string[],
  ): Promise<void> {
    const queue = [...provided];
    const seen = new Set<string>();
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      if (seen.has(key)) continue;
      seen.add(key);
      const waiting = await trx
        .selectFrom('inbound_messages')
        .select(['id', 'request_id', 'kind', 'business_id', 'body', 'received_at'])
        .where('partner_id', '=', partnerId)
        .where('status', '=', 'deferred')
        .where('waiting_for', '=', key)
        .orderBy('id')
        .execute();
      for (const row of waiting) {
        const handler = this.#handlers.get(row.kind);
        if (!handler) continue;
        const outcome = await this.#retryOne(trx, handler, partnerId, row);
        if (outcome?.status === 'applied') queue.push(...(outcome.provides ?? []));
      }
    }
  }

  async #retryOne(
    trx: Transaction<ProtocolTables>,
    handler: CallbackHandler,
    partnerId: string,
    row: { id: number; request_id: string; business_id: string; body: unknown; received_at: Date },
  ): Promise<CallbackOutcome | undefined> {
    const savepoint = sql.raw(`deferred_${row.id}`);
    await sql`SAVEPOINT ${savepoint}`.execute(trx);
    try {
      const outcome = await handler(trx, {
        partnerId,
        requestId: row.request_id,
        businessId: row.business_id,
        body: row.body,
        receivedAt: row.received_at,
      });
      await trx
        .updateTable('inbound_messages')
        .set(outcomeColumns(outcome, answerFor(outcome), this.#clock()))
        .where('id', '=', row.id)
        .execute();
      await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
      return outcome;
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(trx);
      // A defect or an outage is not the lender's fault: the callback keeps waiting and is tried
      // again at the next arrival (or refused when it grows too old). A refusal is final.
      if (!(error instanceof AppError) || error.status >= 500) return undefined;
      await trx
        .updateTable('inbound_messages')
        .set({
          status: 'refused',
          response_status: error.status,
          response_body: JSON.stringify({ error: { code: error.code, message: error.message } }),
        })
        .where('id', '=', row.id)
        .execute();
      return undefined;
    }
  }

  /** Deferred callbacks waiting for a prerequisite, for operators. */
  async listDeferred(partnerId?: string) {
    let query = this.#db
      .selectFrom('inbound_messages')
      .select(['id', 'partner_id', 'request_id', 'kind', 'business_id', 'received_at'])
      .where('status', '=', 'deferred')
      .orderBy('id');
    if (partnerId !== undefined) query = query.where('partner_id', '=', partnerId);
    return query.execute();
  }
}

/** A handled callback's row: its outcome, the answer it got, and `at` if it was applied. */
function outcomeColumns(outcome: CallbackOutcome, answer: InboundAnswer, at: Date) {
  return {
    status: outcome.status,
    response_status: answer.httpStatus,
    response_body: JSON.stringify(answer.body),
    applied_at: outcome.status === 'applied' ? at : null,
    waiting_for: outcome.status === 'deferred' ? outcome.waitingFor : null,
  };
}

function answerFor(outcome: CallbackOutcome): InboundAnswer {
  if (outcome.status === 'applied') {
    return { httpStatus: 200, body: { status: 'applied', ...(outcome.result ?? {}) }, replayed: false };
  }
  // 202: kept durably and will be applied; the lender must not resend.
  return { httpStatus: 202, body: { status: 'deferred', waitingFor: outcome.waitingFor }, replayed: false };
}
