/** What every step of a run shares: the client, the receiver, the recorder, the scenario, the timings. */
import { randomUUID } from 'node:crypto';
import type { CallbackKind, CallKind, PublicKeyRecord } from '../protocol/envelope/index.ts';
import { chinaDate } from '../shared/china-date.ts';
import { budgetOf, type CheckRecorder, fail, type Timing } from './checks.ts';
import type { CallOutcome, LenderClient, Prepared, Tamper } from './client.ts';
import type { Scenario } from './options.ts';
import type { CallbackReceiver, ReceivedCallback } from './receiver.ts';

export interface RunContext {
  readonly client: LenderClient;
  readonly receiver: CallbackReceiver;
  readonly checks: CheckRecorder;
  readonly partnerId: string;
  readonly lenderKeys: readonly PublicKeyRecord[];
  readonly scenario: Scenario;
  readonly callbackTimeoutMs: number;
  /**
   * How long a callback answered with a final refusal is watched for a retry that must not come
   * (at least; longer when the lender's observed retry delay is longer).
   */
  readonly retryWindowMs: number;
  readonly timings: Timing[];
  /** Aborted when the run is interrupted (an operator-run whose process is stopping). */
  readonly signal?: AbortSignal;
}

/**
 * A slow answer is still awaited well past its budget, so the report can tell "slow" (the budget
 * check fails) from "no answer" (the call's own check fails).
 */
function patienceMs(kind: CallKind): number {
  return Math.max(3 * budgetOf(kind), 3_000);
}

/** Sends a prepared request and records how long the answer took. */
export async function send(
  ctx: RunContext,
  kind: CallKind,
  label: string,
  prepared: Prepared,
): Promise<CallOutcome> {
  const outcome = await ctx.client.send(prepared, patienceMs(kind), ctx.signal);
  ctx.timings.push({ kind, label, durationMs: outcome.durationMs, answered: outcome.kind === 'answered' });
  return outcome;
}

/** Signs and sends one call. */
export function call(
  ctx: RunContext,
  kind: CallKind,
  label: string,
  path: string,
  bodyText: string,
  requestId: string = randomUUID(),
  tamper?: Tamper,
): Promise<CallOutcome> {
  return send(ctx, kind, label, ctx.client.prepare(path, bodyText, requestId, tamper));
}

/** The first callback of `kind` matching `match`, or a failure saying why it did not come. */
export async function awaitCallback(
  ctx: RunContext,
  kind: CallbackKind,
  match: (body: Readonly<Record<string, unknown>>) => boolean,
): Promise<ReceivedCallback> {
  const result = await ctx.receiver.waitFor(kind, match, ctx.callbackTimeoutMs);
  if (!result.ok) fail(result.reason);
  return result.callback;
}

/** Resolves after `ms`, or at once when the run is interrupted. */
export function pause(ctx: RunContext, ms: number): Promise<void> {
  if (ms <= 0 || ctx.signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    ctx.signal?.addEventListener('abort', done, { once: true });
  });
}

/** Short random id with a recognisable prefix (ids in the protocol are at most 64 characters). */
export function newId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Today's date in China Standard Time, the calendar loans start on. */
export function todayCst(): string {
  return chinaDate(Date.now());
}
