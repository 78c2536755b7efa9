import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/** The hash of "no entry yet": the chain starts from it. */
export const GENESIS_HASH = '0'.repeat(64);

export const ledgerMigrations: Record<string, Migration> = {
  '0080_ledger': {
    async up(db) {
      await sql`
        CREATE TABLE ledger_entries (
          seq bigint PRIMARY KEY CHECK (seq > 0),
          kind text NOT NULL,
          cause_type text NOT NULL,
          cause_id text NOT NULL,
          request_id text,
          occurred_at timestamptz NOT NULL,
          recorded_at timestamptz NOT NULL,
          reverses_seq bigint UNIQUE REFERENCES ledger_entries (seq),
          memo text NOT NULL DEFAULT '',
          prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
          hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
          UNIQUE (cause_type, cause_id)
        )`.execute(db);
      await sql`
        CREATE TABLE ledger_postings (
          entry_seq bigint NOT NULL REFERENCES ledger_entries (seq),
          account text NOT NULL CHECK (account ~ '^[a-z_]+(:[A-Za-z0-9._-]+)+$'),
          amount_fen bigint NOT NULL CHECK (amount_fen <> 0),
          PRIMARY KEY (entry_seq, account)
        )`.execute(db);
      await sql`CREATE INDEX ledger_postings_account ON ledger_postings (account)`.execute(db);
      await sql`
        CREATE TABLE ledger_chain_head (
          id smallint PRIMARY KEY CHECK (id = 1),
          seq bigint NOT NULL,
          hash text NOT NULL
        )`.execute(db);
      await sql`INSERT INTO ledger_chain_head (id, seq, hash) VALUES (1, 0, ${GENESIS_HASH})`.execute(db);

      // A new entry must extend the chain head exactly; the trigger then advances the head. The
      // UPDATE takes the head's row lock, so two transactions can never append to the same head.
      await sql`
        CREATE FUNCTION ledger_extend_chain() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          head record;
        BEGIN
          SELECT seq, hash INTO head FROM ledger_chain_head WHERE id = 1 FOR UPDATE;
          IF NEW.seq <> head.seq + 1 OR NEW.prev_hash <> head.hash THEN
            RAISE EXCEPTION 'ledger entry % does not extend the chain head %', NEW.seq, head.seq;
          END IF;
          UPDATE ledger_chain_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
          RETURN NEW;
        END $$`.execute(db);
      await sql`
        CREATE TRIGGER ledger_entries_chain BEFORE INSERT ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_extend_chain()`.execute(db);

      // Every entry's postings sum to zero, checked at commit (deferred), so that an entry and its
      // postings can be inserted one after the other in one transaction.
      await sql`
        CREATE FUNCTION ledger_check_balanced(entry bigint) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
          total numeric;
          legs integer;
        BEGIN
          SELECT coalesce(sum(amount_fen), 0), count(*) INTO total, legs
            FROM ledger_postings WHERE entry_seq = entry;
          IF legs < 2 OR total <> 0 THEN
            RAISE EXCEPTION 'ledger entry % is unbalanced: % postings summing to %', entry, legs, total;
          END IF;
        END $$`.execute(db);
      await sql`
        CREATE FUNCTION ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM ledger_check_balanced(NEW.seq);
          RETURN NULL;
        END $$`.execute(db);
      await sql`
        CREATE FUNCTION ledger_posting_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM ledger_check_balanced(NEW.entry_seq);
          RETURN NULL;
        END $$`.execute(db);
      await sql`
        CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced()`.execute(db);
      await sql`
        CREATE CONSTRAINT TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_posting_balanced()`.execute(db);

      // Append-only: corrections are reversing entries, never changes (as the audit log).
      await sql`
        CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'the ledger is append-only (% on %)', TG_OP, TG_TABLE_NAME;
        END $$`.execute(db);
      for (const table of ['ledger_entries', 'ledger_postings']) {
        await sql`
          CREATE TRIGGER ${sql.raw(`${table}_no_change`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
          FOR EACH ROW EXECUTE FUNCTION ledger_append_only()`.execute(db);
        await sql`
          CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
          FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()`.execute(db);
      }
    },
  },
};
