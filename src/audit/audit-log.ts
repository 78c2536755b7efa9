import { type Executor, ownTables, type SharedExecutor } from '../db/transaction.ts';
import type { AuditLogRow, AuditTables } from './tables.ts';

/** Who did something: an operator, a lender, a channel, a borrower, or the system itself. */
export interface Actor {
  readonly type: AuditLogRow['actor_type'];
  readonly id: string | null;
}

export const SYSTEM_ACTOR: Actor = Object.freeze({ type: 'system', id: null });

export interface AuditEntry {
  readonly actor: Actor;
  readonly action: string;
  readonly target?: { readonly type: string; readonly id: string };
  readonly requestId?: string;
  /** Facts about the action. Never personal data: the log is read by many staff. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditRecord {
  readonly id: number;
  readonly at: string;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly requestId: string | null;
  readonly details: Record<string, unknown>;
}

/** Appends one entry; pass the transaction of the change it describes so both commit together. */
export async function recordAudit(executor: SharedExecutor, entry: AuditEntry): Promise<void> {
  await ownTables<AuditTables>(executor)
    .insertInto('audit_log')
    .values({
      actor_type: entry.actor.type,
      actor_id: entry.actor.id,
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: entry.target?.id ?? null,
      request_id: entry.requestId ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export interface AuditQuery {
  readonly actorId?: string;
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  /** Return entries with an id below this one (keyset pagination, newest first). */
  readonly beforeId?: number;
  readonly limit: number;
}

export async function listAudit(executor: Executor<AuditTables>, query: AuditQuery): Promise<AuditRecord[]> {
  let select = executor.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(query.limit);
  if (query.actorId !== undefined) select = select.where('actor_id', '=', query.actorId);
  if (query.action !== undefined) select = select.where('action', '=', query.action);
  if (query.targetType !== undefined) select = select.where('target_type', '=', query.targetType);
  if (query.targetId !== undefined) select = select.where('target_id', '=', query.targetId);
  if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
  const rows = await select.execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at.toISOString(),
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    requestId: row.request_id,
    details: row.details,
  }));
}

/** The audit log as operators search it (the routes get this, never the database). */
export class AuditLog {
  readonly #db: Executor<AuditTables>;

  constructor(db: Executor<AuditTables>) {
    this.#db = db;
  }

  /** Entries matching the query, newest first (keyset pagination with `beforeId`). */
  list(query: AuditQuery): Promise<AuditRecord[]> {
    return listAudit(this.#db, query);
  }
}
