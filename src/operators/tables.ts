import type { Generated } from 'kysely';

export interface OperatorRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  roles: string[];
  status: 'active' | 'disabled';
  failed_attempts: Generated<number>;
  locked_until: Date | null;
  /** Start of the window in which `failed_attempts` are counted (operators/lockout.ts). */
  failure_window_started_at: Generated<Date | null>;
  created_at: Generated<Date>;
  password_changed_at: Generated<Date>;
}

export interface OperatorSessionRow {
  token_hash: string;
  operator_id: string;
  created_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface OperatorTables {
  operators: OperatorRow;
  operator_sessions: OperatorSessionRow;
}
