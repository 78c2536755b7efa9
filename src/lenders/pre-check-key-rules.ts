/**
 * Pure rules of partner pre-check keys (no I/O, no clock): a key's state at a time, and when a
 * rotation may retire the replaced keys.
 */

/** Bytes of a pre-check key: an HMAC-SHA256 key as long as the hash. */
export const PRE_CHECK_KEY_BYTES = 32;

/** When a rotation names no retirement time, the replaced key stays valid this long. */
export const DEFAULT_RETIREMENT_MS = 7 * 86_400_000;

/** The longest overlap a rotation may give: a replaced key must not live on indefinitely. */
export const MAX_RETIREMENT_MS = 30 * 86_400_000;

/** How far in the past a stated retirement time may lie (clocks differ a little); it counts as now. */
export const RETIREMENT_SKEW_MS = 60_000;

/**
 * - `current`: hashes of new pre-checks are computed under it (one per partner at most);
 * - `retiring`: replaced by a rotation, still valid until its retirement time (the overlap);
 * - `retired`: unusable, its secret wiped.
 */
export type PreCheckKeyState = 'current' | 'retiring' | 'retired';

export function preCheckKeyState(retiresAt: Date | null, now: Date): PreCheckKeyState {
  if (retiresAt === null) return 'current';
  return retiresAt > now ? 'retiring' : 'retired';
}

export type RetirementVerdict =
  | { readonly ok: true; readonly at: Date }
  | { readonly ok: false; readonly problem: string };

/**
 * When the keys a rotation replaces retire: the stated time (a moment ago counts as now, for a
 * key to retire at once), or by default a week from now; never in the past, never more than 30
 * days ahead.
 */
export function retirementTime(stated: Date | undefined, now: Date): RetirementVerdict {
  if (stated === undefined) return { ok: true, at: new Date(now.getTime() + DEFAULT_RETIREMENT_MS) };
  const at = stated.getTime();
  if (Number.isNaN(at)) return { ok: false, problem: 'must be a valid time' };
  if (at < now.getTime() - RETIREMENT_SKEW_MS) return { ok: false, problem: 'must not be in the past' };
  if (at > now.getTime() + MAX_RETIREMENT_MS)
    return { ok: false, problem: 'must be at most 30 days from now' };
  return { ok: true, at: new Date(Math.max(at, now.getTime())) };
}
