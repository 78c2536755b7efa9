import { sql } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { type DeadLetter, listDeadLetters, requeueDeadLetter } from './outbox.ts';
import type { ProtocolTables } from './tables.ts';

/**
 * What operators see of the protocol's trouble: refused messages and callbacks not applied. A
 * rejection counts the refusals of one minute from one source address for one claimed partner and
 * code; `requestId`, `path` and `message` are the latest one's.
 */
export interface Rejection {
  readonly id: number;
  /** When the first of them came. */
  readonly at: string;
  readonly lastAt: string;
  readonly count: number;
  /** The caller's address (`*`: the sources past the per-minute limit, together). */
  readonly sourceIp: string | null;
  readonly partnerId: string | null;
  readonly requestId: string | null;
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** One refusal at the edge, as recordRejection takes it. */
export interface RefusedMessage {
  readonly sourceIp: string;
  /** The partner the message claimed to come from (not verified: it was refused). */
  readonly partnerId: string | null;
  readonly requestId: string | null;
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/**
 * Distinct (source, partner, code) rows one minute may get; refusals past it are counted together
 * in one row per code with source and partner `*`. So a flood from any number of addresses and
 * made-up partner ids adds at most this many rows a minute, plus one per code.
 */
export const MAX_REJECTION_ROWS_PER_MINUTE = 100;

const OVERFLOW = '*';

/**
 * Counts a refusal: adds one to its row of this minute, or starts that row. Every refusal is
 * counted, but a flood of them costs one row per minute and key, not one per message.
 */
export async function recordRejection(
  db: Executor<ProtocolTables>,
  refused: RefusedMessage,
  now: Date,
  maxRowsPerMinute = MAX_REJECTION_ROWS_PER_MINUTE,
): Promise<void> {
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const latest = {
    last_at: now,
    request_id: refused.requestId?.slice(0, 100) ?? null,
    path: refused.path.slice(0, 200),
    message: refused.message.slice(0, 500),
  };
  const key = {
    source_ip: refused.sourceIp.slice(0, 64),
    partner_id: refused.partnerId?.slice(0, 100) ?? null,
  };
  const counted = await db
    .updateTable('protocol_rejections')
    .set((eb) => ({ ...latest, count: eb('count', '+', 1) }))
    .where('minute', '=', minute)
    .where('code', '=', refused.code)
    .where(sql<boolean>`source_ip IS NOT DISTINCT FROM ${key.source_ip}`)
    .where(sql<boolean>`partner_id IS NOT DISTINCT FROM ${key.partner_id}`)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) > 0) return;

  // A new row: unless this minute has its fill already (at most the limit plus a row per code).
  const { n } = await db
    .selectFrom('protocol_rejections')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('minute', '=', minute)
    .executeTakeFirstOrThrow();
  const rowKey = Number(n) >= maxRowsPerMinute ? { source_ip: OVERFLOW, partner_id: OVERFLOW } : key;
  await db
    .insertInto('protocol_rejections')
    .values({ ...rowKey, ...latest, code: refused.code, minute, at: now, count: 1 })
    .onConflict((oc) =>
      oc
        .columns(['minute', 'source_ip', 'partner_id', 'code'])
        .doUpdateSet((eb) => ({ ...latest, count: eb('protocol_rejections.count', '+', 1) })),
    )
    .execute();
}

/** Envelope refusals (bad signature, replay, unknown partner…), newest first. */
export async function listRejections(
  db: Executor<ProtocolTables>,
  query: { partnerId?: string; beforeId?: number; limit: number },
): Promise<Rejection[]> {
  let select = db.selectFrom('protocol_rejections').selectAll().orderBy('id', 'desc').limit(query.limit);
  if (query.partnerId !== undefined) select = select.where('partner_id', '=', query.partnerId);
  if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
  const rows = await select.execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at.toISOString(),
    lastAt: row.last_at.toISOString(),
    count: row.count,
    sourceIp: row.source_ip,
    partnerId: row.partner_id,
    requestId: row.request_id,
    path: row.path,
    code: row.code,
    message: row.message,
  }));
}

export interface StoredCallback {
  readonly id: number;
  readonly partnerId: string;
  readonly requestId: string;
  readonly kind: string;
  readonly businessId: string;
  readonly status: 'applied' | 'deferred' | 'refused';
  readonly responseStatus: number;
  readonly answer: unknown;
  readonly receivedAt: string;
}

/**
 * Callbacks by status: `deferred` (kept until what they depend on arrives) or `refused` (e.g. a
 * price above the cap, another lender's application), newest first. Bodies are not listed: a
 * callback may name amounts and ids, but operators look them up where they belong.
 */
export async function listCallbacks(
  db: Executor<ProtocolTables>,
  query: { status: 'deferred' | 'refused' | 'applied'; partnerId?: string; beforeId?: number; limit: number },
): Promise<StoredCallback[]> {
  let select = db
    .selectFrom('inbound_messages')
    .select([
      'id',
      'partner_id',
      'request_id',
      'kind',
      'business_id',
      'status',
      'response_status',
      'response_body',
      'received_at',
    ])
    .where('status', '=', query.status)
    .orderBy('id', 'desc')
    .limit(query.limit);
  if (query.partnerId !== undefined) select = select.where('partner_id', '=', query.partnerId);
  if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
  const rows = await select.execute();
  return rows.map((row) => ({
    id: row.id,
    partnerId: row.partner_id,
    requestId: row.request_id,
    kind: row.kind,
    businessId: row.business_id,
    status: row.status,
    responseStatus: row.response_status,
    answer: row.response_body,
    receivedAt: row.received_at.toISOString(),
  }));
}

/** Where the open API counts the messages it refuses at the edge (the routes hold no database). */
export interface RejectionRecorder {
  record(refused: RefusedMessage): Promise<void>;
}

/**
 * The protocol's trouble as operators handle it, over the protocol's tables: refusals counted at
 * the edge, callbacks by status, dead letters and their requeue (audited in the same transaction).
 * The HTTP routes call this service; they never see the database.
 */
export class ProtocolOperations implements RejectionRecorder {
  readonly #db: Executor<ProtocolTables>;
  readonly #clock: Clock;

  constructor(db: Executor<ProtocolTables>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Counts one refusal at the edge, at the clock's time (see recordRejection). */
  async record(refused: RefusedMessage): Promise<void> {
    await recordRejection(this.#db, refused, this.#clock());
  }

  rejections(query: { partnerId?: string; beforeId?: number; limit: number }): Promise<Rejection[]> {
    return listRejections(this.#db, query);
  }

  callbacks(query: {
    status: 'deferred' | 'refused' | 'applied';
    partnerId?: string;
    beforeId?: number;
    limit: number;
  }): Promise<StoredCallback[]> {
    return listCallbacks(this.#db, query);
  }

  deadLetters(query: { limit: number; partnerId?: string }): Promise<DeadLetter[]> {
    return listDeadLetters(this.#db, query.limit, query.partnerId);
  }

  /**
   * Sends a dead letter again (same request id) and records who did it, both or neither.
   * NOT_FOUND when no dead letter has this id (unknown, or not dead any more).
   */
  async requeueDeadLetter(id: string, actor: Actor, requestId?: string): Promise<void> {
    await inTransaction(this.#db, async (trx) => {
      if (!(await requeueDeadLetter(trx, id, this.#clock()))) {
        throw new AppError('NOT_FOUND', 'No dead letter has this id.');
      }
      await recordAudit(trx, {
        actor,
        action: 'protocol.dead_letter.requeue',
        target: { type: 'outbox_message', id },
        requestId,
      });
    });
  }
}
