import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The partner registry. The CHECK constraints repeat the service's rules (licensed kinds carry a
 * license, the APR range lies within [3.6%, 24%], the status life cycle's values) so that no code
 * path, present or future, can store a row the product rules forbid.
 */
export const lenderMigrations: Record<string, Migration> = {
  '0010_lenders': {
    async up(db) {
      await sql`
        CREATE TABLE lenders (
          id uuid PRIMARY KEY,
          code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
          kind text NOT NULL CHECK (kind IN ('bank', 'consumer_finance', 'micro_loan', 'facilitator')),
          legal_name text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 200),
          license_type text,
          license_number text,
          contact_name text NOT NULL,
          contact_email text NOT NULL,
          contact_phone text NOT NULL,
          security_cert_level text,
          security_cert_number text,
          security_cert_expires_on date,
          contract_reference text,
          status text NOT NULL CHECK (status IN
            ('applied', 'under_review', 'sandbox', 'active', 'suspended', 'terminated')),
          daily_application_quota integer NOT NULL CHECK (daily_application_quota >= 0),
          ip_allow_list text[] NOT NULL DEFAULT '{}',
          callback_base_url text NOT NULL CHECK (callback_base_url ~ '^https?://'),
          timeout_pre_check_ms integer NOT NULL CHECK (timeout_pre_check_ms > 0),
          timeout_apply_ms integer NOT NULL CHECK (timeout_apply_ms > 0),
          timeout_drawdown_ms integer NOT NULL CHECK (timeout_drawdown_ms > 0),
          timeout_repay_ms integer NOT NULL CHECK (timeout_repay_ms > 0),
          timeout_status_query_ms integer NOT NULL CHECK (timeout_status_query_ms > 0),
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          CONSTRAINT lenders_licensed_kinds_have_license CHECK (kind = 'facilitator'
            OR (license_type IS NOT NULL AND license_number IS NOT NULL)),
          CONSTRAINT lenders_certification_complete CHECK (
            (security_cert_level IS NULL AND security_cert_number IS NULL AND security_cert_expires_on IS NULL)
            OR (security_cert_level IS NOT NULL AND security_cert_number IS NOT NULL
                AND security_cert_expires_on IS NOT NULL))
        )`.execute(db);
      await sql`CREATE INDEX lenders_listing ON lenders (created_at DESC, id DESC)`.execute(db);
      await sql`CREATE INDEX lenders_status ON lenders (status)`.execute(db);

      await sql`
        CREATE TABLE lender_funders (
          id uuid PRIMARY KEY,
          lender_id uuid NOT NULL REFERENCES lenders (id),
          funder_lender_id uuid REFERENCES lenders (id),
          kind text NOT NULL CHECK (kind IN ('bank', 'consumer_finance', 'micro_loan')),
          legal_name text NOT NULL,
          license_number text NOT NULL,
          -- The order the partner named its funders in (the first is its main funder).
          position integer NOT NULL,
          created_at timestamptz NOT NULL,
          UNIQUE (lender_id, license_number),
          CHECK (funder_lender_id IS NULL OR funder_lender_id <> lender_id)
        )`.execute(db);

      await sql`
        CREATE TABLE lender_status_history (
          id bigserial PRIMARY KEY,
          lender_id uuid NOT NULL REFERENCES lenders (id),
          from_status text,
          to_status text NOT NULL,
          reason text NOT NULL,
          actor_type text NOT NULL,
          actor_id text,
          request_id text,
          at timestamptz NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX lender_status_history_lender ON lender_status_history (lender_id, id)`.execute(
        db,
      );

      await sql`
        CREATE TABLE conformance_runs (
          id bigserial PRIMARY KEY,
          lender_id uuid NOT NULL REFERENCES lenders (id),
          started_at timestamptz NOT NULL,
          finished_at timestamptz NOT NULL CHECK (finished_at >= started_at),
          passed boolean NOT NULL,
          report jsonb NOT NULL,
          recorded_at timestamptz NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX conformance_runs_lender ON conformance_runs (lender_id, finished_at DESC, id DESC)`.execute(
        db,
      );
    },
  },
  '0011_lender_products_keys': {
    async up(db) {
      await sql`
        CREATE TABLE lender_products (
          id uuid PRIMARY KEY,
          lender_id uuid NOT NULL REFERENCES lenders (id),
          code text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
          name text NOT NULL,
          funder_id uuid REFERENCES lender_funders (id),
          apr_min numeric(8, 6) NOT NULL,
          apr_max numeric(8, 6) NOT NULL,
          amount_min_fen bigint NOT NULL,
          amount_max_fen bigint NOT NULL,
          terms_months integer[] NOT NULL CHECK (cardinality(terms_months) > 0),
          repayment_methods text[] NOT NULL CHECK (cardinality(repayment_methods) > 0 AND repayment_methods
            <@ ARRAY['equal_installment', 'equal_principal', 'interest_first', 'bullet']::text[]),
          day_count text NOT NULL CHECK (day_count IN ('ACT/360', 'ACT/365')),
          data_categories text[] NOT NULL,
          status text NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'withdrawn')),
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          UNIQUE (lender_id, code),
          -- The all-in price rule (COMPLIANCE.md), kept by the database as the last line of defence.
          CONSTRAINT lender_products_apr_within_cap
            CHECK (apr_min >= 0.036 AND apr_max <= 0.24 AND apr_min <= apr_max),
          CONSTRAINT lender_products_amounts CHECK (amount_min_fen > 0 AND amount_min_fen <= amount_max_fen)
        )`.execute(db);
      await sql`CREATE INDEX lender_products_listing ON lender_products (lender_id, created_at DESC, id DESC)`.execute(
        db,
      );

      await sql`
        CREATE TABLE lender_keys (
          id uuid PRIMARY KEY,
          lender_id uuid NOT NULL REFERENCES lenders (id),
          kid text NOT NULL CHECK (kid ~ '^[A-Za-z0-9._:-]{1,128}$'),
          algorithm text NOT NULL,
          use text NOT NULL,
          public_key_pem text NOT NULL,
          fingerprint text NOT NULL,
          not_before timestamptz NOT NULL,
          not_after timestamptz,
          revoked_at timestamptz,
          revoked_reason text,
          created_at timestamptz NOT NULL,
          UNIQUE (lender_id, kid),
          UNIQUE (lender_id, fingerprint),
          -- The envelope's pairs (sandbox/sdk/keys.ts): Ed25519 only signs; encryption is RSA-OAEP.
          CONSTRAINT lender_keys_algorithm_fits_use CHECK (
            (use = 'signing' AND algorithm IN ('RSA-SHA256', 'Ed25519'))
            OR (use = 'encryption' AND algorithm = 'RSA-OAEP-256')),
          CONSTRAINT lender_keys_validity CHECK (not_after IS NULL OR not_after > not_before)
        )`.execute(db);
    },
  },
  '0124_lender_keys_sm': {
    // #10 国密: partners may publish SM2 keys, SM2-SM3 to sign and SM2 to receive PII (SM4-GCM).
    async up(db) {
      await sql`ALTER TABLE lender_keys DROP CONSTRAINT lender_keys_algorithm_fits_use`.execute(db);
      await sql`
        ALTER TABLE lender_keys ADD CONSTRAINT lender_keys_algorithm_fits_use CHECK (
          (use = 'signing' AND algorithm IN ('RSA-SHA256', 'Ed25519', 'SM2-SM3'))
          OR (use = 'encryption' AND algorithm IN ('RSA-OAEP-256', 'SM2')))`.execute(db);
    },
  },
  '0132_conformance_runs_operator': {
    // #10: an operator runs the kit from the API (a run is `running`, with progress, until it
    // ends), and each run records what it ran against — the partner's base URL and a digest of its
    // key set — so that the admission gate takes only a pass for the partner as it now stands.
    async up(db) {
      await sql`
        ALTER TABLE conformance_runs
          ADD COLUMN status text,
          ADD COLUMN failure_reason text CHECK (failure_reason IS NULL OR length(failure_reason) <= 500),
          ADD COLUMN checks_done integer CHECK (checks_done >= 0),
          ADD COLUMN checks_total integer CHECK (checks_total >= 0),
          ADD COLUMN lender_url text,
          ADD COLUMN key_set_digest text,
          ADD COLUMN callback_url text,
          ADD COLUMN requested_by text,
          ADD COLUMN heartbeat_at timestamptz`.execute(db);
      // Runs recorded before: finished, with no record of what they ran against (they count for
      // nothing at the gate, which needs a pass for the current base URL and keys).
      await sql`UPDATE conformance_runs SET status = CASE WHEN passed THEN 'passed' ELSE 'failed' END`.execute(
        db,
      );
      await sql`
        ALTER TABLE conformance_runs
          ALTER COLUMN status SET NOT NULL,
          ALTER COLUMN finished_at DROP NOT NULL,
          ALTER COLUMN passed DROP NOT NULL,
          ADD CONSTRAINT conformance_runs_status CHECK (status IN ('running', 'passed', 'failed')),
          ADD CONSTRAINT conformance_runs_outcome CHECK (
            (status = 'running' AND finished_at IS NULL AND passed IS NULL)
            OR (status = 'passed' AND finished_at IS NOT NULL AND passed)
            OR (status = 'failed' AND finished_at IS NOT NULL AND NOT passed))`.execute(db);
      // One run at a time per partner, whichever process runs it.
      await sql`
        CREATE UNIQUE INDEX conformance_runs_one_running ON conformance_runs (lender_id)
        WHERE status = 'running'`.execute(db);
    },
  },
};

