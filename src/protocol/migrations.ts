import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const protocolMigrations: Record<string, Migration> = {
  '0020_protocol': {
    async up(db) {
      await sql`
        CREATE TABLE protocol_nonces (
          partner_id text NOT NULL,
          nonce text NOT NULL,
          expires_at timestamptz NOT NULL,
          PRIMARY KEY (partner_id, nonce)
        )`.execute(db);
      await sql`CREATE INDEX protocol_nonces_expiry ON protocol_nonces (expires_at)`.execute(db);

      await sql`
        CREATE TABLE platform_keys (
          kid text PRIMARY KEY,
          alg text NOT NULL,
          use text NOT NULL CHECK (use IN ('signing', 'encryption')),
          public_key_pem text NOT NULL,
          private_key_sealed text NOT NULL,
          not_before timestamptz NOT NULL,
          not_after timestamptz,
          created_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);

      await sql`
        CREATE TABLE outbox_messages (
          id uuid PRIMARY KEY,
          partner_id text NOT NULL,
          call text NOT NULL,
          request_id text NOT NULL UNIQUE,
          method text NOT NULL DEFAULT 'POST',
          path text NOT NULL,
          body jsonb NOT NULL,
          status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
          attempts integer NOT NULL DEFAULT 0,
          next_attempt_at timestamptz NOT NULL,
          give_up_at timestamptz NOT NULL,
          lease_owner text,
          lease_until timestamptz,
          last_error text,
          response_status integer,
          response_body jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          delivered_at timestamptz
        )`.execute(db);
      await sql`CREATE INDEX outbox_due ON outbox_messages (next_attempt_at) WHERE status = 'pending'`.execute(
        db,
      );
      await sql`CREATE INDEX outbox_dead ON outbox_messages (partner_id, created_at) WHERE status = 'dead'`.execute(
        db,
      );

      await sql`
        CREATE TABLE inbound_messages (
          id bigserial PRIMARY KEY,
          partner_id text NOT NULL,
          request_id text NOT NULL,
          kind text NOT NULL,
          business_id text NOT NULL,
          body_sha256 text NOT NULL,
          body jsonb NOT NULL,
          status text NOT NULL CHECK (status IN ('applied', 'deferred', 'refused')),
          response_status integer NOT NULL,
          response_body jsonb NOT NULL,
          received_at timestamptz NOT NULL DEFAULT now(),
          applied_at timestamptz,
          UNIQUE (partner_id, request_id),
          UNIQUE (partner_id, kind, business_id)
        )`.execute(db);
      await sql`CREATE INDEX inbound_deferred ON inbound_messages (partner_id, kind) WHERE status = 'deferred'`.execute(
        db,
      );

      await sql`
        CREATE TABLE protocol_rejections (
          id bigserial PRIMARY KEY,
          at timestamptz NOT NULL DEFAULT now(),
          partner_id text,
          request_id text,
          path text NOT NULL,
          code text NOT NULL,
          message text NOT NULL
        )`.execute(db);
    },
  },
  '0110_inbound_refusals_and_waits': {
    async up(db) {
      // A refused callback must not hold its business id: the lender's corrected callback (a new
      // request id, the same application) has to get through. Refusals keep only the request id.
      await sql`
        ALTER TABLE inbound_messages
          DROP CONSTRAINT inbound_messages_partner_id_kind_business_id_key`.execute(db);
      await sql`
        CREATE UNIQUE INDEX inbound_business_once ON inbound_messages (partner_id, kind, business_id)
          WHERE status <> 'refused'`.execute(db);
      // What a held-back callback waits for, so that an arrival retries only its own dependants.
      await sql`ALTER TABLE inbound_messages ADD COLUMN waiting_for text`.execute(db);
      await sql`
        UPDATE inbound_messages SET waiting_for = response_body->>'waitingFor'
          WHERE status = 'deferred'`.execute(db);
      await sql`DROP INDEX inbound_deferred`.execute(db);
      await sql`
        CREATE INDEX inbound_waiting ON inbound_messages (partner_id, waiting_for, id)
          WHERE status = 'deferred'`.execute(db);
    },
  },
  '0130_protocol_rejection_counts': {
    async up(db) {
      // Refusals at the edge are counted, not kept one row each: per minute, source address,
      // claimed partner and code, one row with its count and the first and last time it was seen,
      // so that an anonymous flood of bad callbacks cannot grow the table (protocol/operations.ts).
      await sql`
        ALTER TABLE protocol_rejections
          ADD COLUMN source_ip text,
          ADD COLUMN minute timestamptz,
          ADD COLUMN last_at timestamptz,
          ADD COLUMN count integer NOT NULL DEFAULT 1 CHECK (count >= 1)`.execute(db);
      await sql`UPDATE protocol_rejections SET minute = date_trunc('minute', at), last_at = at`.execute(db);
      // Rows kept before (no source address) fold into the first of their minute, partner and code.
      await sql`
        WITH groups AS (
          SELECT min(id) AS keep, count(*) AS n, max(at) AS last
            FROM protocol_rejections
            GROUP BY minute, partner_id, code
            HAVING count(*) > 1)
        UPDATE protocol_rejections r SET count = g.n, last_at = g.last
          FROM groups g WHERE r.id = g.keep`.execute(db);
      await sql`
        DELETE FROM protocol_rejections r USING protocol_rejections k
          WHERE k.minute = r.minute AND k.partner_id IS NOT DISTINCT FROM r.partner_id
            AND k.code = r.code AND k.id < r.id`.execute(db);
      await sql`
        ALTER TABLE protocol_rejections
          ALTER COLUMN minute SET NOT NULL,
          ALTER COLUMN last_at SET NOT NULL`.execute(db);
      await sql`
        CREATE UNIQUE INDEX protocol_rejections_per_minute
          ON protocol_rejections (minute, source_ip, partner_id, code) NULLS NOT DISTINCT`.execute(db);
    },
  },
};
