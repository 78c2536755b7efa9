import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Channels, their signing keys, the sign-in replay store and the channel-user → borrower map. The
 * CHECK constraints repeat the service's rules so that no code path can store what they forbid.
 */
export const channelMigrations: Record<string, Migration> = {
  '0040_channels': {
    async up(db) {
      await sql`
        CREATE TABLE channels (
          code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,31}$'),
          name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
          placements jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(placements) = 'array'),
          status text NOT NULL CHECK (status IN ('active', 'disabled')),
          disabled_reason text,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL
        )`.execute(db);

      await sql`
        CREATE TABLE channel_keys (
          id uuid PRIMARY KEY,
          channel_code text NOT NULL REFERENCES channels (code),
          kid text NOT NULL CHECK (kid ~ '^[A-Za-z0-9._:-]{1,128}$'),
          alg text NOT NULL CHECK (alg IN ('ES256', 'RS256', 'EdDSA')),
          public_jwk jsonb NOT NULL CHECK (NOT (public_jwk ? 'd')),
          thumbprint text NOT NULL,
          not_before timestamptz NOT NULL,
          not_after timestamptz,
          revoked_at timestamptz,
          revoked_reason text,
          created_at timestamptz NOT NULL,
          UNIQUE (channel_code, kid),
          UNIQUE (channel_code, thumbprint),
          CHECK (not_after IS NULL OR not_after > not_before)
        )`.execute(db);

      await sql`
        CREATE TABLE channel_demo_keys (
          channel_code text NOT NULL,
          kid text NOT NULL,
          private_key_sealed text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (channel_code, kid),
          FOREIGN KEY (channel_code, kid) REFERENCES channel_keys (channel_code, kid)
        )`.execute(db);

      // The primary key is the replay check: a second use of a token id fails to insert.
      await sql`
        CREATE TABLE channel_token_uses (
          channel_code text NOT NULL,
          jti text NOT NULL,
          expires_at timestamptz NOT NULL,
          PRIMARY KEY (channel_code, jti)
        )`.execute(db);
      await sql`CREATE INDEX channel_token_uses_expiry ON channel_token_uses (expires_at)`.execute(db);

      // The primary key makes concurrent first sign-ins of one user agree on one borrower.
      await sql`
        CREATE TABLE channel_users (
          channel_code text NOT NULL REFERENCES channels (code),
          channel_user_id text NOT NULL,
          borrower_id uuid NOT NULL REFERENCES borrowers (id),
          created_at timestamptz NOT NULL,
          PRIMARY KEY (channel_code, channel_user_id),
          UNIQUE (borrower_id, channel_code)
        )`.execute(db);
    },
  },
};
