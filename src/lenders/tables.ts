import type { ColumnType, Generated } from 'kysely';

/** A date-only column that may be empty: `YYYY-MM-DD` on both back ends (db/type-parsers.ts). */
type NullableDateColumn = ColumnType<string | null, string | null, string | null>;

export interface LenderRow {
  id: string;
  /** Public partner id, used as `partnerId` in the protocol envelope. Never changes. */
  code: string;
  kind: 'bank' | 'consumer_finance' | 'micro_loan' | 'facilitator';
  legal_name: string;
  license_type: string | null;
  license_number: string | null;
  contact_name: string;
  contact_email: string;
  contact_phone: string;
  security_cert_level: string | null;
  security_cert_number: string | null;
  security_cert_expires_on: NullableDateColumn;
  contract_reference: string | null;
  status: 'applied' | 'under_review' | 'sandbox' | 'active' | 'suspended' | 'terminated';
  daily_application_quota: number;
  ip_allow_list: string[];
  callback_base_url: string;
  timeout_pre_check_ms: number;
  timeout_apply_ms: number;
  timeout_drawdown_ms: number;
  timeout_repay_ms: number;
  timeout_status_query_ms: number;
  created_at: Date;
  updated_at: Date;
}

/** A licensed funder named by a facilitator: a registered partner, or a legal name + license. */
export interface LenderFunderRow {
  id: string;
  lender_id: string;
  funder_lender_id: string | null;
  kind: 'bank' | 'consumer_finance' | 'micro_loan';
  legal_name: string;
  license_number: string;
  position: number;
  created_at: Date;
}

export interface LenderStatusHistoryRow {
  id: Generated<number>;
  lender_id: string;
  from_status: LenderRow['status'] | null;
  to_status: LenderRow['status'];
  reason: string;
  actor_type: string;
  actor_id: string | null;
  request_id: string | null;
  at: Date;
}

export interface ConformanceRunRow {
  id: Generated<number>;
  lender_id: string;
  /** `running` (an operator-run in the background) until it ends `passed` or `failed`. */
  status: 'running' | 'passed' | 'failed';
  started_at: Date;
  /** Null while running. */
  finished_at: Date | null;
  /** Null while running. */
  passed: boolean | null;
  /** Why a run failed without its checks' verdict, e.g. `interrupted`. */
  failure_reason: string | null;
  /** Progress of an operator-run; null for a run recorded whole. */
  checks_done: number | null;
  checks_total: number | null;
  /** What the run was against (null for runs recorded before migration 0132). */
  lender_url: string | null;
  key_set_digest: string | null;
  /** Where the kit listened for the lender's callbacks. */
  callback_url: string | null;
  /** The operator who started it. */
  requested_by: string | null;
  /** A running run's process says it is alive; a run whose heartbeat stops is interrupted. */
  heartbeat_at: Date | null;
  report: ColumnType<Record<string, unknown>, string, string>;
  recorded_at: Date;
}

export interface LenderProductRow {
  id: string;
  lender_id: string;
  code: string;
  name: string;
  /** Null when the partner itself funds the product (licensed kinds only). */
  funder_id: string | null;
  /** Exact decimal fractions (numeric), e.g. "0.180000". */
  apr_min: string;
  apr_max: string;
  amount_min_fen: number;
  amount_max_fen: number;
  terms_months: number[];
  repayment_methods: string[];
  day_count: 'ACT/360' | 'ACT/365';
  data_categories: string[];
  status: 'draft' | 'in_review' | 'approved' | 'withdrawn';
  created_at: Date;
  updated_at: Date;
}

export interface LenderKeyRow {
  id: string;
  lender_id: string;
  kid: string;
  algorithm: 'RSA-SHA256' | 'Ed25519' | 'SM2-SM3' | 'RSA-OAEP-256' | 'SM2';
  use: 'signing' | 'encryption';
  public_key_pem: string;
  /** SHA-256 thumbprint of the SPKI DER (sandbox/sdk spkiThumbprint), to refuse a key twice. */
  fingerprint: string;
  not_before: Date;
  not_after: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  created_at: Date;
}

/**
 * A partner's pre-check (撞库) key: the HMAC key of the hashes in its pre-checks. The secret is
 * sealed by the master key; it is wiped (null) once the key is seen retired.
 */
export interface LenderPreCheckKeyRow {
  key_id: string;
  lender_id: string;
  secret_sealed: string | null;
  created_at: Date;
  /** Null for the current key; a replaced key stays valid until then. */
  retires_at: Date | null;
}

export interface LenderTables {
  lenders: LenderRow;
  lender_funders: LenderFunderRow;
  lender_status_history: LenderStatusHistoryRow;
  conformance_runs: ConformanceRunRow;
  lender_products: LenderProductRow;
  lender_keys: LenderKeyRow;
  lender_pre_check_keys: LenderPreCheckKeyRow;
}
