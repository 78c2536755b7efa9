import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RepaymentScheduleCallback, ScheduleInstallment } from '../sdk/index.ts';
import { LenderBook } from './book.ts';
import {
  ADULT,
  applyRequest,
  bookOptions,
  DRAWDOWN_APP_1,
  installmentRepayment,
  NOW,
} from './book-fixtures.ts';
import type { QueuedCallback } from './delivery.ts';
import { IdempotencyMemory } from './idempotency.ts';
import { MEMORY_STORE, SandboxStore, SandboxStoreError } from './store.ts';

const dirs: string[] = [];
const stores: SandboxStore[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-store-'));
  dirs.push(dir);
  return join(dir, 'nested', 'book.sqlite');
}

function open(path?: string): SandboxStore {
  const store = SandboxStore.open(path);
  stores.push(store);
  return store;
}

function queued(requestId: string, stream: string, overrides: Partial<QueuedCallback> = {}): QueuedCallback {
  return {
    requestId,
    partnerId: 'lender-a',
    stream,
    kind: 'credit-decision',
    body: { applicationId: stream, decision: 'rejected', reason: 'x', decidedAt: '2026-03-01T04:00:01.000Z' },
    dueAtMs: NOW + 1_000,
    duplicate: false,
    ...overrides,
  };
}

/** A book with a life in it: applications (one rejected), a loan with one installment repaid and one reversed. */
function livedIn(): {
  book: LenderBook;
  memory: IdempotencyMemory;
  writes: ReturnType<LenderBook['takeChanges']>[];
} {
  const book = new LenderBook(bookOptions());
  const memory = new IdempotencyMemory();
  const writes: ReturnType<LenderBook['takeChanges']>[] = [];
  book.apply(applyRequest('app-1'), ADULT, NOW);
  book.apply(applyRequest('app-2'), ADULT, NOW, { rejectReason: 'credit_score' });
  memory.remember('r1', 'apply:app-1', 'f1', { status: 202, body: { accepted: true } });
  writes.push(book.takeChanges());
  const drawn = book.drawdown(DRAWDOWN_APP_1, NOW + 1_000);
  if (!drawn.ok) throw new Error(drawn.message);
  writes.push(book.takeChanges());
  const rows = (drawn.callbacks[1]!.body as RepaymentScheduleCallback).installments;
  book.markOverdue('loan-1', { penaltyRate: '0.18', days: 30 }, NOW + 1_500);
  const due = (r: ScheduleInstallment, penalty = 0) => r.principalFen + r.interestFen + penalty;
  const repay = (id: string, periods: number[], amountFen: number, reverse = false) => {
    const answer = book.repay(installmentRepayment(id, periods, amountFen), NOW + 2_000, { reverse });
    if (!answer.ok) throw new Error(answer.message);
  };
  const overdue = book.state().loans[0]!.installments[0]!;
  repay('rp-1', [1], due(overdue, overdue.penaltyFen));
  repay('rp-2', [2], due(rows[1]!), true);
  memory.remember('r2', 'repay:rp-2', 'f2', { status: 202, body: { accepted: true } });
  expect(memory.check('r3', 'apply:app-1', 'f1')).toMatchObject({ kind: 'repeat' });
  writes.push(book.takeChanges());
  return { book, memory, writes };
}

