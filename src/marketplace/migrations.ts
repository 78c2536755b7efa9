import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const marketplaceMigrations: Record<string, Migration> = {
  '0065_pre_check_results': {
    async up(db) {
      await sql`
        CREATE TABLE pre_check_results (
          id bigserial PRIMARY KEY,
          borrower_id uuid NOT NULL,
          product_id uuid NOT NULL,
          partner_id text NOT NULL,
          channel_code text NOT NULL,
          outcome text NOT NULL CHECK (outcome IN ('accepted', 'declined', 'timeout', 'error', 'over_quota')),
          reason text,
          latency_ms integer NOT NULL,
          indicative_limit_fen bigint,
          apr_min numeric(12, 10),
          apr_max numeric(12, 10),
          at timestamptz NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX pre_check_results_borrower ON pre_check_results (borrower_id, product_id, at DESC)`.execute(
        db,
      );
      await sql`CREATE INDEX pre_check_results_partner ON pre_check_results (partner_id, at)`.execute(db);
    },
  },
};
