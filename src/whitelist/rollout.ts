/**
 * Pure rules of who sees the entry: the stable rollout bucket, the salted phone hash, and the
 * decision that puts channel status, kill switches, the list and the rollout together.
 */
import { createHash } from 'node:crypto';

/**
 * A user's rollout bucket, 0–99: a hash of (channel, channel user id), so the same user gets the
 * same answer on every request and raising a percentage only ever adds users.
 */
export function rolloutBucket(channelCode: string, channelUserId: string): number {
  const digest = createHash('sha256').update(`${channelCode}\u0000${channelUserId}`).digest();
  return digest.readUInt32BE(0) % 100;
}

/** The key of a phone-keyed list: SHA-256 hex of the list's salt followed by the phone number. */
export function phoneSha256(salt: string, phone: string): string {
  return createHash('sha256')
    .update(salt + phone)
    .digest('hex');
}

export type EntryRefusal = 'not_whitelisted' | 'rollout' | 'kill_switch' | 'channel_disabled';

export interface EntryDecision {
  readonly visible: boolean;
  readonly reason?: EntryRefusal;
  readonly segment?: string;
  readonly preApprovedLimitFen?: number;
}

export interface EntryFacts {
  readonly channelActive: boolean;
  readonly globalKillSwitch: boolean;
  readonly channelKillSwitch: boolean;
  /** The user's entry in the channel's active list, or null. */
  readonly entry: { readonly segment: string; readonly limitFen: number | null } | null;
  /** The entry's segment's rollout percentage (100 when none is set). */
  readonly rolloutPercent: number;
  readonly bucket: number;
}

/**
 * Whether the entry shows, checked from the widest switch to the narrowest: a disabled channel,
 * then the kill switches, then the list, then the rollout. Only a visible answer names the
 * segment and limit: a hidden entry tells the user nothing about lists.
 */
export function decideEntry(facts: EntryFacts): EntryDecision {
  if (!facts.channelActive) return { visible: false, reason: 'channel_disabled' };
  if (facts.globalKillSwitch || facts.channelKillSwitch) return { visible: false, reason: 'kill_switch' };
  if (facts.entry === null) return { visible: false, reason: 'not_whitelisted' };
  if (facts.bucket >= facts.rolloutPercent) return { visible: false, reason: 'rollout' };
  return {
    visible: true,
    segment: facts.entry.segment,
    ...(facts.entry.limitFen !== null ? { preApprovedLimitFen: facts.entry.limitFen } : {}),
  };
}
