import type { Generated } from 'kysely';

export const PRE_CHECK_OUTCOMES = ['accepted', 'declined', 'timeout', 'error', 'over_quota'] as const;
export type PreCheckOutcome = (typeof PRE_CHECK_OUTCOMES)[number];

/** Every pre-check (撞库) result, kept for the funnel and for the application's precondition. */
export interface PreCheckResultRow {
  id: Generated<number>;
  borrower_id: string;
  product_id: string;
  partner_id: string;
  channel_code: string;
  outcome: PreCheckOutcome;
  reason: string | null;
  latency_ms: number;
  indicative_limit_fen: number | null;
  apr_min: string | null;
  apr_max: string | null;
  at: Date;
}

export interface MarketplaceTables {
  pre_check_results: PreCheckResultRow;
}
