/**
 * Test support for the modules downstream of applications: an application seeded as the journey
 * leaves it once the borrower has drawn down, written by its owner rather than by the test.
 */

import { randomUUID } from 'node:crypto';
import type { Executor } from '../db/transaction.ts';
import type { RepaymentMethod } from '../money/index.ts';
import type { ApplicationTables } from './tables.ts';

export interface SeededDrawdown {
  readonly applicationId: string;
  readonly drawdownId: string;
}

/** An application in `drawdown_requested` with its requested drawdown, as the journey leaves them. */
export async function seedDrawdown(
  executor: Executor<ApplicationTables>,
  input: {
    readonly partnerId: string;
    readonly channelCode: string;
    readonly amountFen: number;
    readonly termMonths: number;
    readonly startDate: string;
    readonly apr?: string;
    readonly method?: RepaymentMethod;
  },
): Promise<SeededDrawdown> {
  const applicationId = randomUUID();
  const drawdownId = randomUUID();
  const method = input.method ?? 'equal_installment';
  await executor
    .insertInto('applications')
    .values({
      id: applicationId,
      borrower_id: randomUUID(),
      channel_code: input.channelCode,
      lender_id: randomUUID(),
      partner_id: input.partnerId,
      product_id: randomUUID(),
      product_code: 'TEST',
      requested_amount_fen: input.amountFen,
      term_months: input.termMonths,
      method,
      day_count: 'ACT/360',
      status: 'drawdown_requested',
      consent_id: 'consent',
      approved_limit_fen: input.amountFen,
      approved_apr: input.apr ?? '0.18',
      approved_terms: [input.termMonths],
      approved_methods: [method],
      approval_valid_until: null,
      decision_reason: null,
      updated_at: new Date(),
    })
    .execute();
  await executor
    .insertInto('drawdowns')
    .values({
      id: drawdownId,
      application_id: applicationId,
      amount_fen: input.amountFen,
      term_months: input.termMonths,
      method,
      start_date: input.startDate,
      status: 'requested',
      lender_loan_id: null,
      failure_reason: null,
    })
    .execute();
  return { applicationId, drawdownId };
}
