import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Versioned whitelists. Entries are partitioned by version (LIST on version_id): an import fills
 * a partition of its own, dropping a version is a DROP TABLE instead of deleting millions of rows,
 * and a lookup touches one small index. The live version is one pointer per channel
 * (whitelist_settings.active_version_id), so switching lists is a one-row update.
 */
export const whitelistMigrations: Record<string, Migration> = {
  '0050_whitelists': {
    async up(db) {
      await sql`
        CREATE TABLE whitelist_versions (
          id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          channel_code text NOT NULL,
          version integer NOT NULL CHECK (version > 0),
          key_type text NOT NULL CHECK (key_type IN ('channel_user_id', 'phone_sha256')),
          state text NOT NULL CHECK (state IN ('importing', 'ready', 'failed', 'dropped')),
          source text NOT NULL CHECK (source IN ('api', 'cli', 'seed')),
          created_by text,
          rows_read bigint NOT NULL DEFAULT 0,
          rows_accepted bigint NOT NULL DEFAULT 0,
          rows_rejected bigint NOT NULL DEFAULT 0,
          rows_duplicate bigint NOT NULL DEFAULT 0,
          errors jsonb NOT NULL DEFAULT '[]',
          segments jsonb NOT NULL DEFAULT '[]',
          failure text,
          created_at timestamptz NOT NULL,
          finished_at timestamptz,
          activated_at timestamptz,
          dropped_at timestamptz,
          UNIQUE (channel_code, version)
        )`.execute(db);

      await sql`
        CREATE TABLE whitelist_settings (
          channel_code text PRIMARY KEY,
          active_version_id integer REFERENCES whitelist_versions (id),
          last_version integer NOT NULL DEFAULT 0,
          phone_salt text NOT NULL CHECK (length(phone_salt) BETWEEN 8 AND 128),
          kill_switch boolean NOT NULL DEFAULT false,
          kill_reason text,
          updated_at timestamptz NOT NULL
        )`.execute(db);

      await sql`
        CREATE TABLE whitelist_global (
          id boolean PRIMARY KEY DEFAULT true CHECK (id),
          kill_switch boolean NOT NULL DEFAULT false,
          kill_reason text,
          updated_at timestamptz
        )`.execute(db);
      await sql`INSERT INTO whitelist_global (id) VALUES (true)`.execute(db);

      await sql`
        CREATE TABLE whitelist_entries (
          version_id integer NOT NULL,
          key text NOT NULL,
          segment text NOT NULL,
          limit_fen bigint CHECK (limit_fen > 0),
          PRIMARY KEY (version_id, key)
        ) PARTITION BY LIST (version_id)`.execute(db);

      await sql`
        CREATE TABLE whitelist_rollouts (
          channel_code text NOT NULL,
          segment text NOT NULL,
          percent integer NOT NULL CHECK (percent BETWEEN 0 AND 100),
          updated_at timestamptz NOT NULL,
          PRIMARY KEY (channel_code, segment)
        )`.execute(db);
    },
  },
};
