import type { Executor } from '../db/transaction.ts';

/** What operators see of the protocol's trouble: refused messages and callbacks not applied. */
export interface Rejection {
  readonly id: number;
  readonly at: string;
  readonly partnerId: string | null;
  readonly requestId: string | null;
  readonly path: string;
  readonly code: string;
  readonly message: string;
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

/** Envelope refusals (bad signature, replay, unknown partner…), newest first. */
export async function listRejections(
  db: Executor,
  query: { partnerId?: string; beforeId?: number; limit: number },
): Promise<Rejection[]> {
  let select = db.selectFrom('protocol_rejections').selectAll().orderBy('id', 'desc').limit(query.limit);
  if (query.partnerId !== undefined) select = select.where('partner_id', '=', query.partnerId);
  if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
  const rows = await select.execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at.toISOString(),
    partnerId: row.partner_id,
    requestId: row.request_id,
    path: row.path,
    code: row.code,
    message: row.message,
  }));
}

/**
 * Callbacks by status: `deferred` (kept until what they depend on arrives) or `refused` (e.g. a
 * price above the cap, another lender's application), newest first. Bodies are not listed: a
 * callback may name amounts and ids, but operators look them up where they belong.
 */
export async function listCallbacks(
  db: Executor,
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
