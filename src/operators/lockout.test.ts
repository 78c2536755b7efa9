import { describe, expect, it } from 'vitest';
import { afterFailure, isLocked, LOCKOUT_MINUTES, LOCKOUT_THRESHOLD, type LockState } from './lockout.ts';

describe('lock-out policy', () => {
  const now = new Date('2026-11-29T10:00:00Z');

  it('locks on the threshold failure and unlocks after the lock period', () => {
    let state: LockState = { failedAttempts: 0, lockedUntil: null };
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) {
      state = afterFailure(state, now);
      expect(isLocked(state, now)).toBe(false);
    }
    state = afterFailure(state, now);
    expect(isLocked(state, now)).toBe(true);
    expect(state.failedAttempts).toBe(0);
    const justAfter = new Date(now.getTime() + LOCKOUT_MINUTES * 60_000 + 1);
    expect(isLocked(state, justAfter)).toBe(false);
  });
});
