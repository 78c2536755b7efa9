import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const operatorMigrations: Record<string, Migration> = {
  '0001_operators': {
    async up(db) {
      await sql`
        CREATE TABLE operators (
          id uuid PRIMARY KEY,
          email text NOT NULL UNIQUE CHECK (email = lower(email)),
          display_name text NOT NULL,
          password_hash text NOT NULL,
          roles text[] NOT NULL CHECK (cardinality(roles) > 0
            AND roles <@ ARRAY['admin', 'operator', 'finance', 'compliance']::text[]),
          status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
          failed_attempts integer NOT NULL DEFAULT 0,
          locked_until timestamptz,
          created_at timestamptz NOT NULL DEFAULT now(),
          password_changed_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
      await sql`
        CREATE TABLE operator_sessions (
          token_hash text PRIMARY KEY,
          operator_id uuid NOT NULL REFERENCES operators (id),
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          revoked_at timestamptz
        )`.execute(db);
      await sql`CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id)`.execute(db);
    },
  },
  '0117_operator_failure_window': {
    async up(db) {
      // Failed sign-ins count within a window that starts at the first of them (operators/lockout.ts).
      await sql`ALTER TABLE operators ADD COLUMN failure_window_started_at timestamptz`.execute(db);
    },
  },
};
