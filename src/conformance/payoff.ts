/**
 * Early payoff (提前结清) of the happy path's loan, after its first installment was repaid: a
 * `repay` of kind `payoff` for exactly the outstanding principal and the interest to date is
 * acknowledged, called back as a `repayment` with `earlyPayoff: true` and those parts — no fee, no
 * penalty: early payoff is free — and the loan is called back `settled`.
 *
 * What is owed comes from the lender's own last schedule: the principal of every installment still
 * open, plus the interest of the running period up to today (`quotePayoff` of src/money; none when
 * the next installment was already paid ahead, as it is here: installment 1 was repaid on the day
 * the loan started).
 */
import { randomUUID } from 'node:crypto';
import { type DayCount, MoneyValidationError, quotePayoff } from '../money/index.ts';
import { REPAY, type RepaymentMethod, type ScheduleInstallment } from '../protocol/envelope/index.ts';
import { answered, expectSuccess, fail } from './checks.ts';
import { awaitCallback, call, newId, type RunContext, todayCst } from './context.ts';
import type { SentApply } from './happy-path.ts';
import type { ReceivedCallback } from './receiver.ts';

export interface PayoffResult {
  /** The loan paid off, when the payoff was acknowledged. */
  readonly loanId: string | undefined;
}

type Body = Readonly<Record<string, unknown>>;

function isOpen(row: ScheduleInstallment): boolean {
  return row.status === 'pending' || row.status === 'overdue';
}

/** The loan of the happy path as its callbacks told it: disbursement, decision, repaid periods. */
function loanOf(ctx: RunContext, apply: SentApply | undefined) {
  if (apply === undefined) return undefined;
  const applicationId = apply.body.applicationId;
  const disbursement = ctx.receiver
    .all('disbursement', (b) => b.applicationId === applicationId && b.status === 'succeeded')
    .at(0);
  const decision = ctx.receiver.all('credit-decision', (b) => b.applicationId === applicationId).at(0);
  if (disbursement === undefined || decision === undefined) return undefined;
  const loanId = String(disbursement.body.loanId);
  const repaid = ctx.receiver
    .all('repayment', (b) => b.loanId === loanId && b.earlyPayoff !== true && b.reversalOf === undefined)
    .flatMap((cb) => cb.body.periods as number[]);
  if (repaid.length === 0) return undefined;
  return { loanId, disbursement: disbursement.body, decision: decision.body, repaid };
}

/** The interest of the running period up to `today`, for each day count the lender might use. */
function interestToDate(
  ctx: RunContext,
  rows: readonly ScheduleInstallment[],
  disbursement: Body,
  decision: Body,
  today: string,
): number[] {
  const next = rows.find((row) => row.dueDate > today);
  if (next === undefined || !isOpen(next)) return [0];
  const methods = (decision.methods as RepaymentMethod[] | undefined) ?? [];
  const method = methods.includes(ctx.scenario.method) ? ctx.scenario.method : methods[0]!;
  const amounts = new Set<number>();
  for (const dayCount of ['ACT/360', 'ACT/365'] as DayCount[]) {
    try {
      const quote = quotePayoff(
        {
          principalFen: Number(disbursement.principalFen),
          termMonths: rows.length,
          method,
          annualRate: String(decision.apr),
          startDate: String(disbursement.startDate),
          dayCount,
        },
        today < String(disbursement.startDate) ? String(disbursement.startDate) : today,
      );
      amounts.add(quote.interestFen);
    } catch (error) {
      if (!(error instanceof MoneyValidationError)) throw error;
      fail(`the loan's terms cannot be priced: ${error.message}`);
    }
  }
  return [...amounts];
}

function errorText(body: unknown): string {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return error === undefined ? '' : ` ${String(error.code)}: ${String(error.message)}`;
}

