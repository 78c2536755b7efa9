import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

async function appendOnly(db: Parameters<Migration['up']>[0], table: string): Promise<void> {
  await sql`
    CREATE TRIGGER ${sql.raw(`${table}_no_change`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
    FOR EACH ROW EXECUTE FUNCTION settlement_append_only()`.execute(db);
}

export const settlementMigrations: Record<string, Migration> = {
  '0090_settlement': {
    async up(db) {
      await sql`
        CREATE FUNCTION settlement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$`.execute(db);

      await sql`
        CREATE TABLE revenue_contracts (
          id uuid PRIMARY KEY,
          lender_code text NOT NULL,
          version integer NOT NULL CHECK (version > 0),
          effective_from date NOT NULL,
          terms jsonb NOT NULL,
          reference text,
          note text,
          created_by text,
          created_at timestamptz NOT NULL,
          UNIQUE (lender_code, version)
        )`.execute(db);
      await sql`
        CREATE INDEX revenue_contracts_effective
        ON revenue_contracts (lender_code, effective_from, version)`.execute(db);
      await appendOnly(db, 'revenue_contracts');

      await sql`
        CREATE TABLE fee_accruals (
          id bigserial PRIMARY KEY,
          lender_code text NOT NULL,
          channel_code text NOT NULL,
          record_type text NOT NULL CHECK (record_type IN ('disbursement', 'repayment')),
          business_id text NOT NULL,
          reversal_of text,
          loan_id uuid NOT NULL,
          lender_loan_id text NOT NULL,
          application_id text NOT NULL,
          occurred_at timestamptz NOT NULL,
          business_date date NOT NULL,
          business_month text NOT NULL,
          principal_fen bigint NOT NULL,
          interest_fen bigint NOT NULL,
          fee_fen bigint NOT NULL,
          penalty_fen bigint NOT NULL,
          early_payoff boolean NOT NULL,
          contract_id uuid,
          contract_version integer,
          interest_bps integer NOT NULL,
          fee_bps integer NOT NULL,
          tier integer,
          tier_volume_fen bigint,
          referral_fen bigint NOT NULL,
          service_interest_fen bigint NOT NULL,
          service_fee_fen bigint NOT NULL,
          ledger_seq bigint,
          request_id text,
          note text,
          recorded_at timestamptz NOT NULL,
          UNIQUE (lender_code, record_type, business_id)
        )`.execute(db);
      await sql`CREATE INDEX fee_accruals_month ON fee_accruals (lender_code, business_month, id)`.execute(
        db,
      );
      await sql`CREATE INDEX fee_accruals_day ON fee_accruals (lender_code, business_date)`.execute(db);
      await sql`CREATE INDEX fee_accruals_loan ON fee_accruals (loan_id)`.execute(db);
      await appendOnly(db, 'fee_accruals');

      await sql`
        CREATE TABLE settlement_monthly_volumes (
          lender_code text NOT NULL,
          month text NOT NULL,
          disbursed_fen bigint NOT NULL,
          loans integer NOT NULL,
          PRIMARY KEY (lender_code, month)
        )`.execute(db);

      await sql`
        CREATE TABLE statements (
          id uuid PRIMARY KEY,
          lender_code text NOT NULL,
          month text NOT NULL,
          channel_scope text NOT NULL,
          status text NOT NULL CHECK (status IN ('draft', 'issued', 'confirmed', 'disputed', 'settled')),
          watermark bigint NOT NULL,
          previous_statement_id uuid REFERENCES statements (id),
          line_count integer NOT NULL,
          event_count integer NOT NULL,
          disbursed_principal_fen bigint NOT NULL,
          principal_collected_fen bigint NOT NULL,
          interest_collected_fen bigint NOT NULL,
          fees_collected_fen bigint NOT NULL,
          referral_fen bigint NOT NULL,
          service_interest_fen bigint NOT NULL,
          service_fee_fen bigint NOT NULL,
          total_fen bigint NOT NULL,
          settlement_ledger_seq bigint,
          generated_at timestamptz NOT NULL,
          generated_by text,
          updated_at timestamptz NOT NULL,
          UNIQUE (lender_code, month, channel_scope)
        )`.execute(db);
      await sql`
        CREATE TABLE statement_lines (
          statement_id uuid NOT NULL REFERENCES statements (id),
          line_no integer NOT NULL,
          loan_id uuid NOT NULL,
          lender_loan_id text NOT NULL,
          channel_code text NOT NULL,
          business_month text NOT NULL,
          events integer NOT NULL,
          disbursed_principal_fen bigint NOT NULL,
          principal_collected_fen bigint NOT NULL,
          interest_collected_fen bigint NOT NULL,
          fees_collected_fen bigint NOT NULL,
          referral_fen bigint NOT NULL,
          service_interest_fen bigint NOT NULL,
          service_fee_fen bigint NOT NULL,
          total_fen bigint NOT NULL,
          PRIMARY KEY (statement_id, line_no)
        )`.execute(db);
      await appendOnly(db, 'statement_lines');
      await sql`
        CREATE TABLE statement_events (
          id bigserial PRIMARY KEY,
          statement_id uuid NOT NULL REFERENCES statements (id),
          from_status text,
          to_status text NOT NULL,
          note text,
          actor_type text NOT NULL,
          actor_id text,
          at timestamptz NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX statement_events_statement ON statement_events (statement_id, id)`.execute(db);
      await appendOnly(db, 'statement_events');

      await sql`
        CREATE TABLE reconciliation_runs (
          id uuid PRIMARY KEY,
          lender_code text NOT NULL,
          file_date date NOT NULL,
          file_name text,
          file_sha256 text NOT NULL,
          content text NOT NULL,
          file_rows integer NOT NULL,
          lendgate_records integer NOT NULL,
          matched integer NOT NULL,
          differences integer NOT NULL,
          imported_by text,
          imported_at timestamptz NOT NULL,
          UNIQUE (lender_code, file_date, file_sha256)
        )`.execute(db);
      await sql`
        CREATE TABLE reconciliation_differences (
          id bigserial PRIMARY KEY,
          run_id uuid NOT NULL REFERENCES reconciliation_runs (id),
          kind text NOT NULL CHECK (kind IN ('missing_in_file', 'missing_in_lendgate', 'unknown_loan',
            'amount_mismatch', 'status_mismatch', 'duplicate')),
          record_type text NOT NULL,
          business_id text NOT NULL,
          loan_id text NOT NULL,
          fields text[] NOT NULL,
          file_values jsonb,
          lendgate_values jsonb,
          message text NOT NULL,
          resolution_note text,
          resolved_by text,
          resolved_at timestamptz
        )`.execute(db);
      await sql`CREATE INDEX reconciliation_differences_run ON reconciliation_differences (run_id, id)`.execute(
        db,
      );
    },
  },
};
