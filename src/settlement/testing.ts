/**
 * Test support for settlement: an isolated database with the settlement services, the real
 * inbound callback pipeline and LoanCallbacks wired with the accrual listener, LoanService, and
 * helpers that seed an approved application with a requested drawdown (as the journey would leave
 * it) and feed lender callbacks straight into the pipeline (signatures are tested in
 * http/routes/open.test.ts).
 */

import { createHash, randomUUID } from 'node:crypto';
import { ApplicationLifecycleService } from '../applications/lifecycle.ts';
import { type SeededDrawdown, seedDrawdown as seedApplicationDrawdown } from '../applications/testing.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import { LoanCallbacks } from '../loans/callbacks.ts';
import { LoanService } from '../loans/service.ts';
import { reportedInstallments } from '../loans/testing.ts';
import { quoteLoan } from '../money/index.ts';
import { callbackHandler } from '../protocol/contract-validators.ts';
import { type InboundAnswer, InboundCallbacks } from '../protocol/inbound.ts';
import type { ContractRule, ContractTerms } from './contract-terms.ts';
import { createSettlementServices, type SettlementServices } from './index.ts';
import type { SettlementTables } from './tables.ts';

export interface SettlementHarness {
  readonly handle: DatabaseHandle;
  readonly services: SettlementServices;
  readonly loans: LoanService;
  readonly inbound: InboundCallbacks;
  /** Lender codes the fake registry knows. */
  readonly lenders: Set<string>;
  setNow(iso: string | Date): void;
  now(): Date;
  close(): Promise<void>;
}

export type { SeededDrawdown };

export async function createSettlementHarness(start = '2026-01-01T00:00:00Z'): Promise<SettlementHarness> {
  const handle = await createTestDatabase();
  let now = new Date(start);
  const clock = () => now;
  const lenders = new Set<string>(['xinghe-bank', 'yuelu-finance']);
  const services = createSettlementServices(handle.db, {
    clock,
    lenders: { isKnownLender: async (code) => lenders.has(code) },
  });
  const lifecycle = new ApplicationLifecycleService(clock);
  const loans = new LoanService(handle.db, clock, lifecycle);
  const callbacks = new LoanCallbacks(lifecycle, services.accruals);
  const inbound = new InboundCallbacks(
    handle.db,
    {
      disbursement: callbackHandler('disbursement', callbacks.disbursementHandler),
      'repayment-schedule': callbackHandler('repayment-schedule', callbacks.scheduleHandler),
      repayment: callbackHandler('repayment', callbacks.repaymentHandler),
      'loan-status': callbackHandler('loan-status', callbacks.loanStatusHandler),
    },
    clock,
  );
  return {
    handle,
    services,
    loans,
    inbound,
    lenders,
    setNow: (value) => {
      now = new Date(value);
    },
    now: clock,
    close: () => handle.close(),
  };
}

/** The all-channels rule most tests price with: a fixed referral fee and service fees in bps. */
export function fixedReferralRule(referralFen: number, interestBps: number, feeBps = 0): ContractRule {
  return { channels: null, referral: { type: 'fixed', fen: referralFen }, service: { interestBps, feeBps } };
}

/**
 * A harness on 2026-01-01 whose `lender` has one contract version, effective that day: the start
 * of every test that prices accruals.
 */
export async function createHarnessWithContract(
  lender: string,
  terms: ContractTerms,
  reference?: string,
): Promise<SettlementHarness> {
  const h = await createSettlementHarness('2026-01-01T00:00:00Z');
  await h.services.contracts.addVersion(
    lender,
    { effectiveFrom: '2026-01-01', terms, ...(reference !== undefined ? { reference } : {}) },
    FINANCE,
  );
  return h;
}

/** An application in `drawdown_requested` with its drawdown, seeded by the applications module. */
export function seedDrawdown(
  handle: DatabaseHandle,
  input: Parameters<typeof seedApplicationDrawdown>[1],
): Promise<SeededDrawdown> {
  return seedApplicationDrawdown(handle.db, input);
}

