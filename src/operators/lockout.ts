/**
 * Lock-out policy (pure): an account locks when LOCKOUT_THRESHOLD failed sign-ins fall within one
 * failure window of FAILURE_WINDOW_MINUTES, counted from the first failure of the window; the lock
 * lasts LOCKOUT_MINUTES. Failures while locked do not count (they cannot extend the lock), a
 * successful sign-in clears the count.
 *
 * The HTTP layer refuses a client address after SIGN_IN_FAILURES_PER_IP failures until it has
 * been quiet for as long as the failure window (operators/sign-in-throttle.ts); as long as that
 * budget is below the threshold (config.ts checks it), one address alone can never lock an account:
 * every failure it can make inside one account window belongs to one budget. The SQL in
 * service.ts applies exactly `afterFailure`, atomically (service.test.ts compares the two).
 */
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_MINUTES = 15;
export const FAILURE_WINDOW_MINUTES = 15;

export interface LockState {
  readonly failedAttempts: number;
  readonly lockedUntil: Date | null;
  /** When the current failure window began; null when no failure is being counted. */
  readonly failureWindowStartedAt: Date | null;
}

export const UNLOCKED: LockState = Object.freeze({
  failedAttempts: 0,
  lockedUntil: null,
  failureWindowStartedAt: null,
});

export function isLocked(state: Pick<LockState, 'lockedUntil'>, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

/** Whether a failure at `now` still falls into the window that began at `state.failureWindowStartedAt`. */
export function inFailureWindow(state: LockState, now: Date): boolean {
  return (
    state.failureWindowStartedAt !== null &&
    state.failureWindowStartedAt.getTime() > now.getTime() - FAILURE_WINDOW_MINUTES * 60_000
  );
}

/**
 * The state after one more failed sign-in: unchanged while locked; otherwise counted in the current
 * window (or the first of a new one), and locked when the count reaches the threshold.
 */
export function afterFailure(state: LockState, now: Date): LockState {
  if (isLocked(state, now)) return state;
  const windowOpen = inFailureWindow(state, now);
  const failedAttempts = windowOpen ? state.failedAttempts + 1 : 1;
  if (failedAttempts >= LOCKOUT_THRESHOLD) {
    return {
      failedAttempts: 0,
      lockedUntil: new Date(now.getTime() + LOCKOUT_MINUTES * 60_000),
      failureWindowStartedAt: null,
    };
  }
  return {
    failedAttempts,
    lockedUntil: state.lockedUntil,
    failureWindowStartedAt: windowOpen ? state.failureWindowStartedAt : now,
  };
}
