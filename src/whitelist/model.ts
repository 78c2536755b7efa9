import type { WhitelistKeyType, WhitelistVersionState } from './tables.ts';

export type { WhitelistKeyType, WhitelistVersionState };

export interface ImportError {
  readonly line: number;
  readonly message: string;
}

/** How far an import has got; persisted on the version after every batch. */
export interface ImportProgress {
  readonly rowsRead: number;
  readonly rowsAccepted: number;
  readonly rowsRejected: number;
  /** Lines whose key was listed before in the same file (the first line wins). */
  readonly rowsDuplicate: number;
  /** The first MAX_REPORTED_ERRORS bad lines. */
  readonly errors: ImportError[];
}

export const MAX_REPORTED_ERRORS = 100;

export interface WhitelistVersion extends ImportProgress {
  readonly channelCode: string;
  readonly version: number;
  readonly keyType: WhitelistKeyType;
  readonly state: WhitelistVersionState;
  /** Whether lookups read this version now. */
  readonly active: boolean;
  readonly source: 'api' | 'cli' | 'seed';
  readonly createdBy: string | null;
  readonly segments: { segment: string; entries: number }[];
  readonly failure: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly activatedAt: string | null;
  readonly droppedAt: string | null;
}

export interface ImportResult {
  readonly version: WhitelistVersion;
  /** True when the import was asked to activate the list and did. */
  readonly activated: boolean;
  /** Why an asked-for activation did not happen (bad lines, or nothing accepted). */
  readonly activationSkipped?: string;
}

export interface KillSwitch {
  readonly engaged: boolean;
  readonly reason: string | null;
  readonly updatedAt: string | null;
}

export interface Rollout {
  readonly segment: string;
  readonly percent: number;
}

export interface WhitelistOverview {
  readonly channelCode: string;
  readonly activeVersion: number | null;
  readonly killSwitch: KillSwitch;
  readonly globalKillSwitch: KillSwitch;
  readonly rollouts: Rollout[];
  /** Salt of phone-keyed lists (entries are SHA-256 hex of salt + 11-digit phone). */
  readonly phoneSalt: string;
}

/** A whitelisted user's entry in the active list. */
export interface WhitelistMatch {
  readonly segment: string;
  readonly limitFen: number | null;
}
