/**
 * `runConformance`: plays the platform side against a lender endpoint and reports, check by
 * check, whether the lender speaks the protocol — the happy path with its callbacks, early payoff,
 * a rejection, the status endpoint, how it takes the platform's refusals of its callbacks,
 * idempotent repeats, refusals of bad envelopes and bodies, and answers within each call's budget.
 */
import { isKeyValidAt } from '../protocol/envelope/index.ts';
import { budgetOf, CheckRecorder, fail, type Timing } from './checks.ts';
import { LenderClient } from './client.ts';
import type { RunContext } from './context.ts';
import { runHappyPath } from './happy-path.ts';
import { type ConformanceOptions, DEFAULT_RETRY_WINDOW_MS, DEFAULT_SCENARIO } from './options.ts';
import { runPayoff } from './payoff.ts';
import { CallbackReceiver } from './receiver.ts';
import { runRefusals, startRefusals } from './refusals.ts';
import { runRejection } from './rejection.ts';
import { runRepeats } from './repeats.ts';
import type { ConformanceReport } from './report.ts';
import { summarize } from './report.ts';
import { runSecurity } from './security.ts';
import { runStatusChecks, runStatusPending } from './status.ts';

/** Every check of a run, in the order they are reported (a run's progress counts against it). */
export const CONFORMANCE_CHECKS = [
  'keys',
  'pre-check',
  'apply',
  'callback.credit-decision',
  'drawdown',
  'callback.disbursement',
  'callback.repayment-schedule',
  'repay',
  'callback.repayment',
  'status-query',
  'payoff',
  'callback.loan-status',
  'rejection',
  'status.pending',
  'status.decided',
  'status.loan',
  'status.unknown',
  'callback-refusal.retry-5xx',
  'callback-refusal.final-4xx',
  'refusal.unknown-application',
  'idempotency.repeat-request-id',
  'idempotency.repeat-business-id',
  'idempotency.conflict-request-id',
  'idempotency.conflict-business-id',
  'security.bad-signature',
  'security.digest-mismatch',
  'security.expired-timestamp',
  'security.replayed-nonce',
  'security.unknown-partner',
  'security.malformed-envelope',
  'security.unknown-key',
  'security.invalid-body',
  'security.undecryptable-pii',
  'timeouts',
] as const;

/** Passes with the slowest answer per kind, or fails naming every answer over its budget. */
export function timingsCheck(timings: readonly Timing[]): string {
  const slow = timings.filter((t) => t.answered && t.durationMs > budgetOf(t.kind));
  if (slow.length > 0)
    fail(slow.map((t) => `${t.label} took ${t.durationMs} ms (budget ${budgetOf(t.kind)} ms)`).join('; '));
  const worst = new Map<string, number>();
  for (const t of timings) if (t.answered) worst.set(t.kind, Math.max(worst.get(t.kind) ?? 0, t.durationMs));
  return [...worst].map(([kind, ms]) => `${kind} ≤ ${ms} ms`).join(', ');
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const startedAt = new Date().toISOString();
  const checks = new CheckRecorder({
    ...(options.onResult === undefined ? {} : { onResult: options.onResult }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const base = { lenderUrl: options.lenderUrl, partnerId: options.partnerId };
  let receiver: CallbackReceiver;
  try {
    receiver = await CallbackReceiver.start({
      host: options.callbackHost ?? '127.0.0.1',
      port: options.callbackPort,
      partnerId: options.partnerId,
      lenderKeys: options.lenderKeys,
      platformKey: options.platformKey,
    });
  } catch (error) {
    await checks.run('callback-receiver', 'the kit can listen for callbacks', async () =>
      fail(`cannot listen on port ${options.callbackPort}: ${(error as Error).message}`),
    );
    return summarize({ ...base, callbackUrl: '', startedAt, checks: checks.results }, Date.now());
  }

  try {
    options.onListening?.(receiver.url);
  } catch {
    // The listener's failure is not the lender's.
  }
  const ctx: RunContext = {
    client: new LenderClient(options.lenderUrl, options.partnerId, options.platformKey, options.lenderKeys),
    receiver,
    checks,
    partnerId: options.partnerId,
    lenderKeys: options.lenderKeys,
    scenario: { ...DEFAULT_SCENARIO, ...options.scenario },
    callbackTimeoutMs: options.callbackTimeoutMs ?? 30_000,
    retryWindowMs: options.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS,
    timings: [],
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  // An interrupted run stops waiting for callbacks at once.
  const closeOnAbort = () => void receiver.close();
  options.signal?.addEventListener('abort', closeOnAbort, { once: true });
  try {
    await checks.run('keys', 'the lender publishes a valid signing key and encryption key', async () => {
      const now = Date.now();
      const valid = options.lenderKeys.filter((k) => isKeyValidAt(k, now));
      if (!valid.some((k) => k.use === 'signing')) fail('no signing key valid now');
      if (!valid.some((k) => k.use === 'encryption')) fail('no encryption key valid now');
      return valid.map((k) => `${k.use} ${k.kid} (${k.alg})`).join(', ');
    });
    const { apply } = await runHappyPath(ctx);
    // The decisions the kit refuses are on their way while the payoff and the rest run.
    const refusals = startRefusals(ctx);
    const payoff = await runPayoff(ctx, apply);
    const rejection = await runRejection(ctx);
    await runStatusPending(ctx);
    await runStatusChecks(ctx, {
      approved: apply === undefined ? undefined : String(apply.body.applicationId),
      rejection,
      loanId: payoff.loanId ?? happyLoanId(receiver, apply?.body.applicationId),
    });
    await runRefusals(ctx, refusals);
    await runRepeats(ctx, apply);
    await runSecurity(ctx);
    await checks.run('timeouts', 'every answer came within its call budget', async () =>
      timingsCheck(ctx.timings),
    );
  } finally {
    options.signal?.removeEventListener('abort', closeOnAbort);
    await receiver.close();
  }
  return summarize({ ...base, callbackUrl: receiver.url, startedAt, checks: checks.results }, Date.now());
}

/** The loan of the happy path's application, from its disbursement callback. */
function happyLoanId(receiver: CallbackReceiver, applicationId: unknown): string | undefined {
  if (applicationId === undefined) return undefined;
  const cb = receiver
    .all('disbursement', (b) => b.applicationId === applicationId && b.status === 'succeeded')
    .at(0);
  return cb === undefined ? undefined : String(cb.body.loanId);
}
