import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const loanMigrations: Record<string, Migration> = {
  '0070_loans': {
    async up(db) {
      await sql`
        CREATE TABLE loans (
          id uuid PRIMARY KEY,
          application_id uuid NOT NULL UNIQUE,
          borrower_id uuid NOT NULL,
          partner_id text NOT NULL,
          lender_loan_id text NOT NULL,
          principal_fen bigint NOT NULL CHECK (principal_fen > 0),
          term_months integer NOT NULL,
          method text NOT NULL,
          annual_rate numeric(12, 10) NOT NULL,
          day_count text NOT NULL,
          start_date date NOT NULL,
          status text NOT NULL CHECK (status IN ('repaying', 'overdue', 'settled', 'written_off')),
          schedule_version integer NOT NULL DEFAULT 0,
          status_version integer NOT NULL DEFAULT 0,
          created_at timestamptz NOT NULL DEFAULT now(),
          UNIQUE (partner_id, lender_loan_id)
        )`.execute(db);
      await sql`CREATE INDEX loans_borrower ON loans (borrower_id)`.execute(db);
      await sql`
        CREATE TABLE loan_installments (
          loan_id uuid NOT NULL REFERENCES loans (id),
          period integer NOT NULL,
          due_date date NOT NULL,
          principal_fen bigint NOT NULL CHECK (principal_fen >= 0),
          interest_fen bigint NOT NULL CHECK (interest_fen >= 0),
          fee_fen bigint NOT NULL CHECK (fee_fen >= 0),
          penalty_fen bigint NOT NULL CHECK (penalty_fen >= 0),
          paid_fen bigint NOT NULL CHECK (paid_fen >= 0),
          status text NOT NULL CHECK (status IN ('pending', 'paid', 'overdue', 'waived')),
          PRIMARY KEY (loan_id, period)
        )`.execute(db);
      await sql`
        CREATE TABLE loan_repayments (
          id uuid PRIMARY KEY,
          loan_id uuid NOT NULL REFERENCES loans (id),
          partner_id text NOT NULL,
          lender_repayment_id text NOT NULL,
          paid_at timestamptz NOT NULL,
          principal_fen bigint NOT NULL CHECK (principal_fen >= 0),
          interest_fen bigint NOT NULL CHECK (interest_fen >= 0),
          fee_fen bigint NOT NULL CHECK (fee_fen >= 0),
          penalty_fen bigint NOT NULL CHECK (penalty_fen >= 0),
          periods integer[] NOT NULL,
          early_payoff boolean NOT NULL,
          reversal_of text,
          created_at timestamptz NOT NULL DEFAULT now(),
          UNIQUE (partner_id, lender_repayment_id)
        )`.execute(db);
      await sql`CREATE INDEX loan_repayments_loan ON loan_repayments (loan_id, paid_at)`.execute(db);
      await sql`
        CREATE TABLE repayment_requests (
          id uuid PRIMARY KEY,
          loan_id uuid NOT NULL REFERENCES loans (id),
          borrower_id uuid NOT NULL,
          kind text NOT NULL CHECK (kind IN ('installment', 'payoff')),
          periods integer[] NOT NULL,
          amount_fen bigint NOT NULL CHECK (amount_fen > 0),
          status text NOT NULL CHECK (status IN ('requested', 'completed')),
          created_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
    },
  },
  '0115_failed_repayment_requests': {
    async up(db) {
      // A repayment the lender refused (or that could not be delivered at all) ends as failed with
      // the lender's reason, instead of holding the loan "in progress" for good.
      await sql`ALTER TABLE repayment_requests DROP CONSTRAINT repayment_requests_status_check`.execute(db);
      await sql`
        ALTER TABLE repayment_requests
          ADD CONSTRAINT repayment_requests_status_check
            CHECK (status IN ('requested', 'completed', 'failed')),
          ADD COLUMN failure_code text,
          ADD COLUMN failure_reason text,
          ADD COLUMN failed_at timestamptz`.execute(db);
    },
  },
  '0118_loans_awaiting_lender': {
    async up(db) {
      // The pull fallback: repayment requests still open, and loans still without a schedule.
      await sql`CREATE INDEX repayment_requests_open ON repayment_requests (created_at) WHERE status = 'requested'`.execute(
        db,
      );
      await sql`CREATE INDEX loans_without_schedule ON loans (created_at) WHERE schedule_version = 0`.execute(
        db,
      );
    },
  },
};
