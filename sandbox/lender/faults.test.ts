import { describe, expect, it } from 'vitest';
import {
  corruptSignature,
  DEFAULT_OVERDUE,
  deliveryOrder,
  injectError,
  mergeFaults,
  NO_FAULTS,
} from './faults.ts';
import { fingerprint, IdempotencyMemory, stableJson } from './idempotency.ts';
import { reconciliationCsv } from './reconciliation.ts';

describe('faults', () => {
  it('merges partial updates and names every bad setting', () => {
    expect(mergeFaults(NO_FAULTS, { errorRate: 0.5, badSignature: true })).toEqual({
      ok: true,
      faults: { ...NO_FAULTS, errorRate: 0.5, badSignature: true },
    });
    expect(
      mergeFaults(NO_FAULTS, { errorRate: 2, responseDelayMs: -1, duplicateCallbacks: 'yes', typo: 1 }),
    ).toEqual({
      ok: false,
      problems: [
        'faults.errorRate: must be a number from 0 to 1',
        'faults.responseDelayMs: must be an integer from 0 to 600000',
        'faults.duplicateCallbacks: must be true or false',
        'faults.typo: is not a fault setting',
      ],
    });
    expect(mergeFaults(NO_FAULTS, null)).toEqual({ ok: false, problems: ['faults: must be an object'] });
  });

  it('takes the misbehaviour settings: late decisions, rejections, overdue, reversed repayments', () => {
    const merged = mergeFaults(NO_FAULTS, {
      decisionDelayMs: 2_000,
      rejectReason: 'credit_score',
      overdue: { period: 2, penaltyRate: '0.12', days: 15 },
      reverseRepayments: true,
    });
    expect(merged).toEqual({
      ok: true,
      faults: {
        ...NO_FAULTS,
        decisionDelayMs: 2_000,
        rejectReason: 'credit_score',
        overdue: { period: 2, penaltyRate: '0.12', days: 15 },
        reverseRepayments: true,
      },
    });
    if (!merged.ok) throw new Error('unreachable');
    expect(mergeFaults(merged.faults, { overdue: true, rejectReason: null })).toEqual({
      ok: true,
      faults: { ...merged.faults, overdue: DEFAULT_OVERDUE, rejectReason: null },
    });
    expect(mergeFaults(merged.faults, { overdue: false, rejectReason: '' })).toMatchObject({
      ok: true,
      faults: { overdue: null, rejectReason: null },
    });
    expect(mergeFaults(NO_FAULTS, { overdue: { loanId: 'loan-1' } })).toMatchObject({
      ok: true,
      faults: { overdue: { loanId: 'loan-1', penaltyRate: '0.18', days: 30 } },
    });
    expect(
      mergeFaults(NO_FAULTS, {
        overdue: { period: 0, penaltyRate: 0.2, days: 1.5, loanId: 'a b', typo: 1 },
        rejectReason: 7,
        decisionDelayMs: -1,
        reverseRepayments: 'yes',
      }),
    ).toEqual({
      ok: false,
      problems: [
        'faults.overdue.period: must be an installment number from 1 to 360',
        'faults.overdue.penaltyRate: must be a decimal string from "0" to "1", e.g. "0.18"',
        'faults.overdue.days: must be an integer from 1 to 1000',
        'faults.overdue.loanId: must be a loan id',
        'faults.overdue.typo: is not an overdue setting',
        'faults.rejectReason: must be a reason (a string of up to 200 characters) or null',
        'faults.decisionDelayMs: must be an integer from 0 to 600000',
        'faults.reverseRepayments: must be true or false',
      ],
    });
    expect(mergeFaults(NO_FAULTS, { overdue: { penaltyRate: '1.5' } })).toMatchObject({ ok: false });
    expect(mergeFaults(NO_FAULTS, { overdue: 'yes' })).toMatchObject({ ok: false });
  });

  it('takes the protocol violations the conformance kit must catch', () => {
    const update = { retryRefusals: true, prepaymentFeeFen: 5_000, approveAll: true, staleStatus: true };
    expect(mergeFaults(NO_FAULTS, update)).toEqual({ ok: true, faults: { ...NO_FAULTS, ...update } });
    expect(
      mergeFaults(NO_FAULTS, {
        retryRefusals: 1,
        prepaymentFeeFen: -1,
        approveAll: 'yes',
        staleStatus: null,
      }),
    ).toEqual({
      ok: false,
      problems: [
        'faults.retryRefusals: must be true or false',
        'faults.prepaymentFeeFen: must be an integer from 0 to 100000000',
        'faults.approveAll: must be true or false',
        'faults.staleStatus: must be true or false',
      ],
    });
  });

  it('decides errors by rate, reverses order, and corrupts a signature into another valid base64', () => {
    expect(injectError({ ...NO_FAULTS, errorRate: 0.3 }, () => 0.29)).toBe(true);
    expect(injectError({ ...NO_FAULTS, errorRate: 0.3 }, () => 0.3)).toBe(false);
    expect(injectError(NO_FAULTS, () => 0)).toBe(false);
    expect(deliveryOrder(NO_FAULTS, [1, 2, 3])).toEqual([1, 2, 3]);
    expect(deliveryOrder({ ...NO_FAULTS, outOfOrderCallbacks: true }, [1, 2, 3])).toEqual([3, 2, 1]);
    const signature = Buffer.alloc(64, 7).toString('base64');
    const corrupted = corruptSignature(signature);
    expect(corrupted).not.toBe(signature);
    expect(Buffer.from(corrupted, 'base64').toString('base64')).toBe(corrupted);
    expect(Buffer.from(corrupted, 'base64')).toHaveLength(64);
  });
});

