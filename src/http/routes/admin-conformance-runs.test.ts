import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedSandbox, spawnSandbox } from '../../../sandbox/lender/testing.ts';
import { CONFORMANCE_CHECKS } from '../../conformance/index.ts';
import {
  auth,
  bankBody,
  createLender,
  ed25519PublicPem,
  moveLender,
  uniqueCode,
} from '../../lenders/testing.ts';
import type { PublicKeyRecord } from '../../protocol/envelope/index.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

/**
 * Operator-run conformance against a real sandbox lender process: 202 with a running run, its
 * progress check by check, passed, recorded for the admission gate — which refuses to make the
 * partner live before, and again once its keys or base URL changed since the pass. A run whose
 * process stopped ends `failed: interrupted`.
 */

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const PRODUCT = 'sbx-cash';
let t: TestApp;
let dir: string;
let sandbox: SpawnedSandbox;
let operator: string;
let finance: string;
let compliance: string;
let lender: { id: string; code: string };
let callbackPort: number;

const base = () => `/api/v1/admin/lenders/${lender.id}`;
const get = (url: string, token = operator) => t.server.inject({ method: 'GET', url, headers: auth(token) });
const post = (url: string, payload: unknown, token = operator) =>
  t.server.inject({ method: 'POST', url, headers: auth(token), payload: payload as Record<string, unknown> });
const startRun = (payload: unknown = {}, token = operator) =>
  post(`${base()}/conformance-runs`, payload, token);

type Run = {
  id: number;
  status: string;
  passed: boolean | null;
  failureReason: string | null;
  progress: { done: number; total: number } | null;
  callbackUrl: string | null;
  lenderUrl: string | null;
  keySetDigest: string | null;
  report: { checks?: { id: string; status: string; detail: string }[] };
};

