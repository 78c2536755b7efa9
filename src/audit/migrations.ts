import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const auditMigrations: Record<string, Migration> = {
  '0002_audit_log': {
    async up(db) {
      await sql`
        CREATE TABLE audit_log (
          id bigserial PRIMARY KEY,
          at timestamptz NOT NULL DEFAULT now(),
          actor_type text NOT NULL,
          actor_id text,
          action text NOT NULL,
          target_type text,
          target_id text,
          request_id text,
          details jsonb NOT NULL DEFAULT '{}'::jsonb
        )`.execute(db);
      await sql`CREATE INDEX audit_log_actor ON audit_log (actor_type, actor_id, at)`.execute(db);
      await sql`CREATE INDEX audit_log_target ON audit_log (target_type, target_id, at)`.execute(db);
      // The audit log is append-only: the database itself refuses updates and deletes.
      await sql`
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_log is append-only';
        END $$`.execute(db);
      await sql`
        CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
    },
  },
};
