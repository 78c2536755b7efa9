/**
 * Row counts of every table of the public schema in one query, to prove that a refused request
 * wrote (or deleted) nothing. The audit log's highest id comes along, so that the audit rows a
 * refusal is allowed to write can be read and checked by action.
 */
import { type Kysely, sql } from 'kysely';
import { publicTables } from '../../src/testing/pii-scan.ts';

export type Counts = ReadonlyMap<string, number>;

export const AUDIT_MAX_ID = 'audit_log.max(id)';

export interface RowCounter {
  readonly tables: readonly string[];
  snapshot(): Promise<Counts>;
  /**
   * The next transaction id the server will assign. It only moves when some transaction writes
   * (any table, any database of the server): while it stands still, no row changed anywhere and a
   * new count is not needed. Cheap, read-only.
   */
  writeMark(): Promise<string>;
}

export async function rowCounter<DB>(db: Kysely<DB>): Promise<RowCounter> {
  const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const build = (tables: readonly string[]) => {
    const parts = tables.map((table) => `SELECT '${table}' AS t, count(*)::int AS n FROM ${quoted(table)}`);
    if (tables.includes('audit_log')) {
      parts.push(`SELECT '${AUDIT_MAX_ID}' AS t, coalesce(max(id), 0)::int AS n FROM audit_log`);
    }
    return sql.raw<{ t: string; n: number }>(parts.join(' UNION ALL '));
  };
  let tables = await publicTables(db);
  let query = build(tables);
  const mark = sql<{ x: string }>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`;
  return {
    get tables() {
      return tables;
    },
    async writeMark() {
      const { rows } = await mark.execute(db);
      return rows[0]!.x;
    },
    async snapshot() {
      let result: { rows: { t: string; n: number }[] };
      try {
        result = await query.execute(db);
      } catch {
        // A table came or went (a test created one): count what there is now.
        tables = await publicTables(db);
        query = build(tables);
        result = await query.execute(db);
      }
      return new Map(result.rows.map((row) => [row.t, Number(row.n)]));
    },
  };
}

/** Tables whose count differs between two snapshots, with before → after. */
export function changedTables(
  before: Counts,
  after: Counts,
): { table: string; before: number; after: number }[] {
  const out: { table: string; before: number; after: number }[] = [];
  for (const [table, n] of after) {
    if (table === AUDIT_MAX_ID) continue;
    const was = before.get(table) ?? 0;
    if (was !== n) out.push({ table, before: was, after: n });
  }
  for (const [table, was] of before) {
    if (table !== AUDIT_MAX_ID && !after.has(table)) out.push({ table, before: was, after: 0 });
  }
  return out;
}
