import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DRAWDOWN, REPAY, type ScheduleInstallment, STATUS_QUERY } from '../sdk/index.ts';
import { penaltyFen } from './loans.ts';
import { SandboxDriver, waitFor } from './testing.ts';

/**
 * The sandbox as a real child process keeps its book in its data folder: stopped (or killed) and
 * started again on the same folder, it still knows every application and loan, repeats its answers,
 * sends the callbacks it had queued, and lists every money movement once. Then the faults that
 * misbehave on request: late decisions, rejections with a reason, overdue with a penalty, reversed
 * repayments — each consistent with the status query and the reconciliation file.
 */

const A = 'lender-a';
const B = 'lender-b';
const CONFIG = {
  callbacks: { retryBaseMs: 20, retryCapMs: 100, timeoutMs: 2_000 },
  lenders: [
    { partnerId: A, delays: { decisionMs: 20, disbursementMs: 300, repaymentMs: 10 } },
    { partnerId: B, delays: { decisionMs: 0, disbursementMs: 0, repaymentMs: 0 } },
  ],
};

/** Started once for the file; each restart in it respawns the process on the same data folder. */
const driver = new SandboxDriver({
  config: CONFIG,
  defaultPartnerId: A,
  dataDirPrefix: 'sandbox-restart-',
  logLevel: 'info',
});
const { lenderKeys, call, setFaults, callbacksOf, waitCallback, apply, approvedApplication, drawdownBody } =
  driver;

beforeAll(async () => {
  await driver.start();
});
afterEach(() => driver.reset());
afterAll(() => driver.close());

const schedule = (loanId: string, version: number) =>
  waitCallback('repayment-schedule', (b) => b.loanId === loanId && b.version === version);

/** Draws the approved application; waits for the loan's first schedule. */
async function disbursed(applicationId: string, partnerId = A) {
  const body = drawdownBody(applicationId);
  expect((await call(DRAWDOWN, body, { partnerId })).status).toBe(202);
  const result = await waitCallback('disbursement', (b) => b.drawdownId === body.drawdownId);
  expect(result.body.status).toBe('succeeded');
  const loanId = result.body.loanId as string;
  const first = await schedule(loanId, 1);
  return { drawdownId: body.drawdownId, loanId, rows: first.body.installments as ScheduleInstallment[] };
}

function repayBody(loanId: string, periods: number[], amountFen: number) {
  return {
    loanId,
    repaymentId: `rp-${randomUUID()}`,
    kind: 'installment',
    periods,
    amountFen,
    requestedAt: new Date().toISOString(),
  };
}

const due = (row: ScheduleInstallment) => row.principalFen + row.interestFen + row.feeFen + row.penaltyFen;

/** Today's reconciliation file (China Standard Time), as rows of cells without the header. */
async function reconciliation(partnerId = A): Promise<string[][]> {
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const csv = await (
    await fetch(`${driver.sandbox.url}/sandbox/reconciliation/${partnerId}/${today}.csv`)
  ).text();
  return csv
    .split('\r\n')
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => line.split(','));
}

/** The reconciliation rows of one loan: [type, business id, amount, principal, interest, fee, penalty]. */
async function movements(loanId: string, partnerId = A) {
  return (await reconciliation(partnerId))
    .filter((row) => row[2] === loanId)
    .map((row) => [row[0], row[1], ...row.slice(5).map(Number)]);
}

