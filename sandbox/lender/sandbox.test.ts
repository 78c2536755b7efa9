import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLY,
  DRAWDOWN,
  ENVELOPE_HEADERS,
  PRE_CHECK,
  REPAY,
  ResponseVerificationError,
  type ScheduleInstallment,
  STATUS_QUERY,
  signRequest,
  validateCallResponse,
  validateErrorBody,
  verifyResponse,
} from '../sdk/index.ts';
import { SANDBOX_APPLICANT, SandboxDriver, waitFor } from './testing.ts';

/**
 * The sandbox as a real child process, driven over HTTP with the SDK as the platform would drive
 * it, with a platform stand-in receiving its callbacks.
 */

const A = 'lender-a';
const B = 'lender-b';
const PII = SANDBOX_APPLICANT;
/** Each lender's pre-check keys, as the platform's operator would hand them over: A mid-rotation. */
const KEY_A = { keyId: 'pck_a2', secret: randomBytes(32) };
const KEY_A_OLD = { keyId: 'pck_a1', secret: randomBytes(32) };
const KEY_B = { keyId: 'pck_b1', secret: randomBytes(32) };
const EXISTING_CUSTOMER = '13900139000';
const CONFIG = {
  callbacks: { retryBaseMs: 20, retryCapMs: 100, maxAttempts: 4, timeoutMs: 2_000 },
  lenders: [
    {
      partnerId: A,
      name: 'Sandbox Bank A',
      delays: { decisionMs: 30, disbursementMs: 10, repaymentMs: 10 },
      existingCustomers: [EXISTING_CUSTOMER],
      preCheckKeys: [
        { keyId: KEY_A.keyId, secret: KEY_A.secret.toString('base64') },
        {
          keyId: KEY_A_OLD.keyId,
          secret: KEY_A_OLD.secret.toString('base64'),
          retiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      ],
    },
    {
      partnerId: B,
      preCheckKeys: [{ keyId: KEY_B.keyId, secret: KEY_B.secret.toString('base64') }],
      signingAlg: 'RSA-SHA256',
      delays: { decisionMs: 0, disbursementMs: 0, repaymentMs: 0 },
      products: [
        { productCode: 'B-LOAN', dailyQuota: 1, declinedRegions: ['65'], aprByTerm: { '6': '0.1' } },
      ],
    },
  ],
};

const driver = new SandboxDriver({
  config: CONFIG,
  defaultPartnerId: A,
  dataDirPrefix: 'sandbox-test-',
  logLevel: 'debug',
});
const {
  lenderKeys,
  call,
  setFaults,
  callbacksOf,
  waitCallback,
  applyBody,
  approvedApplication,
  drawdownBody,
} = driver;

beforeAll(async () => {
  await driver.start();
});
afterEach(() => driver.reset());
afterAll(() => driver.close());

interface Stats {
  pendingCallbacks: number;
  partners: Record<
    string,
    {
      calls: Record<string, number>;
      refused: Record<string, number>;
      injectedErrors: number;
      replayedAnswers: number;
      callbacks: Record<string, Record<string, number>>;
    }
  >;
}

async function stats(): Promise<Stats> {
  return (await (await fetch(`${driver.sandbox.url}/sandbox/stats`)).json()) as Stats;
}

const hmac = (key: Buffer, value: string) => createHmac('sha256', key).update(value, 'utf8').digest('hex');

/** A pre-check as the platform hashes it under `key`. */
function preCheckUnder(key: { keyId: string; secret: Buffer }, phone = PII.phone) {
  return {
    productCode: 'SBX-CASH',
    phoneHmac: hmac(key.secret, phone),
    idNumberHmac: hmac(key.secret, PII.idNumber),
    hashKeyId: key.keyId,
    ageBand: '35-44',
    region: '110000',
    amountBandFen: { min: 500_000, max: 2_000_000 },
  };
}

const PRE_CHECK_BODY = preCheckUnder(KEY_A);
const PRE_CHECK_BODY_B = preCheckUnder(KEY_B);

describe('start-up', () => {
  it('prints where it listens and each lender key, and publishes the key sets', () => {
    expect(driver.sandbox.output()).toContain(`listening on ${driver.sandbox.url}`);
    expect(driver.sandbox.output()).toContain(`lender ${A} (Sandbox Bank A)`);
    expect(driver.sandbox.output()).toContain(`${driver.sandbox.url}/keys/${B}`);
    for (const id of [A, B]) {
      const keys = lenderKeys.get(id)!;
      expect(keys.map((k) => k.use).sort()).toEqual(['encryption', 'signing']);
    }
    expect(lenderKeys.get(B)!.find((k) => k.use === 'signing')!.alg).toBe('RSA-SHA256');
  });
});

describe('signed calls', () => {
  it('answers a pre-check signed, with an indicative limit and APR range; declines by policy', async () => {
    const accepted = await call(PRE_CHECK, PRE_CHECK_BODY);
    expect(accepted.responseVerified).toBe(true);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({
      decision: 'accept',
      indicativeLimitFen: 5_000_000,
      aprMin: '0.12',
      aprMax: '0.21',
    });
    expect(validateCallResponse('pre-check', accepted.body)).toEqual([]);
    const old = await call(PRE_CHECK, { ...PRE_CHECK_BODY, ageBand: '55+' });
    expect(old.body).toEqual({ decision: 'decline', reason: 'not_eligible' });
    const region = await call(
      PRE_CHECK,
      { ...PRE_CHECK_BODY_B, productCode: 'B-LOAN', region: '650000' },
      { partnerId: B },
    );
    expect(region.body).toEqual({ decision: 'decline', reason: 'not_eligible' });
  });

  it('recognises an existing customer by HMAC under any of its valid keys; declines an unknown key id', async () => {
    for (const key of [KEY_A, KEY_A_OLD]) {
      const customer = await call(PRE_CHECK, preCheckUnder(key, EXISTING_CUSTOMER));
      expect(customer.body).toEqual({ decision: 'decline', reason: 'existing_customer' });
    }
    // The replaced key still works for anyone else during the overlap.
    expect((await call(PRE_CHECK, preCheckUnder(KEY_A_OLD))).body).toMatchObject({ decision: 'accept' });
    // Another partner's key, or a key nobody handed over, is not this lender's: answered 200, declined.
    for (const key of [KEY_B, { keyId: 'pck_unknown', secret: randomBytes(32) }]) {
      const unknown = await call(PRE_CHECK, preCheckUnder(key, EXISTING_CUSTOMER));
      expect(unknown.status).toBe(200);
      expect(unknown.body).toEqual({ decision: 'decline', reason: 'unknown_hash_key' });
      expect(validateCallResponse('pre-check', unknown.body)).toEqual([]);
    }
    // The banner names the key ids, never a secret.
    expect(driver.sandbox.output()).toContain('pck_a2, pck_a1');
    for (const key of [KEY_A, KEY_A_OLD, KEY_B]) {
      expect(driver.sandbox.output() + driver.sandbox.logs()).not.toContain(key.secret.toString('base64'));
      expect(driver.sandbox.output() + driver.sandbox.logs()).not.toContain(key.secret.toString('hex'));
    }
  });

  it('runs the life of a loan: decision, disbursement and schedule, installment, payoff and settlement', async () => {
    const applicationId = await approvedApplication();
    const decision = callbacksOf('credit-decision', (b) => b.applicationId === applicationId)[0]!.body;
    expect(decision).toMatchObject({
      limitFen: 5_000_000,
      apr: '0.18',
      termsMonths: [12],
      methods: expect.any(Array),
    });

    const drawdown = drawdownBody(applicationId);
    const { drawdownId, startDate } = drawdown;
    expect((await call(DRAWDOWN, drawdown)).body).toEqual({ accepted: true });
    const disbursed = await waitCallback('disbursement', (b) => b.drawdownId === drawdownId);
    expect(disbursed.body).toMatchObject({ status: 'succeeded', principalFen: 1_200_000, startDate });
    const loanId = disbursed.body.loanId as string;
    const schedule = await waitCallback('repayment-schedule', (b) => b.loanId === loanId && b.version === 1);
    expect(schedule.receivedAt).toBeGreaterThanOrEqual(disbursed.receivedAt);
    const rows = schedule.body.installments as ScheduleInstallment[];
    expect(rows).toHaveLength(12);
    expect(rows.reduce((sum, r) => sum + r.principalFen, 0)).toBe(1_200_000);

    const first = rows[0]!;
    const firstRepayment = `rp-${randomUUID()}`;
    const due = first.principalFen + first.interestFen + first.feeFen + first.penaltyFen;
    const installment = {
      loanId,
      repaymentId: firstRepayment,
      kind: 'installment',
      periods: [1],
      amountFen: due,
      requestedAt: new Date().toISOString(),
    };
    const wrong = await call(REPAY, {
      ...installment,
      repaymentId: `rp-${randomUUID()}`,
      amountFen: due + 1,
    });
    expect(wrong.status).toBe(422);
    expect((wrong.body as { error: { message: string } }).error.message).toContain(`must be ${due}`);
    expect((await call(REPAY, installment)).status).toBe(202);
    const repaid = await waitCallback('repayment', (b) => b.repaymentId === firstRepayment);
    expect(repaid.body).toMatchObject({
      periods: [1],
      earlyPayoff: false,
      principalFen: first.principalFen,
      interestFen: first.interestFen,
    });
    await waitCallback('repayment-schedule', (b) => b.loanId === loanId && b.version === 2);

    // Pay off today: the rest of the principal, no interest (same day as the start), free.
    const rest = 1_200_000 - first.principalFen;
    const payoffId = `rp-${randomUUID()}`;
    const payoff = {
      loanId,
      repaymentId: payoffId,
      kind: 'payoff',
      amountFen: rest,
      requestedAt: new Date().toISOString(),
    };
    expect((await call(REPAY, payoff)).status).toBe(202);
    const paidOff = await waitCallback('repayment', (b) => b.repaymentId === payoffId);
    expect(paidOff.body).toMatchObject({ earlyPayoff: true, principalFen: rest, interestFen: 0, feeFen: 0 });
    expect(paidOff.body.periods).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const finalSchedule = await waitCallback(
      'repayment-schedule',
      (b) => b.loanId === loanId && b.version === 3,
    );
    expect((finalSchedule.body.installments as ScheduleInstallment[]).every((r) => r.status === 'paid')).toBe(
      true,
    );
    const settled = await waitCallback('loan-status', (b) => b.loanId === loanId);
    expect(settled.body).toMatchObject({ status: 'settled', version: 1 });
    expect((await call(REPAY, { ...payoff, repaymentId: `rp-${randomUUID()}` })).status).toBe(422);

    const status = await call(STATUS_QUERY, { applicationId, loanId });
    expect(validateCallResponse('status-query', status.body)).toEqual([]);
    expect(status.body).toMatchObject({
      application: { applicationId, decision: 'approved' },
      drawdowns: [{ drawdownId, status: 'succeeded', loanId }],
      loan: { status: 'settled', schedule: { loanId, version: 3 } },
    });

    const csv = await (
      await fetch(`${driver.sandbox.url}/sandbox/reconciliation/${A}/${startDate}.csv`)
    ).text();
    // The file is by China Standard Time; near midnight UTC the day may differ from startDate.
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const file =
      today === startDate
        ? csv
        : await (await fetch(`${driver.sandbox.url}/sandbox/reconciliation/${A}/${today}.csv`)).text();
    expect(file.split('\r\n')[0]).toBe(
      'type,business_id,loan_id,application_id,occurred_at,amount_fen,principal_fen,interest_fen,fee_fen,penalty_fen',
    );
    expect(file).toContain(`disbursement,${drawdownId},${loanId},${applicationId},`);
    expect(file).toContain(`repayment,${firstRepayment},${loanId},`);
    expect(file).toContain(`repayment,${payoffId},${loanId},${applicationId},`);
    expect(file).toMatch(new RegExp(`repayment,${payoffId},.*,${rest},${rest},0,0,0\\r\\n`));
  });

  it('fails a drawdown above the limit by callback, and answers 404 for an unknown application', async () => {
    const applicationId = await approvedApplication();
    const body = drawdownBody(applicationId, { amountFen: 9_000_000, startDate: '2026-12-01' });
    const { drawdownId } = body;
    expect((await call(DRAWDOWN, body)).status).toBe(202);
    expect((await waitCallback('disbursement', (b) => b.drawdownId === drawdownId)).body).toMatchObject({
      status: 'failed',
      reason: 'over_limit',
    });
    const unknown = await call(DRAWDOWN, {
      ...body,
      applicationId: 'app-unknown',
      drawdownId: `dd-${randomUUID()}`,
    });
    expect(unknown.status).toBe(404);
    expect(validateErrorBody(unknown.body)).toEqual([]);
  });

  it('refuses an invalid body with the fields at fault, signed', async () => {
    const result = await call(DRAWDOWN, { applicationId: 'x', amountFen: -1 });
    expect(result.status).toBe(400);
    expect(result.responseVerified).toBe(true);
    const { error } = result.body as { error: { code: string; message: string; requestId: string } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('body.amountFen');
    expect(error.requestId).toBe(result.requestId);
  });

  it('rejects for quota and keeps the other lender apart', async () => {
    /** Applies to B's product, whose daily quota is one application; returns the decision. */
    const applyToB = async () => {
      const requestId = randomUUID();
      const body = applyBody(B, requestId, {
        productCode: 'B-LOAN',
        requestedAmountFen: 100_000,
        termMonths: 6,
      });
      expect((await call(APPLY, body, { partnerId: B, requestId })).status).toBe(202);
      return waitCallback('credit-decision', (b) => b.applicationId === body.applicationId);
    };
    expect((await applyToB()).partnerId).toBe(B);
    const rejected = await applyToB();
    expect(rejected.body).toMatchObject({ decision: 'rejected', reason: 'over_quota' });
    const preCheck = await call(PRE_CHECK, { ...PRE_CHECK_BODY_B, productCode: 'B-LOAN' }, { partnerId: B });
    expect(preCheck.body).toEqual({ decision: 'decline', reason: 'over_quota' });
  });
});

describe('idempotency', () => {
  it('answers a repeat of a request id with the first answer and no second effect; another body is 409', async () => {
    const requestId = randomUUID();
    const body = applyBody(A, requestId);
    const first = await call(APPLY, body, { requestId });
    const again = await call(APPLY, body, { requestId });
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.bodyText).toBe(first.bodyText);
    const conflict = await call(APPLY, { ...body, requestedAmountFen: 1_000_000 }, { requestId });
    expect(conflict.status).toBe(409);
    expect((conflict.body as { error: { code: string } }).error.code).toBe('CONFLICT');
    await waitCallback('credit-decision', (b) => b.applicationId === body.applicationId);
    // Nothing queued or in flight any more, so no second decision can still come.
    await waitFor(async () => ((await stats()).pendingCallbacks === 0 ? true : undefined));
    expect(callbacksOf('credit-decision', (b) => b.applicationId === body.applicationId)).toHaveLength(1);
  });

  it('recognises the same application under a new request id (re-encrypted PII); another body is 409', async () => {
    const firstId = randomUUID();
    const body = applyBody(A, firstId);
    expect((await call(APPLY, body, { requestId: firstId })).status).toBe(202);
    const before = (await stats()).partners[A]!.replayedAnswers;
    const retryId = randomUUID();
    const reEncrypted = { ...body, pii: applyBody(A, retryId).pii };
    expect(reEncrypted.pii.ciphertext).not.toBe(body.pii.ciphertext);
    expect((await call(APPLY, reEncrypted, { requestId: retryId })).status).toBe(202);
    expect((await stats()).partners[A]!.replayedAnswers).toBe(before + 1);
    const otherId = randomUUID();
    const other = {
      ...applyBody(A, otherId, {}, { ...PII, phone: '13900139000' }),
      applicationId: body.applicationId,
    };
    expect((await call(APPLY, other, { requestId: otherId })).status).toBe(409);
  });
});

describe('envelope refusals', () => {
  function rawPost(
    path: string,
    signed: ReturnType<typeof signRequest>,
    headers: Record<string, string> = {},
  ) {
    return fetch(`${driver.sandbox.url}${path}`, {
      method: 'POST',
      headers: { ...signed.headers, ...headers },
      body: signed.body,
    });
  }

  async function refusal(response: Response, partnerId: string, requestId: string, path: string) {
    const bodyText = await response.text();
    const verdict = verifyResponse({
      request: { method: 'POST', path, partnerId, requestId },
      status: response.status,
      headers: response.headers,
      body: bodyText,
      keys: lenderKeys.get(A)!,
      nowMs: Date.now(),
    });
    return {
      status: response.status,
      code: (JSON.parse(bodyText) as { error: { code: string } }).error.code,
      signed: verdict.ok,
    };
  }

  it('refuses a bad signature, an expired timestamp, a replayed nonce and an unknown partner', async () => {
    const before = (await stats()).partners;
    const sign = (overrides: { partnerId?: string; nowMs?: number } = {}) =>
      signRequest({
        method: 'POST',
        path: PRE_CHECK,
        body: PRE_CHECK_BODY,
        partnerId: A,
        key: driver.platformKey,
        nowMs: Date.now(),
        ...overrides,
      });

    const forged = sign();
    const sig = forged.headers[ENVELOPE_HEADERS.signature]!;
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect(
      await refusal(
        await rawPost(PRE_CHECK, forged, { [ENVELOPE_HEADERS.signature]: flipped }),
        A,
        forged.requestId,
        PRE_CHECK,
      ),
    ).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
      signed: true,
    });

    const stale = sign({ nowMs: Date.now() - 10 * 60_000 });
    expect(await refusal(await rawPost(PRE_CHECK, stale), A, stale.requestId, PRE_CHECK)).toEqual({
      status: 401,
      code: 'TIMESTAMP_OUT_OF_WINDOW',
      signed: true,
    });

    const once = sign();
    expect((await rawPost(PRE_CHECK, once)).status).toBe(200);
    expect(await refusal(await rawPost(PRE_CHECK, once), A, once.requestId, PRE_CHECK)).toEqual({
      status: 401,
      code: 'NONCE_REPLAYED',
      signed: true,
    });

    const stranger = sign({ partnerId: 'lender-unknown' });
    const unknown = await rawPost(PRE_CHECK, stranger);
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get(ENVELOPE_HEADERS.signature)).toBeNull(); // no lender whose key could vouch
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_PARTNER');

    const after = (await stats()).partners;
    for (const code of ['SIGNATURE_INVALID', 'TIMESTAMP_OUT_OF_WINDOW', 'NONCE_REPLAYED'])
      expect(after[A]!.refused[code]).toBe((before[A]!.refused[code] ?? 0) + 1);
    expect(after['(unknown)']!.refused.UNKNOWN_PARTNER).toBeGreaterThanOrEqual(1);
  });
});