describe('sandbox store', () => {
  it('writes a book through, change by change, and reads it back equal after reopening', () => {
    const path = file();
    const { book, memory, writes } = livedIn();
    const store = open(path);
    const [first, ...rest] = writes;
    store.write('lender-a', { book: first!, answers: memory.takeChanges(), callbacks: [] });
    for (const changes of rest) store.write('lender-a', { book: changes, answers: [], callbacks: [] });
    store.close();

    const reopened = open(path);
    const records = reopened.load('lender-a');
    expect(records.book).toEqual(book.state());
    expect(new LenderBook(bookOptions({ state: records.book })).state()).toEqual(book.state());
    expect(new IdempotencyMemory(records.answers).entries()).toEqual(
      expect.arrayContaining(memory.entries()),
    );
    expect(records.answers).toHaveLength(memory.entries().length);
    // Every movement once, in order: the disbursement, two repayments and one reversal.
    expect(records.book.ledger.map((e) => [e.type, e.businessId, e.amountFen > 0])).toEqual([
      ['disbursement', 'dd-1', true],
      ['repayment', 'rp-1', true],
      ['repayment', 'rp-2', true],
      ['repayment', 'rev:rp-2', false],
    ]);
    expect(records.book.appliedPerDay).toEqual([{ productCode: 'SBX-CASH', day: '2026-03-01', count: 2 }]);
    expect(reopened.load('lender-b')).toEqual({
      book: { applications: [], drawdowns: [], loans: [], appliedPerDay: [], ledgerFrom: 0, ledger: [] },
      answers: [],
    });
    expect(reopened.counts()).toEqual({ applications: 2, loans: 1, callbacks: 0 });
  });

  it('keeps the answers of a rebuilt memory, repeats and conflicts as before', () => {
    const store = open();
    const memory = new IdempotencyMemory();
    memory.remember('r1', 'apply:a1', 'f1', { status: 202, body: { accepted: true } });
    memory.remember('r2', undefined, 'f2', { status: 200, body: { decision: 'accept' } });
    store.write('p', {
      book: new LenderBook(bookOptions()).takeChanges(),
      answers: memory.takeChanges(),
      callbacks: [],
    });
    expect(memory.takeChanges()).toEqual([]);
    const again = new IdempotencyMemory(store.load('p').answers);
    expect(again.check('r1', 'apply:a1', 'f1')).toEqual({
      kind: 'repeat',
      answer: { status: 202, body: { accepted: true } },
    });
    expect(again.check('r9', 'apply:a1', 'f1')).toMatchObject({ kind: 'repeat' });
    expect(again.takeChanges().map((e) => e.key)).toEqual(['request:r9']);
    expect(again.check('r9', 'apply:a1', 'other')).toEqual({ kind: 'conflict', on: 'request id' });
    expect(again.check('r2', undefined, 'f2')).toMatchObject({
      kind: 'repeat',
      answer: { body: { decision: 'accept' } },
    });
  });

  it('keeps queued callbacks in order per lender until each is settled', () => {
    const store = open(file());
    const book = new LenderBook(bookOptions()).takeChanges();
    store.write('lender-a', {
      book,
      answers: [],
      callbacks: [queued('c1', 'app-1'), queued('c2', 'app-2'), queued('c3', 'app-1', { duplicate: true })],
    });
    store.write('lender-b', {
      book,
      answers: [],
      callbacks: [queued('c4', 'app-9', { partnerId: 'lender-b' })],
    });
    expect(store.pendingCallbacks('lender-a').map((c) => [c.requestId, c.stream, c.duplicate])).toEqual([
      ['c1', 'app-1', false],
      ['c2', 'app-2', false],
      ['c3', 'app-1', true],
    ]);
    expect(store.pendingCallbacks('lender-a')[0]).toEqual(queued('c1', 'app-1'));
    store.removeCallback('c1');
    store.removeCallback('nope');
    expect(store.pendingCallbacks('lender-a').map((c) => c.requestId)).toEqual(['c2', 'c3']);
    expect(store.pendingCallbacks('lender-b').map((c) => c.requestId)).toEqual(['c4']);
  });

  it('writes nothing of a failed transaction', () => {
    const store = open();
    const memory = new IdempotencyMemory();
    memory.remember('r1', undefined, 'f', { status: 200, body: {} });
    const answers = memory.takeChanges();
    const book = new LenderBook(bookOptions()).takeChanges();
    // The same request id twice: the second insert breaks the UNIQUE constraint, the whole write is undone.
    expect(() =>
      store.write('p', { book, answers, callbacks: [queued('same', 's'), queued('same', 's')] }),
    ).toThrow();
    expect(store.load('p').answers).toEqual([]);
    expect(store.pendingCallbacks('lender-a')).toEqual([]);
    expect(() => store.transaction(() => store.transaction(() => 1))).not.toThrow();
  });

  it('keeps nothing in memory, and refuses a file another process holds', () => {
    const memory = open(MEMORY_STORE);
    expect(memory.path).toBe(':memory:');
    expect(open().path).toBe(':memory:');
    expect(open(MEMORY_STORE).counts()).toEqual({ applications: 0, loans: 0, callbacks: 0 });

    const path = file();
    open(path);
    // Another process (not this one: SQLite's locks are per process) cannot open it.
    const other = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { SandboxStore } from ${JSON.stringify(new URL('./store.ts', import.meta.url).href)};
         try { SandboxStore.open(${JSON.stringify(path)}); console.log('opened'); }
         catch (error) { console.log(error.name + ': ' + error.message); }`,
      ],
      { encoding: 'utf8' },
    );
    expect(other.stdout).toContain(`SandboxStoreError: ${path} is in use by another sandbox process`);
    expect(new SandboxStoreError('x').name).toBe('SandboxStoreError');
  });
});
