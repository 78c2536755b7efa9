import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';

/** What a handler made of a callback. */
export type CallbackOutcome =
  /** The effect is applied; `result` goes back to the lender. */
  | { readonly status: 'applied'; readonly result?: Readonly<Record<string, unknown>> }
  /** A prerequisite has not arrived yet (e.g. a repayment before its schedule); keep it and retry. */
  | { readonly status: 'deferred'; readonly waitingFor: string };

export interface CallbackContext {
  readonly partnerId: string;
  readonly requestId: string;
  readonly businessId: string;
  readonly body: unknown;
  readonly receivedAt: Date;
}

/**
 * Applies one kind of callback inside the transaction that records it. Throw an AppError to refuse
 * it for good (e.g. `FORBIDDEN` for another lender's application, `APR_CAP_EXCEEDED`).
 */
export type CallbackHandler = (
  trx: Transaction<Database>,
  context: CallbackContext,
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
 * Callbacks that arrive before what they depend on are kept as `deferred` and re-applied, in
 * arrival order, whenever a later callback of the same partner is applied.
 */
export class InboundCallbacks {
  readonly #db: Executor;
  readonly #handlers: ReadonlyMap<string, CallbackHandler>;
  readonly #clock: Clock;

  constructor(db: Executor, handlers: Readonly<Record<string, CallbackHandler>>, clock: Clock) {
    this.#db = db;
    this.#handlers = new Map(Object.entries(handlers));
    this.#clock = clock;
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
        const answer = answerFor(outcome);
        await trx
          .updateTable('inbound_messages')
          .set({
            status: outcome.status,
            response_status: answer.httpStatus,
            response_body: JSON.stringify(answer.body),
            applied_at: outcome.status === 'applied' ? receivedAt : null,
          })
          .where('partner_id', '=', callback.partnerId)
          .where('request_id', '=', callback.requestId)
          .execute();
        if (outcome.status === 'applied') await this.#retryDeferred(trx, callback.partnerId);
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
    trx: Executor,
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
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return status === 'refused' ? { httpStatus, body, replayed: false } : undefined;

    const existing = await trx
      .selectFrom('inbound_messages')
      .select(['request_id', 'body_sha256', 'response_status', 'response_body'])
      .where('partner_id', '=', callback.partnerId)
      .where((eb) =>
        eb.or([
          eb('request_id', '=', callback.requestId),
          eb.and([eb('kind', '=', callback.kind), eb('business_id', '=', callback.businessId)]),
        ]),
      )
      .orderBy('id')
      .execute();
    for (const row of existing) {
      if (row.body_sha256 !== callback.bodySha256) {
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

  /** Re-applies this partner's deferred callbacks until none makes progress. */
  async #retryDeferred(trx: Transaction<Database>, partnerId: string): Promise<void> {
    for (let progress = true; progress; ) {
      progress = false;
      const deferred = await trx
        .selectFrom('inbound_messages')
        .select(['id', 'request_id', 'kind', 'business_id', 'body', 'received_at'])
        .where('partner_id', '=', partnerId)
        .where('status', '=', 'deferred')
        .orderBy('id')
        .execute();
      for (const row of deferred) {
        const handler = this.#handlers.get(row.kind);
        if (!handler) continue;
        const outcome = await handler(trx, {
          partnerId,
          requestId: row.request_id,
          businessId: row.business_id,
          body: row.body,
          receivedAt: row.received_at,
        });
        if (outcome.status !== 'applied') continue;
        await trx
          .updateTable('inbound_messages')
          .set({ status: 'applied', applied_at: this.#clock() })
          .where('id', '=', row.id)
          .execute();
        progress = true;
      }
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

function answerFor(outcome: CallbackOutcome): InboundAnswer {
  if (outcome.status === 'applied') {
    return { httpStatus: 200, body: { status: 'applied', ...(outcome.result ?? {}) }, replayed: false };
  }
  // 202: kept durably and will be applied; the lender must not resend.
  return { httpStatus: 202, body: { status: 'deferred', waitingFor: outcome.waitingFor }, replayed: false };
}