describe('faults', () => {
  it('errors: answers 503 without effect, and the retry with the same request id then succeeds', async () => {
    await setFaults({ partnerId: A, errorRate: 1 });
    const requestId = randomUUID();
    const body = applyBody(A, requestId);
    const failed = await call(APPLY, body, { requestId });
    expect(failed.status).toBe(503);
    expect((failed.body as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
    expect((await call(PRE_CHECK, PRE_CHECK_BODY_B, { partnerId: B })).status).toBe(200); // per partner
    await setFaults({ partnerId: A, errorRate: 0 });
    expect((await call(APPLY, body, { requestId })).status).toBe(202);
    await waitCallback('credit-decision', (b) => b.applicationId === body.applicationId);
  });

  it('slow answers: each answer is held for the configured delay', async () => {
    await setFaults({ partnerId: A, responseDelayMs: 300 });
    const started = Date.now();
    expect((await call(PRE_CHECK, PRE_CHECK_BODY)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('bad signature: answers and callbacks carry a signature that does not verify', async () => {
    await setFaults({ partnerId: A, badSignature: true });
    await expect(call(PRE_CHECK, PRE_CHECK_BODY)).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    await expect(call(PRE_CHECK, PRE_CHECK_BODY)).rejects.toBeInstanceOf(ResponseVerificationError);
    const refusedBefore = driver.platform.refused.length;
    const requestId = randomUUID();
    const body = applyBody(A, requestId);
    await expect(call(APPLY, body, { requestId })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    await waitFor(
      () => (driver.platform.refused.length > refusedBefore ? true : undefined),
      3_000,
      'a refused callback',
    );
    expect(driver.platform.refused.at(-1)!.code).toBe('SIGNATURE_INVALID');
    await setFaults({ partnerId: A, badSignature: false });
    // Retried with a good signature once the fault is off.
    await waitCallback('credit-decision', (b) => b.applicationId === body.applicationId);
  });

  it('duplicate callbacks: each one twice, same bytes, new request id', async () => {
    await setFaults({ partnerId: A, duplicateCallbacks: true });
    const requestId = randomUUID();
    const body = applyBody(A, requestId);
    await call(APPLY, body, { requestId });
    const copies = await waitFor(() => {
      const got = callbacksOf('credit-decision', (b) => b.applicationId === body.applicationId);
      return got.length === 2 ? got : undefined;
    });
    expect(copies[0]!.bodyText).toBe(copies[1]!.bodyText);
    expect(copies[0]!.requestId).not.toBe(copies[1]!.requestId);
  });

  it('out-of-order callbacks: the schedule arrives before its disbursement', async () => {
    const applicationId = await approvedApplication();
    await setFaults({ partnerId: A, outOfOrderCallbacks: true });
    const drawdownId = `dd-${randomUUID()}`;
    const startDate = new Date().toISOString().slice(0, 10);
    await call(DRAWDOWN, {
      applicationId,
      drawdownId,
      amountFen: 600_000,
      termMonths: 12,
      method: 'equal_principal',
      startDate,
    });
    const disbursed = await waitCallback('disbursement', (b) => b.drawdownId === drawdownId);
    const index = (c: object) => driver.platform.received.indexOf(c as never);
    const schedule = callbacksOf('repayment-schedule', (b) => b.loanId === disbursed.body.loanId)[0]!;
    expect(index(schedule)).toBeLessThan(index(disbursed));
  });

  it('late callbacks: the decision is late, the status query already has it; callback retries count once', async () => {
    // A delay far longer than the test: the callback is held until the test releases it.
    await setFaults({ partnerId: A, callbackDelayMs: 600_000 });
    driver.platform.failNext(2);
    const requestId = randomUUID();
    const body = applyBody(A, requestId);
    const before = (await stats()).partners[A]!.callbacks['credit-decision']!;
    await call(APPLY, body, { requestId });
    const pulled = await waitFor(async () => {
      const answer = await call(STATUS_QUERY, { applicationId: body.applicationId });
      const application = (answer.body as { application?: { decision?: string } }).application;
      return application?.decision === 'approved' ? answer : undefined;
    });
    expect(pulled.body).toMatchObject({
      application: { applicationId: body.applicationId, decision: 'approved' },
    });
    expect(callbacksOf('credit-decision', (b) => b.applicationId === body.applicationId)).toHaveLength(0);
    expect((await stats()).partners[A]!.callbacks['credit-decision']!.sent).toBe(before.sent);
    const releasedAt = Date.now();
    const release = await fetch(`${driver.sandbox.url}/sandbox/callbacks/release`, { method: 'POST' });
    expect(((await release.json()) as { released: number }).released).toBeGreaterThanOrEqual(1);
    const late = await waitCallback('credit-decision', (b) => b.applicationId === body.applicationId);
    expect(late.receivedAt).toBeGreaterThanOrEqual(releasedAt);
    const counters = await waitFor(async () => {
      const now = (await stats()).partners[A]!.callbacks['credit-decision']!;
      return now.acknowledged > before.acknowledged ? now : undefined;
    });
    expect(counters.sent - before.sent).toBe(1);
    expect(counters.acknowledged - before.acknowledged).toBe(1);
    expect(counters.failedAttempts - before.failedAttempts).toBe(2);
    expect(counters.attempts - before.attempts).toBe(3);
  });
});

describe('operator routes', () => {
  it('counts calls and callbacks, refuses bad fault settings, 404s unknown partners', async () => {
    const snapshot = await stats();
    expect(snapshot.partners[A]!.calls.apply).toBeGreaterThan(0);
    expect(Object.keys(snapshot.partners[A]!.callbacks)).toEqual(
      expect.arrayContaining([
        'credit-decision',
        'disbursement',
        'repayment-schedule',
        'repayment',
        'loan-status',
      ]),
    );
    const bad = await fetch(`${driver.sandbox.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorRate: 2, typo: 1 }),
    });
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${driver.sandbox.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ partnerId: 'nobody' }),
    });
    expect(unknown.status).toBe(404);
    expect((await fetch(`${driver.sandbox.url}/sandbox/reconciliation/nobody/2026-01-01.csv`)).status).toBe(
      404,
    );
  });
});

describe('personal data', () => {
  it('never appears in the logs, although every apply was decrypted', () => {
    const logs = driver.sandbox.logs();
    expect(logs).toContain('"call answered"');
    for (const value of [PII.name, PII.idNumber, PII.phone, '13900139000']) expect(logs).not.toContain(value);
  });
});
