import type { ColumnType, Generated } from 'kysely';

export interface AuditLogRow {
  id: Generated<number>;
  at: Generated<Date>;
  actor_type: 'operator' | 'system' | 'borrower' | 'lender' | 'channel';
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  details: ColumnType<Record<string, unknown>, string, string>;
}

export interface AuditTables {
  audit_log: AuditLogRow;
}
