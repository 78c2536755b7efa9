import type { ColumnType, Generated } from 'kysely';

/** Per channel: which version is live (the one pointer lookups follow), switches and settings. */
export interface WhitelistSettingsRow {
  channel_code: string;
  active_version_id: number | null;
  /** The last version number handed out for this channel. */
  last_version: number;
  /** Salt of phone-keyed lists: entries are SHA-256 hex of salt + phone. */
  phone_salt: string;
  kill_switch: boolean;
  kill_reason: string | null;
  updated_at: Date;
}

/** The platform-wide kill switch: one row. */
export interface WhitelistGlobalRow {
  id: boolean;
  kill_switch: boolean;
  kill_reason: string | null;
  updated_at: Date | null;
}

export type WhitelistKeyType = 'channel_user_id' | 'phone_sha256';
export type WhitelistVersionState = 'importing' | 'ready' | 'failed' | 'dropped';

export interface ImportErrorJson {
  line: number;
  message: string;
}

export interface SegmentCountJson {
  segment: string;
  entries: number;
}

/** One imported list. Its entries live in their own partition of whitelist_entries. */
export interface WhitelistVersionRow {
  id: Generated<number>;
  channel_code: string;
  version: number;
  key_type: WhitelistKeyType;
  state: WhitelistVersionState;
  source: 'api' | 'cli' | 'seed';
  created_by: string | null;
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rows_duplicate: number;
  /** The first bad lines (at most 100), with their line numbers. */
  errors: ColumnType<ImportErrorJson[], string, string>;
  segments: ColumnType<SegmentCountJson[], string, string>;
  failure: string | null;
  created_at: Date;
  finished_at: Date | null;
  activated_at: Date | null;
  dropped_at: Date | null;
}

/** A whitelisted key (channel user id or salted phone hash) of one version. */
export interface WhitelistEntryRow {
  version_id: number;
  key: string;
  segment: string;
  limit_fen: number | null;
}

/** Share (0–100) of a segment's users who see the entry; a segment without a row is fully open. */
export interface WhitelistRolloutRow {
  channel_code: string;
  segment: string;
  percent: number;
  updated_at: Date;
}

export interface WhitelistTables {
  whitelist_settings: WhitelistSettingsRow;
  whitelist_global: WhitelistGlobalRow;
  whitelist_versions: WhitelistVersionRow;
  whitelist_entries: WhitelistEntryRow;
  whitelist_rollouts: WhitelistRolloutRow;
}
