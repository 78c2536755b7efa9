/**
 * Retry schedule of the outbox: exponential backoff with jitter, for at least a day.
 * Attempt n (1-based) waits between half and all of min(cap, base · 2^(n−1)); the jitter spreads
 * retries of many messages that failed together (a lender outage) instead of stampeding back.
 */
export const RETRY_BASE_MS = 2_000;
export const RETRY_CAP_MS = 30 * 60_000;
/** A message is retried until this long after it was written, then it becomes a dead letter. */
export const RETRY_HORIZON_MS = 25 * 60 * 60_000;

export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** HTTP statuses worth retrying: the lender may answer differently later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
