/**
 * `runConformance`: plays the platform side against a lender endpoint and reports, check by
 * check, whether the lender speaks the protocol — the happy path with its callbacks, idempotent
 * repeats, refusals of bad envelopes, and answers within each call's budget.
 */
import { isKeyValidAt } from '../../protocol/envelope/index.ts';
import { budgetOf, CheckRecorder, fail, type Timing } from './checks.ts';
import { LenderClient } from './client.ts';
import type { RunContext } from './context.ts';
import { runHappyPath } from './happy-path.ts';
import { type ConformanceOptions, DEFAULT_SCENARIO } from './options.ts';
import { CallbackReceiver } from './receiver.ts';
import { runRepeats } from './repeats.ts';
import type { ConformanceReport } from './report.ts';
import { summarize } from './report.ts';
import { runSecurity } from './security.ts';

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
  const checks = new CheckRecorder();
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

  const ctx: RunContext = {
    client: new LenderClient(options.lenderUrl, options.partnerId, options.platformKey, options.lenderKeys),
    receiver,
    checks,
    partnerId: options.partnerId,
    lenderKeys: options.lenderKeys,
    scenario: { ...DEFAULT_SCENARIO, ...options.scenario },
    callbackTimeoutMs: options.callbackTimeoutMs ?? 30_000,
    timings: [],
  };
  try {
    await checks.run('keys', 'the lender publishes a valid signing key and encryption key', async () => {
      const now = Date.now();
      const valid = options.lenderKeys.filter((k) => isKeyValidAt(k, now));
      if (!valid.some((k) => k.use === 'signing')) fail('no signing key valid now');
      if (!valid.some((k) => k.use === 'encryption')) fail('no encryption key valid now');
      return valid.map((k) => `${k.use} ${k.kid} (${k.alg})`).join(', ');
    });
    const { apply } = await runHappyPath(ctx);
    await runRepeats(ctx, apply);
    await runSecurity(ctx);
    await checks.run('timeouts', 'every answer came within its call budget', async () =>
      timingsCheck(ctx.timings),
    );
  } finally {
    await receiver.close();
  }
  return summarize({ ...base, callbackUrl: receiver.url, startedAt, checks: checks.results }, Date.now());
}