/**
 * Issue 10, private pre-checks: each partner's pre-check keys (HMAC-SHA256 keys of the phone and
 * id number hashes in its pre-checks). At most one current key per partner (retires_at null); a
 * rotation gives the replaced keys a retirement time. Part of migration 0131 (db/migrations.ts),
 * with the whitelist's lookup on hashes.
 */
export const lenderPreCheckKeys: Migration = {
  async up(db) {
    await sql`
      CREATE TABLE lender_pre_check_keys (
        key_id text PRIMARY KEY CHECK (key_id ~ '^[A-Za-z0-9._-]{1,64}$'),
        lender_id uuid NOT NULL REFERENCES lenders (id),
        secret_sealed text,
        created_at timestamptz NOT NULL,
        retires_at timestamptz,
        CONSTRAINT lender_pre_check_keys_retire_after_creation
          CHECK (retires_at IS NULL OR retires_at >= created_at),
        -- The current key always has its secret: only a retired key is wiped.
        CONSTRAINT lender_pre_check_keys_current_has_secret
          CHECK (retires_at IS NOT NULL OR secret_sealed IS NOT NULL)
      )`.execute(db);
    await sql`
      CREATE UNIQUE INDEX lender_pre_check_keys_one_current ON lender_pre_check_keys (lender_id)
      WHERE retires_at IS NULL`.execute(db);
    await sql`
      CREATE INDEX lender_pre_check_keys_listing ON lender_pre_check_keys (lender_id, created_at DESC, key_id DESC)`.execute(
      db,
    );
  },
};
