import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const demoMigrations: Record<string, Migration> = {
  '0003_demo_seed_steps': {
    async up(db) {
      await sql`
        CREATE TABLE demo_seed_steps (
          step text PRIMARY KEY,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
    },
  },
};
