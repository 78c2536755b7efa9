import { describe, expect, it } from 'vitest';
import { isRetryableStatus, RETRY_CAP_MS, RETRY_HORIZON_MS, retryDelayMs } from './backoff.ts';

describe('outbox backoff', () => {
  it('doubles from 1–2 s up to the cap, with jitter between half and all of the step', () => {
    expect(retryDelayMs(1, () => 0)).toBe(1_000);
    expect(retryDelayMs(1, () => 1)).toBe(2_000);
    expect(retryDelayMs(4, () => 1)).toBe(16_000);
    expect(retryDelayMs(40, () => 1)).toBe(RETRY_CAP_MS);
    expect(retryDelayMs(40, () => 0)).toBe(RETRY_CAP_MS / 2);
  });

  it('keeps retrying for at least 24 hours before giving up', () => {
    let elapsed = 0;
    let attempts = 0;
    // Worst case for coverage: every wait as long as possible still stays within the horizon's retries.
    while (elapsed + retryDelayMs(attempts + 1, () => 1) < RETRY_HORIZON_MS) {
      attempts += 1;
      elapsed += retryDelayMs(attempts, () => 1);
    }
    expect(RETRY_HORIZON_MS).toBeGreaterThanOrEqual(24 * 60 * 60_000);
    expect(attempts).toBeGreaterThan(40);
  });

  it('retries timeouts, throttling and server errors, not other client errors', () => {
    expect([408, 429, 500, 502, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });
});