export async function runPayoff(ctx: RunContext, apply: SentApply | undefined): Promise<PayoffResult> {
  const { checks } = ctx;
  const loan = loanOf(ctx, apply);
  const repaymentId = newId('conf-po');
  let acknowledged = false;
  let owed: { principalFen: number; interestFen: number; periods: number[] } | undefined;

  await checks.runIf(
    loan !== undefined,
    'no disbursed loan with a repaid installment',
    'payoff',
    'early payoff: outstanding principal and interest to date only (no fee), called back earlyPayoff',
    async () => {
      const { loanId, disbursement, decision, repaid } = loan!;
      // The schedule after the installment repayment: the lender pushes it on every change.
      const pushed = await ctx.receiver.waitFor(
        'repayment-schedule',
        (b) =>
          b.loanId === loanId &&
          repaid.every(
            (period) =>
              (b.installments as ScheduleInstallment[]).find((row) => row.period === period)?.status ===
              'paid',
          ),
        ctx.callbackTimeoutMs,
      );
      if (!pushed.ok) fail(`no schedule showing installment ${repaid.join(', ')} paid (${pushed.reason})`);
      const rows = latestSchedule(ctx, loanId)!.installments as ScheduleInstallment[];
      const open = rows.filter(isOpen);
      if (open.length === 0) fail('the schedule has no open installment left to pay off');
      const principalFen = open.reduce((sum, row) => sum + row.principalFen, 0);
      const interests = interestToDate(ctx, rows, disbursement, decision, todayCst());
      const free = `early payoff is free: ${principalFen} fen of principal and interest to date only`;
      let interestFen: number | undefined;
      let refusal = '';
      for (const interest of interests) {
        const body = {
          loanId,
          repaymentId: interestFen === undefined && refusal === '' ? repaymentId : newId('conf-po'),
          kind: 'payoff',
          amountFen: principalFen + interest,
          requestedAt: new Date().toISOString(),
        };
        const outcome = await call(ctx, 'repay', 'repay (payoff)', REPAY, JSON.stringify(body), randomUUID());
        const answer = answered(outcome);
        if (answer.status === 202) {
          expectSuccess('repay', outcome);
          interestFen = interest;
          owed = { principalFen, interestFen, periods: open.map((row) => row.period) };
          acknowledged = true;
          return await checkPayoffCallback(ctx, body.repaymentId, owed, free);
        }
        refusal = `${answer.status}${errorText(answer.body)}`;
      }
      fail(`the payoff of ${principalFen + interests[0]!} fen was refused (${refusal}); ${free}`);
    },
  );

  await checks.runIf(
    acknowledged,
    'no payoff',
    'callback.loan-status',
    'the paid-off loan is called back settled (loan-status, version increasing)',
    async () => {
      const { loanId } = loan!;
      const cb = await awaitCallback(
        ctx,
        'loan-status',
        (b) => b.loanId === loanId && b.status === 'settled',
      );
      const earlier = ctx.receiver.all('loan-status', (b) => b.loanId === loanId && b.status !== 'settled');
      const stale = earlier.find((other) => Number(other.body.version) >= Number(cb.body.version));
      if (stale !== undefined)
        fail(
          `settled at version ${String(cb.body.version)}, not after ${String(stale.body.status)} at version ${String(stale.body.version)}`,
        );
      return `settled, version ${String(cb.body.version)}`;
    },
  );

  return { loanId: acknowledged ? loan!.loanId : undefined };
}

async function checkPayoffCallback(
  ctx: RunContext,
  repaymentId: string,
  owed: { principalFen: number; interestFen: number; periods: number[] },
  free: string,
): Promise<string> {
  const cb = await awaitCallback(ctx, 'repayment', (b) => b.repaymentId === repaymentId);
  const b = cb.body;
  const problems: string[] = [];
  if (b.earlyPayoff !== true) problems.push(`earlyPayoff is ${String(b.earlyPayoff)}, not true`);
  if (b.principalFen !== owed.principalFen)
    problems.push(`principalFen ${String(b.principalFen)}, outstanding ${owed.principalFen}`);
  if (b.interestFen !== owed.interestFen)
    problems.push(`interestFen ${String(b.interestFen)}, interest to date ${owed.interestFen}`);
  if (b.feeFen !== 0) problems.push(`feeFen ${String(b.feeFen)} (a prepayment fee)`);
  if (b.penaltyFen !== 0) problems.push(`penaltyFen ${String(b.penaltyFen)}`);
  const periods = (b.periods as number[] | undefined) ?? [];
  const missing = owed.periods.filter((p) => !periods.includes(p));
  if (missing.length > 0) problems.push(`installments ${missing.join(', ')} are not among the periods paid`);
  if (problems.length > 0) fail(`${problems.join('; ')} — ${free}`);
  return `${owed.principalFen} fen principal + ${owed.interestFen} fen interest, periods ${owed.periods[0]}–${owed.periods.at(-1)}`;
}

/** The schedule of the loan with the highest version received so far. */
export function latestSchedule(ctx: RunContext, loanId: string): Body | undefined {
  return latestOf(ctx.receiver.all('repayment-schedule', (b) => b.loanId === loanId))?.body;
}

/** The callback with the highest `version`. */
export function latestOf(callbacks: readonly ReceivedCallback[]): ReceivedCallback | undefined {
  return callbacks.reduce<ReceivedCallback | undefined>(
    (best, cb) => (best === undefined || Number(cb.body.version) > Number(best.body.version) ? cb : best),
    undefined,
  );
}
