/** What every step of a run shares: the client, the receiver, the recorder, the scenario, the timings. */
import { randomUUID } from 'node:crypto';
import type { CallKind, PublicKeyRecord } from '../../protocol/envelope/index.ts';
import { budgetOf, type CheckRecorder, type Timing } from './checks.ts';
import type { CallOutcome, LenderClient, Prepared, Tamper } from './client.ts';
import type { Scenario } from './options.ts';
import type { CallbackReceiver } from './receiver.ts';

export interface RunContext {
  readonly client: LenderClient;
  readonly receiver: CallbackReceiver;
  readonly checks: CheckRecorder;
  readonly partnerId: string;
  readonly lenderKeys: readonly PublicKeyRecord[];
  readonly scenario: Scenario;
  readonly callbackTimeoutMs: number;
  readonly timings: Timing[];
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
  const outcome = await ctx.client.send(prepared, patienceMs(kind));
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

/** Short random id with a recognisable prefix (ids in the protocol are at most 64 characters). */
export function newId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Today's date in China Standard Time, the calendar loans start on. */
export function todayCst(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}
