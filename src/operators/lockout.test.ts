import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  FAILURE_WINDOW_MINUTES,
  isLocked,
  LOCKOUT_MINUTES,
  LOCKOUT_THRESHOLD,
  type LockState,
  UNLOCKED,
} from './lockout.ts';

const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);

describe('lock-out policy', () => {
  const now = new Date('2026-11-29T10:00:00Z');

  it('locks on the threshold failure and unlocks after the lock period', () => {
    let state: LockState = UNLOCKED;
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) {
      state = afterFailure(state, now);
      expect(isLocked(state, now)).toBe(false);
      expect(state.failedAttempts).toBe(i);
    }
    state = afterFailure(state, now);
    expect(isLocked(state, now)).toBe(true);
    expect(state.failedAttempts).toBe(0);
    const justAfter = new Date(now.getTime() + LOCKOUT_MINUTES * 60_000 + 1);
    expect(isLocked(state, justAfter)).toBe(false);
  });

  it('forgets failures older than the failure window: a new window starts', () => {
    let state: LockState = UNLOCKED;
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) state = afterFailure(state, now);
    const later = minutes(now, FAILURE_WINDOW_MINUTES);
    state = afterFailure(state, later);
    expect(isLocked(state, later)).toBe(false);
    expect(state).toEqual({ failedAttempts: 1, lockedUntil: null, failureWindowStartedAt: later });
  });

  it('does not count failures while locked, so they cannot extend the lock', () => {
    let state: LockState = UNLOCKED;
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) state = afterFailure(state, now);
    const locked = state;
    state = afterFailure(state, minutes(now, 1));
    expect(state).toBe(locked);
  });
});
