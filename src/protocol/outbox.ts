import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type Executor, ownTables, type SharedExecutor } from '../db/transaction.ts';
import { RETRY_HORIZON_MS } from './backoff.ts';
import type { OutboxMessageRow, ProtocolTables } from './tables.ts';

/** The calls the platform makes to a lender. */
export const LENDER_CALLS = ['pre_check', 'apply', 'drawdown', 'repay', 'status_query'] as const;
export type LenderCall = (typeof LENDER_CALLS)[number];

export interface OutboxMessage {
  readonly id: string;
  readonly partnerId: string;
  readonly call: LenderCall;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly giveUpAt: Date;
}

export interface NewOutboxMessage {
  readonly partnerId: string;
  readonly call: LenderCall;
  readonly path: string;
  readonly body: unknown;
  /** Idempotency key the lender sees; stays the same on every retry. */
  readonly requestId?: string;
}

/**
 * Writes a call to a lender in the caller's transaction, next to the state change that causes it:
 * either both commit or neither does, so no call is lost and none is sent for a change that
 * rolled back. Returns the request id.
 */
export async function enqueueLenderCall(
  trx: SharedExecutor,
  message: NewOutboxMessage,
  now: Date,
): Promise<string> {
  const requestId = message.requestId ?? randomUUID();
  await ownTables<ProtocolTables>(trx)
    .insertInto('outbox_messages')
    .values({
      id: randomUUID(),
      partner_id: message.partnerId,
      call: message.call,
      request_id: requestId,
      method: 'POST',
      path: message.path,
      body: JSON.stringify(message.body),
      status: 'pending',
      next_attempt_at: now,
      give_up_at: new Date(now.getTime() + RETRY_HORIZON_MS),
      lease_owner: null,
      lease_until: null,
      last_error: null,
      response_status: null,
      response_body: null,
      delivered_at: null,
    })
    .execute();
  return requestId;
}

function toMessage(row: OutboxMessageRow & { attempts: number; created_at: Date }): OutboxMessage {
  return {
    id: row.id,
    partnerId: row.partner_id,
    call: row.call as LenderCall,
    requestId: row.request_id,
    method: row.method,
    path: row.path,
    body: row.body,
    attempts: row.attempts,
    createdAt: row.created_at,
    giveUpAt: row.give_up_at,
  };
}

/**
 * Claims up to `limit` due messages for `owner` until `leaseUntil`. `FOR UPDATE SKIP LOCKED`
 * lets several processes claim at once without waiting on or taking each other's rows; the lease
 * keeps a claimed message from being delivered by anyone else while its owner works on it, and
 * lets another process take it over if the owner dies.
 */
export async function claimDueMessages(
  db: Executor<ProtocolTables>,
  owner: string,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<OutboxMessage[]> {
  const result = await sql<OutboxMessageRow & { attempts: number; created_at: Date }>`
    UPDATE outbox_messages
       SET lease_owner = ${owner}, lease_until = ${leaseUntil}, attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM outbox_messages
        WHERE status = 'pending'
          AND next_attempt_at <= ${now}
          AND (lease_until IS NULL OR lease_until < ${now})
        ORDER BY next_attempt_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
    RETURNING *`.execute(db);
  return result.rows.map(toMessage);
}

/** Marks a claimed message delivered, if `owner` still holds its lease. */
export async function markDelivered(
  db: Executor<ProtocolTables>,
  message: OutboxMessage,
  owner: string,
  response: { status: number; body: unknown },
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('outbox_messages')
    .set({
      status: 'delivered',
      delivered_at: now,
      response_status: response.status,
      response_body: JSON.stringify(response.body ?? null),
      lease_owner: null,
      lease_until: null,
      last_error: null,
    })
    .where('id', '=', message.id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Records a failed attempt: schedules the next one, or makes the message a dead letter when the
 * failure is final or the retry horizon has passed.
 */
export async function markFailed(
  db: Executor<ProtocolTables>,
  message: OutboxMessage,
  owner: string,
  failure: { error: string; status?: number; final: boolean; retryAt: Date },
  now: Date,
): Promise<'retry' | 'dead'> {
  const dead = failure.final || failure.retryAt.getTime() > message.giveUpAt.getTime();
  await db
    .updateTable('outbox_messages')
    .set({
      status: dead ? 'dead' : 'pending',
      next_attempt_at: dead ? now : failure.retryAt,
      last_error: failure.error.slice(0, 500),
      response_status: failure.status ?? null,
      lease_owner: null,
      lease_until: null,
    })
    .where('id', '=', message.id)
    .where('lease_owner', '=', owner)
    .execute();
  return dead ? 'dead' : 'retry';
}

export interface DeadLetter {
  readonly id: string;
  readonly partnerId: string;
  readonly call: string;
  readonly requestId: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly responseStatus: number | null;
  readonly createdAt: string;
}

/** Messages that will not be retried any more, newest first, for operators. */
export async function listDeadLetters(
  db: Executor<ProtocolTables>,
  limit: number,
  partnerId?: string,
): Promise<DeadLetter[]> {
  let query = db
    .selectFrom('outbox_messages')
    .selectAll()
    .where('status', '=', 'dead')
    .orderBy('created_at', 'desc')
    .limit(limit);
  if (partnerId !== undefined) query = query.where('partner_id', '=', partnerId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    partnerId: row.partner_id,
    call: row.call,
    requestId: row.request_id,
    attempts: row.attempts,
    lastError: row.last_error,
    responseStatus: row.response_status,
    createdAt: row.created_at.toISOString(),
  }));
}

/** Puts a dead letter back in the queue (an operator fixed the cause), keeping its request id. */
export async function requeueDeadLetter(
  db: Executor<ProtocolTables>,
  id: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('outbox_messages')
    .set({ status: 'pending', next_attempt_at: now, give_up_at: new Date(now.getTime() + RETRY_HORIZON_MS) })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
