/**
 * Rejection: an application the lender must reject gets a valid `credit-decision` callback with
 * `decision: "rejected"`. The kit makes a lender reject the way every licensed lender must: the
 * applicant is a minor. Chinese rules forbid lending to anyone under 18, so the documented test
 * applicant — the scenario's, with an id number whose birth date makes them 16 today (China
 * Standard Time) — needs no magic value in the lender's test environment: a lender that approves
 * it has a credit policy that breaks the law. The product, amount, term and method are the
 * scenario's, which the lender approves for an adult (the happy path shows it), so the age is the
 * only reason to reject.
 */
import { randomUUID } from 'node:crypto';
import { APPLY, type ApplicantPii } from '../protocol/envelope/index.ts';
import { expectSuccess, fail } from './checks.ts';
import { awaitCallback, call, newId, type RunContext, todayCst } from './context.ts';
import { applyBody, applyFields } from './happy-path.ts';

/** Weights and check characters of the 18th character of a resident id number (GB 11643-1999). */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** The 18-character id number `first17` completed with its check character. */
export function withCheckCharacter(first17: string): string {
  const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * ID_WEIGHTS[i]!, 0);
  return first17 + ID_CHECK[sum % 11]!;
}

/** Age the kit's rejection applicant is on the day of the run. */
export const REJECTION_APPLICANT_AGE = 16;

/**
 * The rejection applicant of a run on `today` (`YYYY-MM-DD`, China Standard Time): the scenario's
 * applicant with a synthetic id number (Beijing 东城区 110101, born 16 years ago today — the 28th on
 * a 29 February — sequence 002) and name.
 */
export function rejectionApplicant(base: ApplicantPii, today: string): ApplicantPii {
  const [year, month, day] = today.split('-') as [string, string, string];
  const birthDay = month === '02' && day === '29' ? '28' : day;
  const birth = `${Number(year) - REJECTION_APPLICANT_AGE}${month}${birthDay}`;
  return { ...base, name: '测试未成年', idNumber: withCheckCharacter(`110101${birth}002`) };
}

export interface RejectionResult {
  /** The application and the rejection it got, when the check came that far. */
  readonly applicationId: string | undefined;
  readonly decision: Readonly<Record<string, unknown>> | undefined;
}

export async function runRejection(ctx: RunContext): Promise<RejectionResult> {
  const applicationId = newId('conf-rej');
  let decision: Readonly<Record<string, unknown>> | undefined;
  let sent = false;
  await ctx.checks.run(
    'rejection',
    `an applicant under 18 is rejected: credit-decision callback "rejected", signed, per the contract`,
    async () => {
      const requestId = randomUUID();
      const minor = {
        ...ctx,
        scenario: { ...ctx.scenario, applicant: rejectionApplicant(ctx.scenario.applicant, todayCst()) },
      };
      const bodyText = applyBody(minor, requestId, applyFields(ctx, applicationId));
      try {
        expectSuccess('apply', await call(ctx, 'apply', 'apply (rejection)', APPLY, bodyText, requestId));
      } catch (error) {
        fail(`the apply was not acknowledged: ${(error as Error).message}`);
      }
      sent = true;
      const cb = await awaitCallback(ctx, 'credit-decision', (b) => b.applicationId === applicationId);
      if (cb.body.decision !== 'rejected')
        fail(
          `${String(cb.body.decision)} an applicant aged ${REJECTION_APPLICANT_AGE}: lending to a minor is forbidden, the lender must reject`,
        );
      decision = cb.body;
      return `rejected (${String(cb.body.reason ?? 'no reason given')})`;
    },
  );
  return { applicationId: sent ? applicationId : undefined, decision };
}
