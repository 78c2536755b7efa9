/**
 * The status endpoint (`status-query`, the platform's pull fallback when a callback is late): for
 * an application just acknowledged, for decided ones (approved and rejected), for a loan, and for
 * ids the lender never saw. Every answer must validate per the contract
 * (`validateCallResponse('status-query', …)`, signed) and say what the callbacks said: the platform
 * applies a pulled answer exactly as it would the callback, so a status endpoint that disagrees
 * with the callbacks would move a loan to another state than the lender's own.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { APPLY, STATUS_QUERY } from '../protocol/envelope/index.ts';
import { expectRefusal, expectSuccess, fail } from './checks.ts';
import { awaitCallback, call, newId, type RunContext } from './context.ts';
import { applyBody, applyFields } from './happy-path.ts';
import { latestOf } from './payoff.ts';
import type { RejectionResult } from './rejection.ts';

type Body = Readonly<Record<string, unknown>>;

function query(ctx: RunContext, label: string, body: Body) {
  return call(ctx, 'status-query', label, STATUS_QUERY, JSON.stringify(body));
}

function sameInstant(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'string' && typeof b === 'string' && Date.parse(a) === Date.parse(b));
}

/** Where a status answer's application differs from the credit-decision callback. */
export function decisionDifferences(shown: Body | undefined, callback: Body): string[] {
  if (shown === undefined) return ['the application is missing'];
  if (shown.decision === 'pending')
    return [`it is shown pending, the callback said ${String(callback.decision)}`];
  const out: string[] = [];
  for (const field of ['decision', 'reason', 'limitFen', 'apr', 'termsMonths', 'methods'] as const) {
    if (!isDeepStrictEqual(shown[field], callback[field]))
      out.push(
        `${field} ${JSON.stringify(shown[field])}, the callback said ${JSON.stringify(callback[field])}`,
      );
  }
  for (const field of ['validUntil', 'decidedAt'] as const) {
    if (!sameInstant(shown[field], callback[field]))
      out.push(`${field} ${String(shown[field])}, the callback said ${String(callback[field])}`);
  }
  return out;
}

/**
 * An application queried as soon as it is acknowledged: `pending` (the decision still to come),
 * or already the decision it is then called back with. A lender cannot be made slow from outside,
 * so either is right; what is checked is that the answer is valid and not contradicted.
 */
export async function runStatusPending(ctx: RunContext): Promise<void> {
  await ctx.checks.run(
    'status.pending',
    'status query of an application just acknowledged: pending, or the decision then called back',
    async () => {
      const applicationId = newId('conf-sq');
      const requestId = randomUUID();
      const bodyText = applyBody(ctx, requestId, applyFields(ctx, applicationId));
      try {
        expectSuccess('apply', await call(ctx, 'apply', 'apply (status)', APPLY, bodyText, requestId));
      } catch (error) {
        fail(`the apply was not acknowledged: ${(error as Error).message}`);
      }
      const body = expectSuccess(
        'status-query',
        await query(ctx, 'status-query (pending)', { applicationId }),
      );
      const shown = body.application as Body | undefined;
      if (shown?.applicationId !== applicationId)
        fail(`the answer is not about application ${applicationId}`);
      const cb = await awaitCallback(ctx, 'credit-decision', (b) => b.applicationId === applicationId);
      if (shown.decision === 'pending') return `pending, then ${String(cb.body.decision)} by callback`;
      const differences = decisionDifferences(shown, cb.body);
      if (differences.length > 0) fail(`shown ${String(shown.decision)}: ${differences.join('; ')}`);
      return `already ${String(shown.decision)}, as then called back`;
    },
  );
}

export interface DecidedApplications {
  /** The happy path's application (approved and drawn). */
  readonly approved: string | undefined;
  readonly rejection: RejectionResult;
  /** The happy path's loan. */
  readonly loanId: string | undefined;
}

