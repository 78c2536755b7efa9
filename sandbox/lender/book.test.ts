import { describe, expect, it } from 'vitest';
import type { ApplyRequest } from '../sdk/index.ts';
import { LenderBook } from './book.ts';
import { DEFAULT_PRODUCT } from './policy.ts';

const NOW = Date.UTC(2026, 2, 1, 4);
const DELAYS = { decisionMs: 1_000, disbursementMs: 500, repaymentMs: 200 };
const ADULT = { ageBand: '25-34', region: '310000' } as const;

function book(dailyQuota = 10): LenderBook {
  let n = 0;
  return new LenderBook({
    products: [{ ...DEFAULT_PRODUCT, dailyQuota }],
    delays: DELAYS,
    newLoanId: () => `loan-${++n}`,
  });
}

function apply(applicationId: string): ApplyRequest {
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

const drawdown = {
  applicationId: 'app-1',
  drawdownId: 'dd-1',
  amountFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  startDate: '2026-03-01',
} as const;

describe('lender book', () => {
  it('decides at once, calls back after the delay, and shows the decision only from then', () => {
    const b = book();
    const answer = b.apply(apply('app-1'), ADULT, NOW);
    expect(answer).toMatchObject({ ok: true, status: 202, body: { accepted: true } });
    if (!answer.ok) throw new Error('unreachable');
    expect(answer.callbacks).toEqual([
      expect.objectContaining({ kind: 'credit-decision', delayMs: 1_000, stream: 'app-1' }),
    ]);
    expect(answer.callbacks[0]!.body).toMatchObject({
      decision: 'approved',
      decidedAt: new Date(NOW + 1_000).toISOString(),
    });
    expect(b.statusQuery({ applicationId: 'app-1' }, NOW + 999)).toMatchObject({
      body: { application: { applicationId: 'app-1', decision: 'pending' } },
    });
    expect(b.statusQuery({ applicationId: 'app-1' }, NOW + 1_000)).toMatchObject({
      body: { application: { decision: 'approved' } },
    });
    expect(b.drawdown(drawdown, NOW + 10)).toMatchObject({ ok: false, code: 'INVALID_STATE' });
  });

  it('disburses, then pushes schedule version 1; the loan exists for repayment only once disbursed', () => {
    const b = book();
    b.apply(apply('app-1'), ADULT, NOW);
    const answer = b.drawdown(drawdown, NOW + 1_000);
    if (!answer.ok) throw new Error('unreachable');
    expect(answer.callbacks.map((c) => c.kind)).toEqual(['disbursement', 'repayment-schedule']);
    expect(answer.callbacks[1]!.body).toMatchObject({ loanId: 'loan-1', version: 1 });
    const repay = {
      loanId: 'loan-1',
      repaymentId: 'rp',
      kind: 'payoff',
      amountFen: 1_000_000,
      requestedAt: '2026-03-01T05:00:00Z',
    } as const;
    expect(b.repay(repay, NOW + 1_100)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    const paid = b.repay(repay, NOW + 1_500);
    if (!paid.ok) throw new Error(paid.message);
    expect(paid.callbacks.map((c) => c.kind)).toEqual(['repayment', 'repayment-schedule', 'loan-status']);
    expect(paid.callbacks[2]!.body).toMatchObject({ status: 'settled', version: 1 });
    expect(b.ledger().map((e) => [e.type, e.businessId, e.amountFen])).toEqual([
      ['disbursement', 'dd-1', 1_000_000],
      ['repayment', 'rp', 1_000_000],
    ]);
    expect(b.statusQuery({ loanId: 'loan-1' }, NOW + 2_000)).toMatchObject({
      body: { loan: { status: 'settled', schedule: { version: 2 } } },
    });
  });

  it('counts the daily quota per product on the CST day, and answers 404 for unknown ids', () => {
    const b = book(1);
    b.apply(apply('app-1'), ADULT, NOW);
    const second = b.apply(apply('app-2'), ADULT, NOW);
    if (!second.ok) throw new Error('unreachable');
    expect(second.callbacks[0]!.body).toMatchObject({ decision: 'rejected', reason: 'over_quota' });
    const nextDay = b.apply(apply('app-3'), ADULT, NOW + 86_400_000);
    if (!nextDay.ok) throw new Error('unreachable');
    expect(nextDay.callbacks[0]!.body).toMatchObject({ decision: 'approved' });
    expect(b.statusQuery({ applicationId: 'nope' }, NOW)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(b.drawdown({ ...drawdown, applicationId: 'nope' }, NOW)).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
  });
});