/** Polls the run until it ends, keeping every progress seen. */
async function untilEnded(runId: number): Promise<{ run: Run; seen: number[] }> {
  const seen: number[] = [];
  for (let i = 0; i < 1_200; i++) {
    const response = await get(`${base()}/conformance-runs/${runId}`, finance);
    expect(response.statusCode).toBe(200);
    const run = response.json() as Run;
    seen.push(run.progress?.done ?? -1);
    if (run.status !== 'running') return { run, seen };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the run did not end');
}

beforeAll(async () => {
  callbackPort = await freePort();
  t = await createTestApp({
    env: {
      CONFORMANCE_CALLBACK_PORT: String(callbackPort),
      CONFORMANCE_CALLBACK_TIMEOUT_MS: '3000',
      CONFORMANCE_RETRY_WINDOW_MS: '300',
    },
  });
  operator = await t.signIn(['operator']);
  finance = await t.signIn(['finance']);
  compliance = await t.signIn(['compliance']);
  const code = uniqueCode('conf');
  dir = mkdtempSync(join(tmpdir(), 'operator-conformance-'));
  sandbox = await spawnSandbox({
    SANDBOX_CONFIG: JSON.stringify({
      callbacks: { retryBaseMs: 20, retryCapMs: 50, maxAttempts: 5, timeoutMs: 2_000 },
      lenders: [
        {
          partnerId: code,
          delays: { decisionMs: 100, disbursementMs: 10, repaymentMs: 10 },
          products: [
            {
              productCode: PRODUCT,
              minAmountFen: 100_000,
              maxAmountFen: 5_000_000,
              limitFen: 5_000_000,
              aprByTerm: { '12': '0.18' },
              methods: ['equal_installment'],
              dailyQuota: 1_000,
              offerValidDays: 30,
            },
          ],
        },
      ],
    }),
    SANDBOX_DATA_DIR: dir,
    SANDBOX_RSA_BITS: '2048',
    // The partner's test environment calls back the kit's receiver, as an operator tells it to.
    SANDBOX_PLATFORM_URL: `http://127.0.0.1:${callbackPort}`,
    SANDBOX_PLATFORM_KEYS: JSON.stringify(await t.app.services.keyring.publicKeys()),
  });
  lender = await createLender(t, operator, bankBody({ code, callbackBaseUrl: sandbox.url }));
  await moveLender(t, operator, lender.id, 'under_review');
  await moveLender(t, operator, lender.id, 'sandbox');
  const published = JSON.parse(
    readFileSync(join(dir, code, 'public-keys.json'), 'utf8'),
  ) as PublicKeyRecord[];
  for (const key of published) {
    const added = await post(`${base()}/keys`, {
      kid: key.kid,
      algorithm: key.alg,
      use: key.use,
      publicKeyPem: key.publicKeyPem,
    });
    expect(added.statusCode, added.body).toBe(201);
  }
  const product = await post(`${base()}/products`, {
    code: PRODUCT,
    name: '沙箱现金贷',
    aprMin: '0.18',
    aprMax: '0.18',
    amountMinFen: 100_000,
    amountMaxFen: 5_000_000,
    termsMonths: [12],
    repaymentMethods: ['equal_installment'],
    dataCategories: ['name', 'id_number', 'phone', 'bank_card'],
  });
  expect(product.statusCode, product.body).toBe(201);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('operator-run conformance', () => {
  it('refuses to make the partner live before any run', async () => {
    const refused = await moveLender(t, operator, lender.id, 'active');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'LENDER_NOT_CONFORMANT',
      details: { latestConformancePassed: null },
    });
  });

  it('answers 202 with a running run, shows its progress check by check, and passes', async () => {
    const started = await startRun();
    expect(started.statusCode, started.body).toBe(202);
    const run = started.json() as Run;
    expect(run).toMatchObject({
      status: 'running',
      passed: null,
      callbackUrl: `http://127.0.0.1:${callbackPort}`,
      lenderUrl: sandbox.url,
      progress: { total: CONFORMANCE_CHECKS.length },
    });
    expect(run.keySetDigest).toMatch(/^[0-9a-f]{64}$/);

    // One run of a partner at a time (and the receiver's fixed port serves one).
    const again = await startRun();
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CONFLICT');

    const { run: ended, seen } = await untilEnded(run.id);
    const failed = (ended.report.checks ?? []).filter((c) => c.status !== 'pass');
    expect(failed).toEqual([]);
    expect(ended).toMatchObject({
      status: 'passed',
      passed: true,
      failureReason: null,
      progress: { done: CONFORMANCE_CHECKS.length, total: CONFORMANCE_CHECKS.length },
    });
    expect(ended.report.checks!.map((c) => c.id)).toEqual([...CONFORMANCE_CHECKS]);
    // Progress only grows, and was seen part-way.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.some((done) => done > 0 && done < CONFORMANCE_CHECKS.length)).toBe(true);

    const listed = await get(`${base()}/conformance-runs`, compliance);
    expect(listed.json().items[0]).toMatchObject({ id: run.id, status: 'passed' });

    const audit = await get(`/api/v1/admin/audit?targetId=${lender.id}&limit=100`, compliance);
    const actions = (audit.json().items as { action: string; details: Record<string, unknown> }[]).filter(
      (entry) => entry.action.startsWith('lender.conformance_run'),
    );
    expect(actions.map((entry) => [entry.action, entry.details.runId, entry.details.passed])).toEqual([
      ['lender.conformance_run', run.id, true],
      ['lender.conformance_run_start', run.id, undefined],
    ]);

    const active = await moveLender(t, operator, lender.id, 'active', 'conformance passed');
    expect(active.statusCode, active.body).toBe(200);
  }, 60_000);

  it('refuses a run of a partner that is live, and of one it does not know', async () => {
    const live = await startRun();
    expect(live.statusCode).toBe(409);
    expect(live.json().error.details).toMatchObject({ status: 'active', allowed: ['sandbox', 'suspended'] });
    const unknown = await post(
      '/api/v1/admin/lenders/00000000-0000-4000-8000-000000000000/conformance-runs',
      {},
    );
    expect(unknown.statusCode).toBe(404);
    expect((await get(`${base()}/conformance-runs/999999`)).statusCode).toBe(404);
    expect((await startRun({}, finance)).statusCode).toBe(403);
    expect((await startRun({ scenario: { amountFen: 0 } })).statusCode).toBe(400);
  });

  it('takes a pass only for the keys and base URL the partner has now', async () => {
    expect((await moveLender(t, operator, lender.id, 'suspended', 'key rotation')).statusCode).toBe(200);
    // A new signing key (rotation with overlap): the set the run tested is not the set of now.
    const rotated = await post(`${base()}/keys`, {
      algorithm: 'Ed25519',
      use: 'signing',
      publicKeyPem: ed25519PublicPem(),
    });
    expect(rotated.statusCode).toBe(201);
    const keys = await moveLender(t, operator, lender.id, 'active');
    expect(keys.statusCode).toBe(409);
    expect(keys.json().error).toMatchObject({
      code: 'LENDER_NOT_CONFORMANT',
      details: { latestConformancePassed: true, outdated: ['keys'] },
    });
    const moved = await t.server.inject({
      method: 'PATCH',
      url: base(),
      headers: auth(operator),
      payload: { callbackBaseUrl: 'https://elsewhere.example/lendgate' },
    });
    expect(moved.statusCode).toBe(200);
    const both = await moveLender(t, operator, lender.id, 'active');
    expect(both.json().error.details.outdated).toEqual(['callbackBaseUrl', 'keys']);
    expect(both.json().error.message).toContain('another base URL and key set');

    // Back to the sandbox's URL, and a run with the rotated key set passes: live again.
    await t.server.inject({
      method: 'PATCH',
      url: base(),
      headers: auth(operator),
      payload: { callbackBaseUrl: sandbox.url },
    });
    const started = await startRun({ scenario: { productCode: PRODUCT, amountFen: 500_000 } });
    expect(started.statusCode, started.body).toBe(202);
    const { run } = await untilEnded((started.json() as Run).id);
    expect(run.status).toBe('passed');
    expect((await moveLender(t, operator, lender.id, 'active', 'tested with the new key')).statusCode).toBe(
      200,
    );
  }, 60_000);

  it('ends a run its process left running as failed: interrupted', async () => {
    expect((await moveLender(t, operator, lender.id, 'suspended', 'investigation')).statusCode).toBe(200);
    const db = t.database.db;
    const insertRunning = async (heartbeatAgoMs: number) => {
      const at = new Date(Date.now() - 3 * 60_000);
      const { rows } = await sql<{ id: number }>`
        INSERT INTO conformance_runs (lender_id, status, started_at, report, recorded_at, checks_done,
          checks_total, heartbeat_at)
        VALUES (${lender.id}, 'running', ${at}, ${JSON.stringify({ checks: [] })}, ${at}, 3, 34,
          ${new Date(Date.now() - heartbeatAgoMs)})
        RETURNING id`.execute(db);
      return rows[0]!.id;
    };
    // Its heartbeat stopped two minutes ago (past the lease): the next read ends it.
    const stale = await insertRunning(2 * 60_000);
    const read = await get(`${base()}/conformance-runs/${stale}`);
    expect(read.json()).toMatchObject({ status: 'failed', passed: false, failureReason: 'interrupted' });
    // A restart on the embedded database ends every run left running, fresh heartbeat or not.
    const fresh = await insertRunning(0);
    expect((await get(`${base()}/conformance-runs/${fresh}`)).json().status).toBe('running');
    expect(await t.app.services.conformance.sweep({ everyRunning: true })).toBe(1);
    expect((await get(`${base()}/conformance-runs/${fresh}`)).json()).toMatchObject({
      status: 'failed',
      failureReason: 'interrupted',
    });
  });

  it('ends its own runs as interrupted when the process stops', async () => {
    // Callbacks held back 5 s: the run is waiting for its first one when the process stops.
    await fetch(`${sandbox.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ reset: true, callbackDelayMs: 5_000 }),
    });
    try {
      const started = await startRun();
      expect(started.statusCode, started.body).toBe(202);
      const runId = (started.json() as Run).id;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stopping = performance.now();
      await t.app.services.conformance.stop();
      expect(performance.now() - stopping).toBeLessThan(3_000);
      const run = (await get(`${base()}/conformance-runs/${runId}`)).json() as Run;
      expect(run).toMatchObject({ status: 'failed', passed: false, failureReason: 'interrupted' });
      expect(
        run.report.checks!.some((c) => c.status === 'skip' && c.detail === 'the run was interrupted'),
      ).toBe(true);
      expect((await startRun()).statusCode).toBe(503);
    } finally {
      await fetch(`${sandbox.url}/sandbox/faults`, { method: 'POST', body: JSON.stringify({ reset: true }) });
    }
  }, 30_000);
});
