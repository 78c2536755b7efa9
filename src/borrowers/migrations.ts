import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const borrowerMigrations: Record<string, Migration> = {
  '0030_borrowers': {
    async up(db) {
      await sql`
        CREATE TABLE borrowers (
          id uuid PRIMARY KEY,
          status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
          created_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
      await sql`
        CREATE TABLE borrower_sessions (
          token_hash text PRIMARY KEY,
          borrower_id uuid NOT NULL REFERENCES borrowers (id),
          channel_code text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          revoked_at timestamptz
        )`.execute(db);
      await sql`CREATE INDEX borrower_sessions_borrower ON borrower_sessions (borrower_id)`.execute(db);
    },
  },
};
