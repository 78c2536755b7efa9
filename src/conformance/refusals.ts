/**
 * Refusal answers, both ways.
 *
 * The kit answers the lender's callbacks the way the platform may (docs/protocol.md, "Refusals of
 * callbacks"): the credit decision of one application with a signed `503 UNAVAILABLE` — the
 * lender must retry it (same request id and body, fresh nonce) — and that of another with a signed
 * final `422 INVALID_STATE`, which the lender must **not** retry: the kit watches for a retry (the
 * same request id, or the same bytes under a new one) during a window of at least
 * `retryWindowMs`, longer when the lender's retry of the 503 came later. A corrected callback (a
 * new request id with other content) is allowed.
 *
 * And the lender's own business refusals: a drawdown for an application it never saw is
 * `404 NOT_FOUND`, signed.
 */
import { randomUUID } from 'node:crypto';
import { APPLY, DRAWDOWN } from '../protocol/envelope/index.ts';
import { expectRefusal, expectSuccess, fail } from './checks.ts';
import { call, newId, pause, type RunContext, todayCst } from './context.ts';
import { applyBody, applyFields } from './happy-path.ts';
import type { Arrival } from './receiver.ts';

/** Applies for the scenario under a new application id; resolves to why it failed, or undefined. */
async function applyFor(ctx: RunContext, applicationId: string, label: string): Promise<string | undefined> {
  const requestId = randomUUID();
  try {
    const bodyText = applyBody(ctx, requestId, applyFields(ctx, applicationId));
    expectSuccess('apply', await call(ctx, 'apply', label, APPLY, bodyText, requestId));
    return undefined;
  } catch (error) {
    return `the apply was not acknowledged: ${(error as Error).message}`;
  }
}

/** The two applications whose decisions the kit answers 503 and 422, already on their way. */
export interface RefusalPlan {
  readonly retried: string;
  readonly refused: string;
  /** Why each apply failed (undefined: acknowledged). */
  readonly applied: Promise<readonly [string | undefined, string | undefined]>;
}

/**
 * Plans the answers and sends both applies without waiting, so that the lender's decisions, the
 * retry and most of the no-retry window pass while the run goes on with other checks.
 */
export function startRefusals(ctx: RunContext): RefusalPlan {
  const retried = newId('conf-503');
  const refused = newId('conf-422');
  ctx.receiver.answerWith('credit-decision', (b) => b.applicationId === retried, [
    { status: 503, code: 'UNAVAILABLE', message: 'conformance kit: briefly away, retry with backoff' },
  ]);
  ctx.receiver.answerWith('credit-decision', (b) => b.applicationId === refused, [
    { status: 422, code: 'INVALID_STATE', message: 'conformance kit: refused for good, do not retry' },
  ]);
  const applied = Promise.all([
    applyFor(ctx, retried, 'apply (503 answer)'),
    applyFor(ctx, refused, 'apply (422 answer)'),
  ] as const);
  return { retried, refused, applied };
}

const decisionOf = (applicationId: string) => (a: Arrival) =>
  a.kind === 'credit-decision' && a.body?.applicationId === applicationId;

/** What the kit had to answer instead (the callback did not verify or was not valid). */
function answeredAs(arrival: Arrival): string {
  return `it was refused ${arrival.status} ${arrival.code ?? ''}`.trimEnd();
}

/** Whether `later` is the lender sending `first` again: its request id, or its very bytes. */
function isRetryOf(later: Arrival, first: Arrival): boolean {
  return later !== first && (later.requestId === first.requestId || later.text === first.text);
}

export async function runRefusals(ctx: RunContext, plan: RefusalPlan): Promise<void> {
  const { checks, receiver } = ctx;
  const { retried, refused } = plan;
  const [retriedFailed, refusedFailed] = await plan.applied;
  let retryDelayMs: number | undefined;

  await checks.run(
    'callback-refusal.retry-5xx',
    'a callback answered 503 UNAVAILABLE (signed) is retried: same request id and body',
    async () => {
      if (retriedFailed !== undefined) fail(retriedFailed);
      const first = await receiver.nextArrival(decisionOf(retried), ctx.callbackTimeoutMs);
      if (first === undefined) fail(`no credit-decision callback within ${ctx.callbackTimeoutMs} ms`);
      if (first.status !== 503) fail(`the callback could not be answered 503: ${answeredAs(first)}`);
      const retry = await receiver.nextArrival(
        (a) => decisionOf(retried)(a) && isRetryOf(a, first),
        ctx.callbackTimeoutMs,
      );
      if (retry === undefined)
        fail(`answered 503 UNAVAILABLE, it was not retried within ${ctx.callbackTimeoutMs} ms`);
      if (retry.requestId !== first.requestId)
        fail('retried under a new request id: a retry keeps its request id (the idempotency key)');
      if (retry.text !== first.text) fail('retried with another body: a retry sends the same bytes');
      retryDelayMs = retry.receivedAt - first.receivedAt;
      return `retried after ${retryDelayMs} ms under the same request id`;
    },
  );

  await checks.run(
    'callback-refusal.final-4xx',
    'a callback answered 422 INVALID_STATE (signed) is not retried',
    async () => {
      if (refusedFailed !== undefined) fail(refusedFailed);
      const first = await receiver.nextArrival(decisionOf(refused), ctx.callbackTimeoutMs);
      if (first === undefined) fail(`no credit-decision callback within ${ctx.callbackTimeoutMs} ms`);
      if (first.status !== 422) fail(`the callback could not be answered 422: ${answeredAs(first)}`);
      const windowMs = Math.min(
        Math.max(ctx.retryWindowMs, 3 * (retryDelayMs ?? 0)),
        Math.max(ctx.retryWindowMs, ctx.callbackTimeoutMs),
      );
      await pause(ctx, first.receivedAt + windowMs - Date.now());
      const again = receiver.arrivals.find((a) => decisionOf(refused)(a) && isRetryOf(a, first));
      if (again !== undefined)
        fail(
          `answered 422 INVALID_STATE, a final refusal, it was sent again after ${again.receivedAt - first.receivedAt} ms` +
            `${again.requestId === first.requestId ? ' under the same request id' : ' (the same bytes)'}: a final 4xx must not be retried`,
        );
      return `not sent again within ${windowMs} ms`;
    },
  );

  await checks.run(
    'refusal.unknown-application',
    'a drawdown for an application the lender never saw → 404 NOT_FOUND, signed',
    async () => {
      const body = {
        applicationId: newId('conf-none'),
        drawdownId: newId('conf-dd'),
        amountFen: ctx.scenario.amountFen,
        termMonths: ctx.scenario.termMonths,
        method: ctx.scenario.method,
        startDate: todayCst(),
      };
      return expectRefusal(
        await call(ctx, 'drawdown', 'drawdown (unknown application)', DRAWDOWN, JSON.stringify(body)),
        404,
        'NOT_FOUND',
      );
    },
  );
}
