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
  /**
   * The lookup as one function: it reads the channel's live version and then that version's
   * entry. PL/pgSQL caches the plan of the entry query (a generic plan prunes partitions when it
   * runs), where the same lookup as one ad hoc SQL statement over the partitioned table was
   * re-planned on every call and ran at a third of the speed. STABLE: both reads see the snapshot
   * of the calling statement, so a concurrent activation is seen entirely or not at all.
   */
  '0051_whitelist_lookup_functions': {
    async up(db) {
      await sql`
        CREATE FUNCTION whitelist_entry(p_channel text, p_channel_user_id text, p_phone text)
        RETURNS TABLE (segment text, limit_fen bigint)
        LANGUAGE plpgsql STABLE AS $fn$
        DECLARE
          v_version integer;
          v_key_type text;
          v_salt text;
        BEGIN
          SELECT s.active_version_id, v.key_type, s.phone_salt INTO v_version, v_key_type, v_salt
          FROM whitelist_settings s JOIN whitelist_versions v ON v.id = s.active_version_id
          WHERE s.channel_code = p_channel;
          IF v_version IS NULL THEN
            RETURN;
          END IF;
          RETURN QUERY
            SELECT e.segment, e.limit_fen FROM whitelist_entries e
            WHERE e.version_id = v_version
              AND e.key = CASE WHEN v_key_type = 'phone_sha256'
                THEN encode(sha256(convert_to(v_salt || p_phone, 'UTF8')), 'hex')
                ELSE p_channel_user_id END;
        END
        $fn$`.execute(db);
      // Everything the entry decision needs, read the same way: the kill switches, the entry and
      // its segment's rollout, all under the calling statement's one snapshot.
      await sql`
        CREATE FUNCTION whitelist_entry_facts(p_channel text, p_channel_user_id text, p_phone text)
        RETURNS TABLE (global_kill boolean, channel_kill boolean, segment text, limit_fen bigint, percent integer)
        LANGUAGE plpgsql STABLE AS $fn$
        DECLARE
          v_global boolean;
          v_channel boolean;
          v_segment text;
          v_limit bigint;
          v_percent integer;
        BEGIN
          SELECT g.kill_switch INTO v_global FROM whitelist_global g;
          SELECT s.kill_switch INTO v_channel FROM whitelist_settings s WHERE s.channel_code = p_channel;
          SELECT e.segment, e.limit_fen INTO v_segment, v_limit
          FROM whitelist_entry(p_channel, p_channel_user_id, p_phone) e;
          IF v_segment IS NOT NULL THEN
            SELECT r.percent INTO v_percent FROM whitelist_rollouts r
            WHERE r.channel_code = p_channel AND r.segment = v_segment;
          END IF;
          RETURN QUERY SELECT coalesce(v_global, false), coalesce(v_channel, false), v_segment, v_limit, v_percent;
        END
        $fn$`.execute(db);
    },
  },
};

/**
 * Issue 10: the plain phone never leaves the process. The lookup functions of 0051 took the phone
 * and hashed it in the database, so every entry, offers and apply call sent it to PostgreSQL as a
 * bind parameter (and into its logs, statistics and any statement capture). They now take the
 * list key computed in Node — SHA-256 of the channel's salt ‖ phone — together with the salt it
 * was computed with: when that is no longer the channel's salt (changed since the process read
 * it), the answer says `phone_salt_stale` instead of a miss, and the caller reads the salt again.
 * Same plan caching and one-snapshot reads as 0051. Part of migration 0131 (db/migrations.ts).
 */
export const whitelistLookupOnHashes: Migration = {
  async up(db) {
    await sql`DROP FUNCTION whitelist_entry_facts(text, text, text)`.execute(db);
    await sql`DROP FUNCTION whitelist_entry(text, text, text)`.execute(db);
    await sql`
      CREATE FUNCTION whitelist_entry(
        p_channel text, p_channel_user_id text, p_phone_sha256 text, p_phone_salt text)
      RETURNS TABLE (segment text, limit_fen bigint, phone_salt_stale boolean)
      LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        v_version integer;
        v_key_type text;
        v_salt text;
      BEGIN
        SELECT s.active_version_id, v.key_type, s.phone_salt INTO v_version, v_key_type, v_salt
        FROM whitelist_settings s JOIN whitelist_versions v ON v.id = s.active_version_id
        WHERE s.channel_code = p_channel;
        IF v_version IS NULL THEN
          RETURN;
        END IF;
        IF v_key_type = 'phone_sha256' AND p_phone_sha256 IS NOT NULL AND p_phone_salt IS DISTINCT FROM v_salt THEN
          RETURN QUERY SELECT NULL::text, NULL::bigint, true;
          RETURN;
        END IF;
        RETURN QUERY
          SELECT e.segment, e.limit_fen, false FROM whitelist_entries e
          WHERE e.version_id = v_version
            AND e.key = CASE WHEN v_key_type = 'phone_sha256' THEN p_phone_sha256 ELSE p_channel_user_id END;
      END
      $fn$`.execute(db);
    await sql`
      CREATE FUNCTION whitelist_entry_facts(
        p_channel text, p_channel_user_id text, p_phone_sha256 text, p_phone_salt text)
      RETURNS TABLE (global_kill boolean, channel_kill boolean, segment text, limit_fen bigint,
        percent integer, phone_salt_stale boolean)
      LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        v_global boolean;
        v_channel boolean;
        v_segment text;
        v_limit bigint;
        v_percent integer;
        v_stale boolean;
      BEGIN
        SELECT g.kill_switch INTO v_global FROM whitelist_global g;
        SELECT s.kill_switch INTO v_channel FROM whitelist_settings s WHERE s.channel_code = p_channel;
        SELECT e.segment, e.limit_fen, e.phone_salt_stale INTO v_segment, v_limit, v_stale
        FROM whitelist_entry(p_channel, p_channel_user_id, p_phone_sha256, p_phone_salt) e;
        IF v_segment IS NOT NULL THEN
          SELECT r.percent INTO v_percent FROM whitelist_rollouts r
          WHERE r.channel_code = p_channel AND r.segment = v_segment;
        END IF;
        RETURN QUERY SELECT coalesce(v_global, false), coalesce(v_channel, false), v_segment, v_limit,
          v_percent, coalesce(v_stale, false);
      END
      $fn$`.execute(db);
  },
};