let sequence = 0;

/** Feeds one lender callback into the pipeline, as the open API would after verifying it. */
export function deliver(
  inbound: InboundCallbacks,
  partnerId: string,
  kind: string,
  body: Record<string, unknown>,
  businessId: string,
  requestId = `cb-${++sequence}-${randomUUID()}`,
): Promise<InboundAnswer> {
  return inbound.ingest({
    partnerId,
    requestId,
    kind,
    businessId,
    bodySha256: createHash('sha256').update(JSON.stringify(body)).digest('base64'),
    body,
  });
}

/** The lender's schedule of a loan (money module), in the callback's shape. */
export function scheduleBody(
  loanId: string,
  version: number,
  terms: {
    readonly principalFen: number;
    readonly termMonths: number;
    readonly startDate: string;
    readonly apr?: string;
  },
  paidPeriods = 0,
) {
  const quote = quoteLoan({
    principalFen: terms.principalFen,
    termMonths: terms.termMonths,
    method: 'equal_installment',
    annualRate: terms.apr ?? '0.18',
    startDate: terms.startDate,
  });
  return {
    loanId,
    version,
    installments: reportedInstallments(quote.installments, paidPeriods),
  };
}

export const FINANCE = { type: 'operator', id: 'finance-1' } as const;

let ids = 0;
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** A disbursement straight into the accrual listener, in `executor`'s transaction or its own. */
export async function accrueDisbursement(
  h: SettlementHarness,
  input: {
    readonly lender: string;
    readonly loan: string;
    readonly channel: string;
    readonly principalFen: number;
    readonly at: string;
  },
  executor: Executor<SettlementTables> = h.handle.db,
): Promise<void> {
  ids += 1;
  await inTransaction(executor, (trx) =>
    h.services.accruals.onDisbursed(trx, {
      loanId: loanUuid(input.lender, input.loan),
      partnerId: input.lender,
      lenderLoanId: input.loan,
      applicationId: `app-${input.loan}`,
      drawdownId: `dd-${input.loan}`,
      channelCode: input.channel,
      principalFen: input.principalFen,
      disbursedAt: input.at,
      requestId: `cb-${ids}`,
    }),
  );
}

/** A repayment (or the reversal of one) straight into the accrual listener. */
export async function accrueRepayment(
  h: SettlementHarness,
  input: {
    readonly lender: string;
    readonly loan: string;
    readonly id: string;
    readonly at: string;
    readonly principalFen?: number;
    readonly interestFen: number;
    readonly feeFen?: number;
    readonly penaltyFen?: number;
    readonly earlyPayoff?: boolean;
    readonly reversalOf?: string;
  },
  executor: Executor<SettlementTables> = h.handle.db,
): Promise<void> {
  ids += 1;
  await inTransaction(executor, (trx) =>
    h.services.accruals.onRepaymentRecorded(trx, {
      id: uuid(ids),
      loanId: loanUuid(input.lender, input.loan),
      partnerId: input.lender,
      lenderLoanId: input.loan,
      applicationId: `app-${input.loan}`,
      lenderRepaymentId: input.id,
      paidAt: input.at,
      principalFen: input.principalFen ?? 0,
      interestFen: input.interestFen,
      feeFen: input.feeFen ?? 0,
      penaltyFen: input.penaltyFen ?? 0,
      earlyPayoff: input.earlyPayoff ?? false,
      ...(input.reversalOf !== undefined ? { reversalOf: input.reversalOf } : {}),
      requestId: `cb-${ids}`,
    }),
  );
}

/** A stable uuid per (lender, lender loan id), standing in for Lendgate's loan id. */
export function loanUuid(lender: string, loan: string): string {
  const hex = createHash('sha256').update(`${lender}/${loan}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
