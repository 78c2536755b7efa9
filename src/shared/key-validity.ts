/**
 * The validity window of a registered public key (partners' envelope keys, channels' sign-in
 * keys): when it starts, when it ends, whether it was revoked, and the rules of an overlapping
 * rotation. One set of rules for both registries, so that a key means the same everywhere.
 */
import type { FieldProblem } from './errors.ts';

/** How far in the past a new key may start: clocks differ a little, history must not change. */
export const MAX_BACKDATE_MS = 5 * 60_000;

export type KeyState = 'pending' | 'valid' | 'expired' | 'revoked';

/** The columns of a stored key that say when it verifies. */
export interface KeyValidityColumns {
  readonly not_before: Date;
  readonly not_after: Date | null;
  readonly revoked_at: Date | null;
  readonly revoked_reason: string | null;
}

export function keyStateAt(row: KeyValidityColumns, now: Date): KeyState {
  if (row.revoked_at !== null && row.revoked_at <= now) return 'revoked';
  if (row.not_before > now) return 'pending';
  if (row.not_after !== null && row.not_after <= now) return 'expired';
  return 'valid';
}

/** The validity fields of a key as the API answers them, with its state at `now`. */
export function keyValidityAt(
  row: KeyValidityColumns,
  now: Date,
): {
  readonly notBefore: string;
  readonly notAfter: string | null;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
  readonly state: KeyState;
} {
  return {
    notBefore: row.not_before.toISOString(),
    notAfter: row.not_after?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    revokedReason: row.revoked_reason,
    state: keyStateAt(row, now),
  };
}

/**
 * Why the replaced key `old` cannot be retired at `at`, or `undefined` when it can. Retiring only
 * shortens a key's validity, never lengthens or restarts it: a key already out of use stays out,
 * and `at` lies between now (and the key's start) and the key's own end.
 */
export function retirementProblem(old: KeyValidityColumns, at: Date, now: Date): FieldProblem | undefined {
  const state = keyStateAt(old, now);
  if (state === 'revoked' || state === 'expired')
    return { field: 'retire.kid', message: `is already ${state}` };
  if (at < now) return { field: 'retire.at', message: 'must not be in the past' };
  if (at <= old.not_before)
    return { field: 'retire.at', message: 'must be after the replaced key’s notBefore' };
  if (old.not_after !== null && at > old.not_after) {
    return {
      field: 'retire.at',
      message: `must not be after the key’s own notAfter (${old.not_after.toISOString()})`,
    };
  }
  return undefined;
}
