/**
 * The happy path, as the platform drives it: pre-check, apply → credit decision, drawdown →
 * disbursement and schedule, repay the first installment → repayment, then the status query.
 * Each step depends on the one before; when one fails, the rest is skipped with the reason.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { checkAprWithinCap, checkScheduleWithinCap, MoneyValidationError } from '../money/index.ts';
import {
  type AgeBand,
  APPLY,
  DRAWDOWN,
  encryptPii,
  PRE_CHECK,
  REPAY,
  type ScheduleInstallment,
  STATUS_QUERY,
  selectEncryptionKey,
} from '../protocol/envelope/index.ts';
import { answered, expectSuccess, fail } from './checks.ts';
import { awaitCallback, call, newId, type RunContext, todayCst } from './context.ts';

/** The apply as first sent, kept for the repeat checks. */
export interface SentApply {
  readonly requestId: string;
  /** Everything but the PII block. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly bodyText: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly status: number;
  readonly answerBody: unknown;
}

export interface HappyPathResult {
  readonly apply: SentApply | undefined;
}

/**
 * The kit holds none of the partner's pre-check keys (they are the platform's and the partner's
 * secrets): its pre-checks are hashed under a key of its own, made for this run, whose id no
 * lender holds. The lender must still answer 200 per the contract: docs/protocol.md asks it to
 * decline `unknown_hash_key` (it cannot check such hashes against its book), never to fail.
 */
const PRE_CHECK_KEY_ID = 'conformance-run';
const PRE_CHECK_KEY = randomBytes(32);

function preCheckHmac(value: string): string {
  return createHmac('sha256', PRE_CHECK_KEY).update(value, 'utf8').digest('hex');
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Age band of the synthetic applicant, from the birth date inside the id number. */
function ageBandOf(idNumber: string, today: string): AgeBand {
  const birth = idNumber.slice(6, 14);
  const age =
    Number(today.slice(0, 4)) -
    Number(birth.slice(0, 4)) -
    (today.slice(5).replace('-', '') < birth.slice(4) ? 1 : 0);
  return age < 25 ? '18-24' : age < 35 ? '25-34' : age < 45 ? '35-44' : age < 55 ? '45-54' : '55+';
}

export function preCheckBody(ctx: RunContext): string {
  const { applicant, productCode, amountFen } = ctx.scenario;
  return JSON.stringify({
    productCode,
    phoneHmac: preCheckHmac(applicant.phone),
    idNumberHmac: preCheckHmac(applicant.idNumber),
    hashKeyId: PRE_CHECK_KEY_ID,
    ageBand: ageBandOf(applicant.idNumber, todayCst()),
    region: `${applicant.idNumber.slice(0, 2)}0000`,
    amountBandFen: { min: amountFen, max: amountFen },
  });
}

/** The apply without its PII block: fixed once, so a repeat means exactly the same application. */
export function applyFields(ctx: RunContext, applicationId: string): Readonly<Record<string, unknown>> {
  return {
    applicationId,
    productCode: ctx.scenario.productCode,
    requestedAmountFen: ctx.scenario.amountFen,
    termMonths: ctx.scenario.termMonths,
    method: ctx.scenario.method,
    channel: 'conformance',
    consent: {
      version: 'conformance-1',
      textSha256: sha256Hex('conformance consent'),
      givenAt: new Date().toISOString(),
    },
  };
}

/** The apply as sent under `requestId`: PII is encrypted per message (the AAD binds the request id). */
export function applyBody(
  ctx: RunContext,
  requestId: string,
  fields: Readonly<Record<string, unknown>>,
): string {
  const recipient = selectEncryptionKey(ctx.lenderKeys, Date.now());
  if (recipient === undefined) fail('the lender publishes no valid encryption key');
  const pii = encryptPii(ctx.scenario.applicant, recipient, { partnerId: ctx.partnerId, requestId });
  return JSON.stringify({ ...fields, pii });
}

function owed(row: ScheduleInstallment): number {
  return row.principalFen + row.interestFen + row.feeFen + row.penaltyFen - row.paidFen;
}

export async function runHappyPath(ctx: RunContext): Promise<HappyPathResult> {
  const { checks } = ctx;

  await checks.run('pre-check', 'pre-check answers 200, signed, per the contract', async () => {
    const body = expectSuccess(
      'pre-check',
      await call(ctx, 'pre-check', 'pre-check', PRE_CHECK, preCheckBody(ctx)),
    );
    return `${String(body.decision)}${body.reason === undefined ? '' : ` (${String(body.reason)})`}`;
  });

  let apply: SentApply | undefined;
  let applied = false;
  await checks.run('apply', 'apply is acknowledged 202, signed', async () => {
    const requestId = randomUUID();
    const fields = applyFields(ctx, newId('conf-app'));
    const bodyText = applyBody(ctx, requestId, fields);
    const outcome = await call(ctx, 'apply', 'apply', APPLY, bodyText, requestId);
    const answer = answered(outcome);
    apply = {
      requestId,
      fields,
      bodyText,
      body: JSON.parse(bodyText) as Record<string, unknown>,
      status: answer.status,
      answerBody: answer.body,
    };
    // The decision may still come even if the acknowledgement is faulty: wait for it either way.
    applied = answer.status >= 200 && answer.status < 300;
    expectSuccess('apply', outcome);
    return undefined;
  });

  let decision: Readonly<Record<string, unknown>> | undefined;
  await checks.runIf(
    applied,
    'the application was not accepted',
    'callback.credit-decision',
    'credit decision arrives by callback, signed, per the contract',
    async () => {
      const cb = await awaitCallback(
        ctx,
        'credit-decision',
        (b) => b.applicationId === apply!.body.applicationId,
      );
      if (cb.body.decision !== 'approved')
        fail(
          `rejected (${String(cb.body.reason ?? 'no reason')}): the run needs an approval — pick --product, --amount, --term the lender approves`,
        );
      const cap = checkAprWithinCap(String(cb.body.apr));
      if (!cap.ok) fail(`approved at APR ${String(cb.body.apr)}: ${cap.message}`);
      decision = cb.body;
      return `approved: limit ${String(cb.body.limitFen)} fen, APR ${String(cb.body.apr)}, terms ${JSON.stringify(cb.body.termsMonths)}`;
    },
  );

  const terms = decision === undefined ? undefined : drawdownTerms(ctx, decision);
  let drawn = false;
  const drawdownId = newId('conf-dd');
  const startDate = todayCst();
  await checks.runIf(
    terms !== undefined,
    'no approval to draw on',
    'drawdown',
    'drawdown is acknowledged 202, signed',
    async () => {
      const body = { applicationId: apply!.body.applicationId, drawdownId, ...terms!, startDate };
      const outcome = await call(ctx, 'drawdown', 'drawdown', DRAWDOWN, JSON.stringify(body));
      drawn = outcome.kind === 'answered' && outcome.status === 202;
      expectSuccess('drawdown', outcome);
      return `${terms!.amountFen} fen over ${terms!.termMonths} months, ${terms!.method}`;
    },
  );

  let loanId: string | undefined;
  await checks.runIf(
    drawn,
    'no drawdown',
    'callback.disbursement',
    'disbursement arrives by callback: succeeded, the amount drawn',
    async () => {
      const cb = await awaitCallback(ctx, 'disbursement', (b) => b.drawdownId === drawdownId);
      if (cb.body.status !== 'succeeded')
        fail(`disbursement ${String(cb.body.status)} (${String(cb.body.reason ?? '')})`);
      if (cb.body.principalFen !== terms!.amountFen)
        fail(`principal ${String(cb.body.principalFen)}, drawn ${terms!.amountFen}`);
      loanId = String(cb.body.loanId);
      return `loan ${loanId}`;
    },
  );

  let schedule: readonly ScheduleInstallment[] | undefined;
  await checks.runIf(
    loanId !== undefined,
    'no loan',
    'callback.repayment-schedule',
    'repayment schedule arrives by callback: the principal drawn, APR within 24%',
    async () => {
      const cb = await awaitCallback(ctx, 'repayment-schedule', (b) => b.loanId === loanId);
      const rows = cb.body.installments as ScheduleInstallment[];
      const principal = rows.reduce((sum, r) => sum + r.principalFen, 0);
      if (principal !== terms!.amountFen)
        fail(`installments repay ${principal} fen of principal, drawn ${terms!.amountFen}`);
      try {
        const cap = checkScheduleWithinCap({
          amountReceivedFen: terms!.amountFen,
          startDate,
          installments: rows.map((r) => ({
            dueDate: r.dueDate,
            totalFen: r.principalFen + r.interestFen + r.feeFen,
          })),
        });
        if (!cap.ok) fail(`schedule APR: ${cap.message}`);
      } catch (error) {
        if (error instanceof MoneyValidationError) fail(`schedule cannot be priced: ${error.message}`);
        throw error;
      }
      schedule = rows;
      return `version ${String(cb.body.version)}, ${rows.length} installments`;
    },
  );

  const repaymentId = newId('conf-rp');
  let repaid = false;
  const first = schedule?.[0];
  await checks.runIf(
    first !== undefined,
    'no schedule',
    'repay',
    'repayment of installment 1 is acknowledged 202, signed',
    async () => {
      const body = {
        loanId,
        repaymentId,
        kind: 'installment',
        periods: [1],
        amountFen: owed(first!),
        requestedAt: new Date().toISOString(),
      };
      const outcome = await call(ctx, 'repay', 'repay', REPAY, JSON.stringify(body));
      repaid = outcome.kind === 'answered' && outcome.status === 202;
      expectSuccess('repay', outcome);
      return `${owed(first!)} fen`;
    },
  );

  await checks.runIf(
    repaid,
    'no repayment',
    'callback.repayment',
    'repayment result arrives by callback, amounts adding up',
    async () => {
      const cb = await awaitCallback(ctx, 'repayment', (b) => b.repaymentId === repaymentId);
      const parts = ['principalFen', 'interestFen', 'feeFen', 'penaltyFen'] as const;
      const total = parts.reduce((sum, part) => sum + Number(cb.body[part]), 0);
      if (total !== owed(first!)) fail(`parts add up to ${total} fen, paid ${owed(first!)}`);
      if (!(cb.body.periods as number[]).includes(1)) fail('installment 1 is not among the periods paid');
      return `${total} fen, periods ${JSON.stringify(cb.body.periods)}`;
    },
  );

  await checks.runIf(
    loanId !== undefined,
    'no loan',
    'status-query',
    'status query answers 200 with the application and the loan',
    async () => {
      const outcome = await call(
        ctx,
        'status-query',
        'status-query',
        STATUS_QUERY,
        JSON.stringify({ applicationId: apply!.body.applicationId, loanId }),
      );
      const body = expectSuccess('status-query', outcome);
      const app = body.application as { decision?: unknown } | undefined;
      const loan = body.loan as { status?: unknown; schedule?: { version?: unknown } } | undefined;
      if (app?.decision !== 'approved') fail('the application is not shown approved');
      if (loan === undefined) fail('the loan is missing');
      return `loan ${String(loan.status)}, schedule version ${String(loan.schedule?.version)}`;
    },
  );

  return { apply };
}

/** The drawdown the approval allows: the scenario's terms where the offer has them, else the offer's. */
function drawdownTerms(ctx: RunContext, decision: Readonly<Record<string, unknown>>) {
  const terms = (decision.termsMonths as number[] | undefined) ?? [];
  const methods = (decision.methods as string[] | undefined) ?? [];
  return {
    amountFen: Math.min(ctx.scenario.amountFen, Number(decision.limitFen)),
    termMonths: terms.includes(ctx.scenario.termMonths) ? ctx.scenario.termMonths : terms[0]!,
    method: methods.includes(ctx.scenario.method) ? ctx.scenario.method : methods[0]!,
  };
}