export async function runStatusChecks(ctx: RunContext, known: DecidedApplications): Promise<void> {
  const { checks, receiver } = ctx;
  const approvedDecision =
    known.approved === undefined
      ? undefined
      : receiver.all('credit-decision', (b) => b.applicationId === known.approved).at(0);

  await checks.runIf(
    approvedDecision !== undefined && known.rejection.decision !== undefined,
    'no approved and rejected applications to ask about',
    'status.decided',
    'status query of decided applications says what their callbacks said (approved with its drawdown, rejected)',
    async () => {
      const problems: string[] = [];
      const approved = expectSuccess(
        'status-query',
        await query(ctx, 'status-query (approved)', { applicationId: known.approved }),
      );
      problems.push(
        ...decisionDifferences(approved.application as Body | undefined, approvedDecision!.body).map(
          (p) => `approved application: ${p}`,
        ),
      );
      const disbursed = receiver.all('disbursement', (b) => b.applicationId === known.approved);
      const drawdowns = (approved.drawdowns as Body[] | undefined) ?? [];
      for (const cb of disbursed) {
        const shown = drawdowns.find((d) => d.drawdownId === cb.body.drawdownId);
        if (shown === undefined) problems.push(`drawdown ${String(cb.body.drawdownId)} is not listed`);
        else if (shown.status !== cb.body.status || shown.loanId !== cb.body.loanId)
          problems.push(
            `drawdown ${String(cb.body.drawdownId)} is shown ${String(shown.status)} (loan ${String(shown.loanId)}), the callback said ${String(cb.body.status)} (loan ${String(cb.body.loanId)})`,
          );
      }
      const rejected = expectSuccess(
        'status-query',
        await query(ctx, 'status-query (rejected)', { applicationId: known.rejection.applicationId }),
      );
      problems.push(
        ...decisionDifferences(rejected.application as Body | undefined, known.rejection.decision!).map(
          (p) => `rejected application: ${p}`,
        ),
      );
      if (problems.length > 0) fail(problems.join('; '));
      return `approved (${drawdowns.length} drawdown${drawdowns.length === 1 ? '' : 's'}) and rejected, as called back`;
    },
  );

  await checks.runIf(
    known.loanId !== undefined,
    'no loan',
    'status.loan',
    'status query of the loan: its status and latest schedule, as called back',
    async () => {
      const loanId = known.loanId!;
      const body = expectSuccess('status-query', await query(ctx, 'status-query (loan)', { loanId }));
      const loan = body.loan as { status?: unknown; schedule?: Body } | undefined;
      if (loan?.schedule === undefined) fail('the loan is missing');
      const lastStatus = latestOf(receiver.all('loan-status', (b) => b.loanId === loanId));
      const expectedStatus = lastStatus === undefined ? 'repaying' : lastStatus.body.status;
      const problems: string[] = [];
      if (loan.status !== expectedStatus)
        problems.push(
          `shown ${String(loan.status)}, the last loan-status callback said ${String(expectedStatus)}`,
        );
      const version = Number(loan.schedule.version);
      let latest = latestOf(receiver.all('repayment-schedule', (b) => b.loanId === loanId));
      if (latest !== undefined && version > Number(latest.body.version)) {
        // Shown ahead of the callbacks: its schedule must then be called back too.
        const pushed = await ctx.receiver.waitFor(
          'repayment-schedule',
          (b) => b.loanId === loanId && Number(b.version) === version,
          ctx.callbackTimeoutMs,
        );
        if (!pushed.ok) fail(`schedule version ${version} is shown but never called back (${pushed.reason})`);
        latest = pushed.callback;
      }
      if (latest === undefined) problems.push('no schedule was called back for the loan');
      else if (version !== Number(latest.body.version))
        problems.push(
          `schedule version ${version} is shown, version ${String(latest.body.version)} was called back`,
        );
      else if (!isDeepStrictEqual(loan.schedule.installments, latest.body.installments))
        problems.push(`the installments of schedule version ${version} differ from the ones called back`);
      if (problems.length > 0) fail(problems.join('; '));
      return `${String(loan.status)}, schedule version ${version}`;
    },
  );

  await checks.run(
    'status.unknown',
    'status query of an application and of a loan the lender never saw → 404 NOT_FOUND, signed',
    async () => {
      const application = expectRefusal(
        await query(ctx, 'status-query (unknown application)', { applicationId: newId('conf-none') }),
        404,
        'NOT_FOUND',
      );
      expectRefusal(
        await query(ctx, 'status-query (unknown loan)', { loanId: newId('conf-none') }),
        404,
        'NOT_FOUND',
      );
      return `${application} for either`;
    },
  );
}
