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
  '0031_borrower_vault': {
    async up(db) {
      // The data key is kept apart from the ciphertexts: destroying this one row is what makes a
      // borrower's data unreadable (crypto-shredding), wherever copies of the ciphertexts remain.
      await sql`
        CREATE TABLE borrower_data_keys (
          borrower_id uuid PRIMARY KEY REFERENCES borrowers (id),
          wrapped_key text NOT NULL,
          created_at timestamptz NOT NULL
        )`.execute(db);
      // Each *_sealed column is one AES-256-GCM ciphertext bound to (borrower, field); *_index
      // columns are HMAC blind indexes for lookups without decryption. No plain value is stored.
      await sql`
        CREATE TABLE borrower_profiles (
          borrower_id uuid PRIMARY KEY REFERENCES borrower_data_keys (borrower_id),
          name_sealed text,
          id_number_sealed text,
          phone_sealed text,
          bank_card_sealed text,
          contacts_sealed text,
          phone_index text CHECK (phone_index ~ '^[0-9a-f]{64}$'),
          id_number_index text CHECK (id_number_index ~ '^[0-9a-f]{64}$'),
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX borrower_profiles_phone ON borrower_profiles (phone_index)`.execute(db);
      await sql`CREATE INDEX borrower_profiles_id_number ON borrower_profiles (id_number_index)`.execute(db);
    },
  },
  '0032_borrower_consents': {
    async up(db) {
      // Agreement texts are versioned and never change once published: a consent points at the
      // exact text (and its hash) the borrower saw.
      await sql`
        CREATE TABLE agreements (
          id uuid PRIMARY KEY,
          kind text NOT NULL CHECK (kind IN ('platform_service', 'pi_authorization', 'lender_loan_agreement')),
          lender_id uuid,
          version integer NOT NULL CHECK (version >= 1),
          title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
          content text NOT NULL CHECK (length(content) BETWEEN 1 AND 100000),
          content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
          categories text[] NOT NULL DEFAULT '{}',
          effective_from timestamptz NOT NULL,
          created_at timestamptz NOT NULL,
          CONSTRAINT agreements_lender_scope CHECK ((kind = 'platform_service') = (lender_id IS NULL)),
          CONSTRAINT agreements_categories CHECK ((kind = 'pi_authorization') = (cardinality(categories) > 0))
        )`.execute(db);
      await sql`
        CREATE UNIQUE INDEX agreements_version
        ON agreements (kind, (coalesce(lender_id::text, '')), version)`.execute(db);
      await sql`
        CREATE FUNCTION borrowers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$`.execute(db);
      await sql`
        CREATE TRIGGER agreements_no_change BEFORE UPDATE OR DELETE ON agreements
        FOR EACH ROW EXECUTE FUNCTION borrowers_append_only()`.execute(db);

      await sql`
        CREATE TABLE borrower_consents (
          id uuid PRIMARY KEY,
          borrower_id uuid NOT NULL REFERENCES borrowers (id),
          lender_id uuid NOT NULL,
          -- The lender's public partner id (never changes): a release is bound to it.
          partner_id text NOT NULL,
          categories text[] NOT NULL CHECK (cardinality(categories) > 0),
          authorization_agreement_id uuid NOT NULL REFERENCES agreements (id),
          agreements jsonb NOT NULL,
          channel_code text NOT NULL,
          device jsonb NOT NULL,
          given_at timestamptz NOT NULL,
          ended_at timestamptz,
          end_reason text CHECK (end_reason IN ('withdrawn', 'superseded', 'profile_deleted')),
          ended_channel_code text,
          CONSTRAINT borrower_consents_end CHECK ((ended_at IS NULL) = (end_reason IS NULL))
        )`.execute(db);
      await sql`
        CREATE UNIQUE INDEX borrower_consents_one_active ON borrower_consents (borrower_id, lender_id)
        WHERE ended_at IS NULL`.execute(db);
      await sql`CREATE INDEX borrower_consents_borrower ON borrower_consents (borrower_id, given_at)`.execute(
        db,
      );
      await sql`CREATE INDEX borrower_consents_lender ON borrower_consents (lender_id, given_at)`.execute(db);
      // A consent is evidence: it may end once, and nothing else about it may ever change.
      await sql`
        CREATE FUNCTION borrower_consents_end_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' OR OLD.ended_at IS NOT NULL OR NEW.ended_at IS NULL
             OR (to_jsonb(NEW) - 'ended_at' - 'end_reason' - 'ended_channel_code')
                IS DISTINCT FROM (to_jsonb(OLD) - 'ended_at' - 'end_reason' - 'ended_channel_code') THEN
            RAISE EXCEPTION 'a consent can only be ended, once';
          END IF;
          RETURN NEW;
        END $$`.execute(db);
      await sql`
        CREATE TRIGGER borrower_consents_no_change BEFORE UPDATE OR DELETE ON borrower_consents
        FOR EACH ROW EXECUTE FUNCTION borrower_consents_end_only()`.execute(db);

      // The data release log: one hash chain per borrower (docs/borrowers.md). The primary key
      // (borrower, seq) makes a fork impossible even if two appends raced past the head lock.
      await sql`
        CREATE TABLE borrower_data_releases (
          borrower_id uuid NOT NULL REFERENCES borrowers (id),
          seq integer NOT NULL CHECK (seq >= 1),
          id uuid NOT NULL UNIQUE,
          lender_id uuid NOT NULL,
          partner_id text NOT NULL,
          categories text[] NOT NULL CHECK (cardinality(categories) > 0),
          consent_id uuid NOT NULL REFERENCES borrower_consents (id),
          request_id text NOT NULL,
          released_at timestamptz NOT NULL,
          prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
          hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
          PRIMARY KEY (borrower_id, seq)
        )`.execute(db);
      await sql`
        CREATE INDEX borrower_data_releases_lender ON borrower_data_releases (lender_id, released_at)`.execute(
        db,
      );
      await sql`CREATE INDEX borrower_data_releases_time ON borrower_data_releases (released_at)`.execute(db);
      await sql`
        CREATE TRIGGER borrower_data_releases_no_change BEFORE UPDATE OR DELETE ON borrower_data_releases
        FOR EACH ROW EXECUTE FUNCTION borrowers_append_only()`.execute(db);
      await sql`
        CREATE TRIGGER borrower_data_releases_no_truncate BEFORE TRUNCATE ON borrower_data_releases
        FOR EACH STATEMENT EXECUTE FUNCTION borrowers_append_only()`.execute(db);
      // The head of each chain: locked (FOR UPDATE) by every append, so appends for one borrower
      // are serialised; compared with the last entry by verification, so a cut tail is seen.
      await sql`
        CREATE TABLE borrower_release_heads (
          borrower_id uuid PRIMARY KEY REFERENCES borrowers (id),
          seq integer NOT NULL CHECK (seq >= 0),
          hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
        )`.execute(db);
    },
  },
};