describe('idempotency memory', () => {
  it('fingerprints meaning, not key order', () => {
    expect(stableJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(fingerprint('apply', { a: 1, b: 2 })).toBe(fingerprint('apply', { b: 2, a: 1 }));
    expect(fingerprint('apply', { a: 1 })).not.toBe(fingerprint('drawdown', { a: 1 }));
  });

  it('replays by request id and by business id, and conflicts on a different body', () => {
    const memory = new IdempotencyMemory();
    const answer = { status: 202, body: { accepted: true } };
    expect(memory.check('r1', 'apply:a1', 'f1')).toEqual({ kind: 'new' });
    memory.remember('r1', 'apply:a1', 'f1', answer);
    expect(memory.check('r1', 'apply:a1', 'f1')).toEqual({ kind: 'repeat', answer });
    expect(memory.check('r1', 'apply:a1', 'f2')).toEqual({ kind: 'conflict', on: 'request id' });
    expect(memory.check('r2', 'apply:a1', 'f1')).toEqual({ kind: 'repeat', answer });
    expect(memory.check('r2', 'apply:a1', 'f1')).toEqual({ kind: 'repeat', answer });
    expect(memory.check('r3', 'apply:a1', 'f2')).toEqual({ kind: 'conflict', on: 'business id' });
    expect(memory.check('r3', 'apply:a2', 'f2')).toEqual({ kind: 'new' });
    expect(memory.check('r4', undefined, 'f1')).toEqual({ kind: 'new' });
  });
});

describe('reconciliation file', () => {
  const entry = {
    type: 'repayment',
    businessId: 'rp-1',
    loanId: 'loan-1',
    applicationId: 'app-1',
    occurredAt: '2026-01-01T16:00:00.000Z',
    date: '2026-01-02',
    amountFen: 1100,
    principalFen: 1000,
    interestFen: 100,
    feeFen: 0,
    penaltyFen: 0,
  } as const;

  it('lists the entries of one day in time order, with a header, CRLF lines', () => {
    const earlier = {
      ...entry,
      type: 'disbursement',
      businessId: 'dd-1',
      occurredAt: '2026-01-01T16:00:00.000Z',
    } as const;
    const later = { ...entry, occurredAt: '2026-01-02T01:00:00.000Z' };
    const other = { ...entry, businessId: 'rp-0', date: '2026-01-01' };
    expect(reconciliationCsv([later, other, earlier], '2026-01-02')).toBe(
      'type,business_id,loan_id,application_id,occurred_at,amount_fen,principal_fen,interest_fen,fee_fen,penalty_fen\r\n' +
        'disbursement,dd-1,loan-1,app-1,2026-01-01T16:00:00.000Z,1100,1000,100,0,0\r\n' +
        'repayment,rp-1,loan-1,app-1,2026-01-02T01:00:00.000Z,1100,1000,100,0,0\r\n',
    );
    expect(reconciliationCsv([], '2026-01-03').split('\r\n')).toHaveLength(2);
    expect(reconciliationCsv([{ ...entry, businessId: 'a,"b"' }], '2026-01-02')).toContain(
      'repayment,"a,""b""",',
    );
  });
});
