import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const applicationMigrations: Record<string, Migration> = {
  '0060_applications': {
    async up(db) {
      await sql`
        CREATE TABLE applications (
          id uuid PRIMARY KEY,
          borrower_id uuid NOT NULL,
          channel_code text NOT NULL,
          lender_id uuid NOT NULL,
          partner_id text NOT NULL,
          product_id uuid NOT NULL,
          product_code text NOT NULL,
          requested_amount_fen bigint NOT NULL CHECK (requested_amount_fen > 0),
          term_months integer NOT NULL CHECK (term_months BETWEEN 1 AND 360),
          method text NOT NULL,
          day_count text NOT NULL,
          status text NOT NULL,
          consent_id text NOT NULL,
          approved_limit_fen bigint CHECK (approved_limit_fen >= 0),
          approved_apr numeric(12, 10),
          approved_terms integer[],
          approved_methods text[],
          approval_valid_until timestamptz,
          decision_reason text,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX applications_borrower ON applications (borrower_id, created_at)`.execute(db);
      await sql`CREATE INDEX applications_partner ON applications (partner_id, created_at)`.execute(db);
      await sql`
        CREATE TABLE application_events (
          id bigserial PRIMARY KEY,
          application_id uuid NOT NULL REFERENCES applications (id),
          event text NOT NULL,
          from_status text NOT NULL,
          to_status text NOT NULL,
          cause_type text NOT NULL CHECK (cause_type IN ('borrower', 'lender', 'system')),
          cause_id text,
          at timestamptz NOT NULL,
          details jsonb NOT NULL DEFAULT '{}'::jsonb
        )`.execute(db);
      await sql`CREATE INDEX application_events_application ON application_events (application_id, id)`.execute(
        db,
      );
      await sql`
        CREATE TABLE drawdowns (
          id uuid PRIMARY KEY,
          application_id uuid NOT NULL REFERENCES applications (id),
          amount_fen bigint NOT NULL CHECK (amount_fen > 0),
          term_months integer NOT NULL,
          method text NOT NULL,
          start_date date NOT NULL,
          status text NOT NULL CHECK (status IN ('requested', 'succeeded', 'failed')),
          lender_loan_id text,
          failure_reason text,
          created_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
      // At most one drawdown in flight per application.
      await sql`CREATE UNIQUE INDEX drawdowns_one_open ON drawdowns (application_id) WHERE status = 'requested'`.execute(
        db,
      );
    },
  },
  // Migrations run in name order and a new one must sort after every shipped one (Kysely refuses
  // otherwise): this is why it is 0100, not 0061.
  '0100_application_names': {
    async up(db) {
      await sql`
        ALTER TABLE applications
          ADD COLUMN product_name text NOT NULL DEFAULT '',
          ADD COLUMN lender_name text NOT NULL DEFAULT ''`.execute(db);
    },
  },
  '0116_applications_awaiting_lender': {
    async up(db) {
      // The pull fallback looks for applications waiting on their lender (a decision, a
      // disbursement) for longer than a deadline: only those states, oldest first.
      await sql`
        CREATE INDEX applications_awaiting_lender ON applications (updated_at)
          WHERE status IN ('sent', 'drawdown_requested')`.execute(db);
    },
  },
};