describe('restart', () => {
  it('keeps the book across a restart: the loan is repaid and paid off, every movement listed once', async () => {
    const applicationId = await approvedApplication();
    const { drawdownId, loanId, rows } = await disbursed(applicationId);
    const drawdownAgain = { ...drawdownBody(applicationId), drawdownId };
    const keysBefore = lenderKeys.get(A);

    await driver.sandbox.stop();
    await driver.start();
    expect(lenderKeys.get(A)).toEqual(keysBefore);
    expect(driver.sandbox.output()).toMatch(
      /book {7}\S+book\.sqlite {2}\(1 applications, 1 loans, 0 callbacks to send\)/,
    );

    // The book: the status query still knows the application, its drawdown and the loan.
    const status = await call(STATUS_QUERY, { applicationId, loanId });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      application: { applicationId, decision: 'approved' },
      drawdowns: [{ drawdownId, status: 'succeeded', loanId }],
      loan: { status: 'repaying', schedule: { loanId, version: 1 } },
    });
    // The memory: the drawdown id is known, with another body it is a conflict, not a second loan.
    expect((await call(DRAWDOWN, { ...drawdownAgain, amountFen: 600_000 })).status).toBe(409);

    const first = repayBody(loanId, [1], due(rows[0]!));
    expect((await call(REPAY, first)).status).toBe(202);
    expect((await waitCallback('repayment', (b) => b.repaymentId === first.repaymentId)).body).toMatchObject({
      periods: [1],
      principalFen: rows[0]!.principalFen,
      interestFen: rows[0]!.interestFen,
    });
    await schedule(loanId, 2);
    // A retry of the repayment under its request id after a restart is the first answer again.
    const requestId = randomUUID();
    const payoff = {
      loanId,
      repaymentId: `rp-${randomUUID()}`,
      kind: 'payoff',
      amountFen: 1_200_000 - rows[0]!.principalFen,
      requestedAt: new Date().toISOString(),
    };
    const paidOff = await call(REPAY, payoff, { requestId });
    expect(paidOff.status).toBe(202);
    await driver.sandbox.stop();
    await driver.start();
    expect((await call(REPAY, payoff, { requestId })).bodyText).toBe(paidOff.bodyText);
    expect((await call(REPAY, { ...payoff, repaymentId: `rp-${randomUUID()}` })).status).toBe(422); // settled

    await waitCallback('repayment', (b) => b.repaymentId === payoff.repaymentId);
    expect((await schedule(loanId, 3)).body.installments).toEqual(
      rows.map((row) => expect.objectContaining({ period: row.period, status: 'paid' })),
    );
    expect((await waitCallback('loan-status', (b) => b.loanId === loanId)).body).toMatchObject({
      status: 'settled',
      version: 1,
    });
    const after = await call(STATUS_QUERY, { loanId });
    expect(after.body).toMatchObject({ loan: { status: 'settled', schedule: { version: 3 } } });

    expect(await movements(loanId)).toEqual([
      ['disbursement', drawdownId, 1_200_000, 1_200_000, 0, 0, 0],
      ['repayment', first.repaymentId, due(rows[0]!), rows[0]!.principalFen, rows[0]!.interestFen, 0, 0],
      ['repayment', payoff.repaymentId, payoff.amountFen, payoff.amountFen, 0, 0, 0],
    ]);
    // Each callback is one message across both restarts. Delivery is at least once: a callback
    // the sandbox was stopped on after the platform took it but before it heard the answer is sent
    // again after the restart — under the same request id and body, which the platform
    // deduplicates — so messages are counted by request id.
    const messages = (
      ['credit-decision', 'disbursement', 'repayment', 'repayment-schedule', 'loan-status'] as const
    ).map((kind) => {
      const bodies = new Map<string, string>();
      for (const sent of callbacksOf(kind, (b) => b.loanId === loanId || b.applicationId === applicationId)) {
        expect(bodies.get(sent.requestId) ?? sent.bodyText).toBe(sent.bodyText);
        bodies.set(sent.requestId, sent.bodyText);
      }
      return bodies.size;
    });
    expect(messages).toEqual([1, 1, 2, 3, 1]);
  });

  it('sends the callbacks it had queued when it was stopped, under the same request id', async () => {
    const applicationId = await approvedApplication();
    driver.platform.failNext(1_000);
    const body = drawdownBody(applicationId);
    expect((await call(DRAWDOWN, body)).status).toBe(202);
    // Wait until the disbursement has been tried (and refused 503) at least once.
    await waitFor(
      () =>
        driver.sandbox.logs().includes('"status":503') &&
        driver.sandbox.logs().includes('"kind":"disbursement"')
          ? true
          : undefined,
      5_000,
      'a refused disbursement callback',
    );
    const tried = driver.sandbox
      .logs()
      .split('\n')
      .filter((line) => line.includes('"callback answered"') && line.includes('"kind":"disbursement"'))
      .map((line) => JSON.parse(line) as { requestId: string; businessId: string })
      .filter((line) => line.businessId === body.drawdownId);
    expect(tried.length).toBeGreaterThan(0);
    await driver.sandbox.stop();
    driver.platform.failNext(0);
    await driver.start();
    expect(driver.sandbox.output()).toMatch(/\d+ callbacks to send\)/);
    const arrived = await waitCallback('disbursement', (b) => b.drawdownId === body.drawdownId);
    expect(arrived.requestId).toBe(tried[0]!.requestId);
    await schedule(arrived.body.loanId as string, 1);
    expect(callbacksOf('disbursement', (b) => b.drawdownId === body.drawdownId)).toHaveLength(1);
  });

  it('survives a crash: what was answered is kept, with its callbacks', async () => {
    const applicationId = await approvedApplication();
    const body = drawdownBody(applicationId);
    expect((await call(DRAWDOWN, body)).status).toBe(202);
    // Killed within the disbursement delay (300 ms): the callbacks were queued, not yet sent.
    const child = driver.sandbox.child;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(callbacksOf('disbursement', (b) => b.drawdownId === body.drawdownId)).toHaveLength(0);
    await driver.start();
    const arrived = await waitCallback('disbursement', (b) => b.drawdownId === body.drawdownId);
    const loanId = arrived.body.loanId as string;
    await schedule(loanId, 1);
    expect((await movements(loanId)).map((row) => row.slice(0, 2))).toEqual([
      ['disbursement', body.drawdownId],
    ]);
  });
});

