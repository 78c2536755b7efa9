/**
 * Test support for the lender book and its store (not used by the sandbox itself): the requests
 * and book options both test files drive a `LenderBook` with, on one fixed clock, so a book built
 * in one test reads the same as in the other.
 */
import type { ApplyRequest, RepayRequest } from '../sdk/index.ts';
import type { LenderBookOptions } from './book.ts';
import { DEFAULT_PRODUCT } from './policy.ts';

/** The tests' clock: 2026-03-01 12:00 China Standard Time. */
export const NOW = Date.UTC(2026, 2, 1, 4);
/** An applicant profile every default product accepts. */
export const ADULT = { ageBand: '25-34', region: '310000' } as const;
export const DELAYS = { decisionMs: 1_000, disbursementMs: 500, repaymentMs: 200 } as const;

/**
 * Options of a book over the default product (its daily quota replaced when given), loan ids
 * numbered `loan-1`, `loan-2`, … after those already in `state`.
 */
export function bookOptions(
  options: { dailyQuota?: number; state?: LenderBookOptions['state'] } = {},
): LenderBookOptions {
  const { dailyQuota, state } = options;
  let n = state?.loans.length ?? 0;
  return {
    products: [dailyQuota === undefined ? DEFAULT_PRODUCT : { ...DEFAULT_PRODUCT, dailyQuota }],
    delays: DELAYS,
    newLoanId: () => `loan-${++n}`,
    ...(state === undefined ? {} : { state }),
  };
}

/** An apply for 10,000 yuan over 12 months; the PII block is opaque to the book. */
export function applyRequest(applicationId: string): ApplyRequest {
  return {
    applicationId,
    productCode: 'SBX-CASH',
    requestedAmountFen: 1_000_000,
    termMonths: 12,
    method: 'equal_installment',
    channel: 'c',
    consent: { version: 'v1', textSha256: 'a'.repeat(64), givenAt: '2026-03-01T00:00:00Z' },
    pii: { alg: 'RSA-OAEP-256+A256GCM', kid: 'k', wrappedKey: 'a', iv: 'a', ciphertext: 'a', tag: 'a' },
  };
}

/** The drawdown of app-1's full amount, which books loan-1. */
export const DRAWDOWN_APP_1 = {
  applicationId: 'app-1',
  drawdownId: 'dd-1',
  amountFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  startDate: '2026-03-01',
} as const;

/** A repayment of whole installments of loan-1. */
export function installmentRepayment(
  repaymentId: string,
  periods: readonly number[],
  amountFen: number,
): RepayRequest {
  return {
    loanId: 'loan-1',
    repaymentId,
    kind: 'installment',
    periods: [...periods],
    amountFen,
    requestedAt: '2026-03-01T05:00:00Z',
  };
}
