import type { ColumnType, Generated } from 'kysely';

type Json<T = unknown> = ColumnType<T, string, string>;

/** Nonces seen in signed messages, kept until their timestamp window closes (replay protection). */
export interface ProtocolNonceRow {
  partner_id: string;
  nonce: string;
  expires_at: Date;
}

/** The platform's own key pairs; private halves sealed with the master key. */
export interface PlatformKeyRow {
  kid: string;
  alg: string;
  use: 'signing' | 'encryption';
  public_key_pem: string;
  private_key_sealed: string;
  not_before: Date;
  not_after: Date | null;
  created_at: Generated<Date>;
}

export const OUTBOX_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** Calls to lenders, written in the transaction of the state change that causes them. */
export interface OutboxMessageRow {
  id: string;
  partner_id: string;
  call: string;
  request_id: string;
  method: string;
  path: string;
  body: Json;
  status: OutboxStatus;
  attempts: Generated<number>;
  next_attempt_at: Date;
  give_up_at: Date;
  lease_owner: string | null;
  lease_until: Date | null;
  last_error: string | null;
  response_status: number | null;
  response_body: Json | null;
  created_at: Generated<Date>;
  delivered_at: Date | null;
}

/** Every signed callback received, with the answer given, for idempotent replays. */
export interface InboundMessageRow {
  id: Generated<number>;
  partner_id: string;
  request_id: string;
  kind: string;
  business_id: string;
  body_sha256: string;
  body: Json;
  status: 'applied' | 'deferred' | 'refused';
  response_status: number;
  response_body: Json;
  received_at: Generated<Date>;
  applied_at: Date | null;
  /** For a deferred callback: the prerequisite it waits for (e.g. `disbursement of loan L1`). */
  waiting_for: ColumnType<string | null, string | null | undefined, string | null>;
}

/**
 * Messages refused at the edge (bad signature, replay, cap breach…), for operators to see: one row
 * per minute, source address, claimed partner and code, counting its refusals (the request id,
 * path and message are the latest one's).
 */
export interface ProtocolRejectionRow {
  id: Generated<number>;
  /** When the first refusal of the row came. */
  at: Generated<Date>;
  partner_id: string | null;
  request_id: string | null;
  path: string;
  code: string;
  message: string;
  /** The caller's address; null on rows from before the counting, `*` on the overflow row. */
  source_ip: string | null;
  /** The minute the row counts (its start). */
  minute: Date;
  last_at: Date;
  count: ColumnType<number, number | undefined, number>;
}

export interface ProtocolTables {
  protocol_nonces: ProtocolNonceRow;
  platform_keys: PlatformKeyRow;
  outbox_messages: OutboxMessageRow;
  inbound_messages: InboundMessageRow;
  protocol_rejections: ProtocolRejectionRow;
}