describe('faults that misbehave on request', () => {
  it('rejects every new application with the reason asked for', async () => {
    await setFaults({ partnerId: A, rejectReason: 'credit_score' });
    const { applicationId } = await apply();
    const decision = await waitCallback('credit-decision', (b) => b.applicationId === applicationId);
    expect(decision.body).toMatchObject({ decision: 'rejected', reason: 'credit_score' });
    expect((await call(STATUS_QUERY, { applicationId })).body).toEqual({ application: decision.body });
  });

  it('decides late: pending to the status query until the decision, which then comes by callback', async () => {
    await setFaults({ partnerId: A, decisionDelayMs: 800 });
    const sentAt = Date.now();
    const { applicationId } = await apply();
    expect((await call(STATUS_QUERY, { applicationId })).body).toEqual({
      application: { applicationId, decision: 'pending' },
    });
    const decision = await waitCallback('credit-decision', (b) => b.applicationId === applicationId);
    expect(decision.receivedAt - sentAt).toBeGreaterThanOrEqual(800);
    expect(decision.body.decision).toBe('approved');
    expect((await call(STATUS_QUERY, { applicationId })).body).toEqual({ application: decision.body });
  });

  it('makes an installment overdue with an exact penalty; repaid with it, the loan is current again', async () => {
    const { loanId, rows } = await disbursed(await approvedApplication());
    const penalty = penaltyFen(rows[0]!, '0.24', 10);
    const answer = await setFaults({ partnerId: A, overdue: { loanId, penaltyRate: '0.24', days: 10 } });
    expect(answer.overdue).toEqual({ [A]: [{ loanId, periods: [1], penaltyFen: penalty, capped: false }] });

    const pushed = (await schedule(loanId, 2)).body.installments as ScheduleInstallment[];
    expect(pushed[0]).toEqual({ ...rows[0]!, status: 'overdue', penaltyFen: penalty });
    expect(pushed.slice(1)).toEqual(rows.slice(1));
    expect((await waitCallback('loan-status', (b) => b.loanId === loanId)).body).toMatchObject({
      status: 'overdue',
      version: 1,
    });
    expect((await call(STATUS_QUERY, { loanId })).body).toMatchObject({
      loan: { status: 'overdue', schedule: { version: 2, installments: pushed } },
    });

    const without = await call(REPAY, repayBody(loanId, [1], due(rows[0]!)));
    expect(without.status).toBe(422);
    expect((without.body as { error: { message: string } }).error.message).toContain(
      `must be ${due(rows[0]!) + penalty}`,
    );
    const repay = repayBody(loanId, [1], due(pushed[0]!));
    expect((await call(REPAY, repay)).status).toBe(202);
    expect((await waitCallback('repayment', (b) => b.repaymentId === repay.repaymentId)).body).toMatchObject({
      penaltyFen: penalty,
      principalFen: rows[0]!.principalFen,
      interestFen: rows[0]!.interestFen,
    });
    expect((await schedule(loanId, 3)).body.installments).toEqual([
      { ...pushed[0]!, status: 'paid', paidFen: due(pushed[0]!) },
      ...rows.slice(1),
    ]);
    expect(
      (await waitCallback('loan-status', (b) => b.loanId === loanId && b.version === 2)).body.status,
    ).toBe('repaying');
    expect((await movements(loanId)).at(-1)).toEqual([
      'repayment',
      repay.repaymentId,
      due(pushed[0]!),
      rows[0]!.principalFen,
      rows[0]!.interestFen,
      0,
      penalty,
    ]);
  });

  it('makes the open loans overdue at once, and each loan disbursed while it stays set', async () => {
    const open = await disbursed(await approvedApplication(B), B);
    const answer = await setFaults({ partnerId: B, overdue: true });
    expect((answer.overdue as Record<string, { loanId: string }[]>)[B]!.map((l) => l.loanId)).toContain(
      open.loanId,
    );
    await schedule(open.loanId, 2);
    const fresh = drawdownBody(await approvedApplication(B));
    expect((await call(DRAWDOWN, fresh, { partnerId: B })).status).toBe(202);
    const result = await waitCallback('disbursement', (b) => b.drawdownId === fresh.drawdownId);
    const loanId = result.body.loanId as string;
    const first = (await schedule(loanId, 1)).body.installments as ScheduleInstallment[];
    const second = (await schedule(loanId, 2)).body.installments as ScheduleInstallment[];
    expect(second[0]).toMatchObject({ status: 'overdue', penaltyFen: penaltyFen(first[0]!, '0.18', 30) });
    expect((await waitCallback('loan-status', (b) => b.loanId === loanId)).body.status).toBe('overdue');
    const kinds = driver.platform.received
      .filter((c) => c.body.loanId === loanId)
      .map((c) => `${c.kind}${c.body.version ?? ''}`);
    expect(kinds).toEqual(['disbursement', 'repayment-schedule1', 'repayment-schedule2', 'loan-status1']);
  });

  it('reverses a repayment: reported, then a reversal, the installment unpaid again, net zero in the file', async () => {
    const { drawdownId, loanId, rows } = await disbursed(await approvedApplication());
    await setFaults({ partnerId: A, reverseRepayments: true });
    const repay = repayBody(loanId, [1], due(rows[0]!));
    expect((await call(REPAY, repay)).status).toBe(202);
    const repaid = await waitCallback('repayment', (b) => b.repaymentId === repay.repaymentId);
    const reversal = await waitCallback('repayment', (b) => b.reversalOf === repay.repaymentId);
    expect(reversal.body).toEqual({
      ...repaid.body,
      repaymentId: `rev:${repay.repaymentId}`,
      reversalOf: repay.repaymentId,
      paidAt: expect.any(String),
    });
    expect(Date.parse(reversal.body.paidAt as string)).toBeGreaterThanOrEqual(
      Date.parse(repaid.body.paidAt as string),
    );
    expect(driver.platform.received.indexOf(reversal)).toBeGreaterThan(
      driver.platform.received.indexOf(repaid),
    );
    expect(((await schedule(loanId, 2)).body.installments as ScheduleInstallment[])[0]!.status).toBe('paid');
    expect((await schedule(loanId, 3)).body.installments).toEqual(rows);
    expect((await call(STATUS_QUERY, { loanId })).body).toMatchObject({
      loan: { status: 'repaying', schedule: { version: 3, installments: rows } },
    });
    const amount = due(rows[0]!);
    const [p, i] = [rows[0]!.principalFen, rows[0]!.interestFen];
    expect(await movements(loanId)).toEqual([
      ['disbursement', drawdownId, 1_200_000, 1_200_000, 0, 0, 0],
      ['repayment', repay.repaymentId, amount, p, i, 0, 0],
      ['repayment', `rev:${repay.repaymentId}`, -amount, -p, -i, 0, 0],
    ]);
    // Paid again once the fault is off: the same installment, under a new repayment id.
    await setFaults({ partnerId: A, reverseRepayments: false });
    const again = repayBody(loanId, [1], amount);
    expect((await call(REPAY, again)).status).toBe(202);
    await schedule(loanId, 4);
  });
});
