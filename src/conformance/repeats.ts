/**
 * Idempotency checks (PROTOCOL.md: a repeat returns the first answer; the same id with a different
 * body is a conflict, never a second effect), on the apply of the happy path: by request id and by
 * business id (the application id).
 */
import { randomUUID } from 'node:crypto';
import { APPLY } from '../protocol/envelope/index.ts';
import { answered, expectRefusal, fail } from './checks.ts';
import { call, type RunContext } from './context.ts';
import { applyBody, type SentApply } from './happy-path.ts';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function runRepeats(ctx: RunContext, apply: SentApply | undefined): Promise<void> {
  const { checks } = ctx;
  const ready = apply !== undefined && apply.status >= 200 && apply.status < 300;
  const reason = 'the apply was not acknowledged';
  const amount = Number(apply?.fields.requestedAmountFen);

  await checks.runIf(
    ready,
    reason,
    'idempotency.repeat-request-id',
    'the same request id and body again → the first answer',
    async () => {
      const answer = answered(
        await call(ctx, 'apply', 'apply (repeat)', APPLY, apply!.bodyText, apply!.requestId),
      );
      if (answer.status !== apply!.status || !same(answer.body, apply!.answerBody))
        fail(
          `answered ${answer.status} ${JSON.stringify(answer.body)}, first answer was ${apply!.status} ${JSON.stringify(apply!.answerBody)}`,
        );
      if (answer.signature !== 'valid') fail(`the answer's signature: ${answer.signature}`);
      return `${answer.status}, same body`;
    },
  );

  await checks.runIf(
    ready,
    reason,
    'idempotency.repeat-business-id',
    'the same application under a new request id → the first answer',
    async () => {
      const requestId = randomUUID();
      // PII is encrypted per message, so the same application is new bytes with the same meaning.
      const bodyText = applyBody(ctx, requestId, apply!.fields);
      const answer = answered(
        await call(ctx, 'apply', 'apply (same application)', APPLY, bodyText, requestId),
      );
      if (answer.status !== apply!.status || !same(answer.body, apply!.answerBody))
        fail(`answered ${answer.status} ${JSON.stringify(answer.body)}, first answer was ${apply!.status}`);
      if (answer.signature !== 'valid') fail(`the answer's signature: ${answer.signature}`);
      return `${answer.status}, same body`;
    },
  );

  await checks.runIf(
    ready,
    reason,
    'idempotency.conflict-request-id',
    'the same request id with another body → 409 CONFLICT',
    async () => {
      const other = JSON.stringify({ ...apply!.body, requestedAmountFen: amount + 100 });
      return expectRefusal(
        await call(ctx, 'apply', 'apply (conflict)', APPLY, other, apply!.requestId),
        409,
        'CONFLICT',
      );
    },
  );

  await checks.runIf(
    ready,
    reason,
    'idempotency.conflict-business-id',
    'the same application id with another body → 409 CONFLICT',
    async () => {
      const requestId = randomUUID();
      const bodyText = applyBody(ctx, requestId, { ...apply!.fields, requestedAmountFen: amount + 100 });
      return expectRefusal(
        await call(ctx, 'apply', 'apply (conflict)', APPLY, bodyText, requestId),
        409,
        'CONFLICT',
      );
    },
  );
}
