import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedSandbox } from '../../sandbox/lender/testing.ts';
import { generateKeyPair } from '../protocol/envelope/index.ts';
import {
  CONFORMANCE_CHECKS,
  type ConformanceOptions,
  type ConformanceReport,
  runConformance,
} from './index.ts';
import { lenderKeySet, signingKeyFromPem } from './options.ts';
import { spawnTestSandbox, stopSandbox, TEST_CALLBACK_TIMING } from './testing.ts';

/**
 * The kit against the real sandbox process: it passes, and each check fails against a sandbox made
 * to misbehave the way it is about — bad signatures, a policy that approves a minor, a prepayment
 * fee, a final refusal retried, a stale status endpoint, a refusal to retry a 503.
 */

const PARTNER = 'sandbox-lender';
let dir: string;
let sandbox: SpawnedSandbox;
let options: ConformanceOptions;
let keyFile: string;
let lenderKeysFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conformance-test-'));
  const platform = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
  keyFile = join(dir, 'platform.pem');
  writeFileSync(keyFile, platform.privateKeyPem);
  const spawned = await spawnTestSandbox({
    dir,
    dataDir: 'sandbox',
    // A decision 400 ms after the apply: the status query straight after the acknowledgement sees it pending.
    lender: { partnerId: PARTNER, delays: { decisionMs: 400, disbursementMs: 10, repaymentMs: 10 } },
    platformKey: platform.publicKey,
    env: { SANDBOX_RSA_BITS: '2048' },
  });
  sandbox = spawned.sandbox;
  lenderKeysFile = spawned.lenderKeysFile;
  const { callbackPort } = spawned;
  const { readFile } = await import('node:fs/promises');
  options = {
    lenderUrl: sandbox.url,
    partnerId: PARTNER,
    platformKey: signingKeyFromPem(platform.privateKeyPem),
    lenderKeys: lenderKeySet(JSON.parse(await readFile(lenderKeysFile, 'utf8')), PARTNER),
    callbackPort,
    callbackTimeoutMs: 3_000,
    retryWindowMs: 300,
  };
});

afterAll(() => stopSandbox(sandbox, dir));

function byStatus(report: ConformanceReport, status: string): string[] {
  return report.checks.filter((c) => c.status === status).map((c) => c.id);
}

async function setFaults(faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandbox.url}/sandbox/faults`, {
    method: 'POST',
    body: JSON.stringify({ reset: true, ...faults }),
  });
  if (!response.ok) throw new Error(`faults not set: ${await response.text()}`);
}

/** Runs the kit with the sandbox misbehaving as `faults` say, then puts it right again. */
async function runWithFaults(faults: Record<string, unknown>): Promise<ConformanceReport> {
  await setFaults(faults);
  try {
    return await runConformance(options);
  } finally {
    await setFaults({});
  }
}

function detailOf(report: ConformanceReport, id: string): string {
  return report.checks.find((c) => c.id === id)!.detail;
}

describe('conformance kit against the sandbox', () => {
  it('passes every check', async () => {
    const report = await runConformance(options);
    expect(report.checks.map((c) => c.id)).toEqual([...CONFORMANCE_CHECKS]);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report).toMatchObject({
      passed: true,
      counts: { pass: CONFORMANCE_CHECKS.length, fail: 0, skip: 0 },
    });
    expect(detailOf(report, 'callback.credit-decision')).toMatch(/^approved: limit/);
    expect(detailOf(report, 'rejection')).toBe('rejected (not_eligible)');
    expect(detailOf(report, 'payoff')).toMatch(/^\d+ fen principal \+ 0 fen interest, periods 2–12$/);
    expect(detailOf(report, 'callback.loan-status')).toMatch(/^settled, version \d+$/);
    expect(detailOf(report, 'status.pending')).toBe('pending, then approved by callback');
    expect(detailOf(report, 'status.loan')).toMatch(/^settled, schedule version \d+$/);
    expect(detailOf(report, 'callback-refusal.retry-5xx')).toMatch(
      /^retried after \d+ ms under the same request id$/,
    );
    expect(detailOf(report, 'callback-refusal.final-4xx')).toMatch(/^not sent again within \d+ ms$/);
  });

  it('fails the rejection check when the lender approves an applicant under 18', async () => {
    const report = await runWithFaults({ approveAll: true });
    expect(byStatus(report, 'fail')).toEqual(['rejection']);
    expect(detailOf(report, 'rejection')).toContain('approved an applicant aged 16');
    // Without a rejection there is nothing to compare the status of a rejected application with.
    expect(byStatus(report, 'skip')).toEqual(['status.decided']);
  });

  it('fails the payoff check when the lender charges a prepayment fee', async () => {
    const report = await runWithFaults({ prepaymentFeeFen: 5_000 });
    expect(byStatus(report, 'fail')).toEqual(['payoff']);
    expect(detailOf(report, 'payoff')).toMatch(
      /was refused \(422 INVALID_STATE: amountFen must be \d+ .*early payoff is free/,
    );
    expect(byStatus(report, 'skip')).toEqual(['callback.loan-status']);
  });

  it('fails the final-refusal check when the lender retries a callback answered 422', async () => {
    const report = await runWithFaults({ retryRefusals: true });
    expect(byStatus(report, 'fail')).toEqual(['callback-refusal.final-4xx']);
    expect(detailOf(report, 'callback-refusal.final-4xx')).toMatch(
      /answered 422 INVALID_STATE, a final refusal, it was sent again after \d+ ms under the same request id/,
    );
  });

  it('fails the status checks when the status endpoint lags behind the callbacks', async () => {
    const report = await runWithFaults({ staleStatus: true });
    expect(byStatus(report, 'fail')).toEqual(['status-query', 'status.decided', 'status.loan']);
    expect(detailOf(report, 'status.decided')).toContain(
      'approved application: it is shown pending, the callback said approved',
    );
    expect(detailOf(report, 'status.loan')).toContain('answered 404 NOT_FOUND, expected 200');
  });

  it('fails the checks that rely on the lender signing correctly when it signs badly', async () => {
    const report = await runWithFaults({ badSignature: true });
    expect(report.passed).toBe(false);
    expect(byStatus(report, 'pass')).toEqual(['keys', 'security.unknown-partner', 'timeouts']);
    expect(byStatus(report, 'skip')).toEqual([
      'drawdown',
      'callback.disbursement',
      'callback.repayment-schedule',
      'repay',
      'callback.repayment',
      'status-query',
      'payoff',
      'callback.loan-status',
      'status.decided',
      'status.loan',
    ]);
    for (const id of byStatus(report, 'fail')) {
      expect(detailOf(report, id), id).toContain('SIGNATURE_INVALID');
    }
    expect(byStatus(report, 'fail')).toEqual(
      expect.arrayContaining([
        'pre-check',
        'apply',
        'callback.credit-decision',
        'rejection',
        'status.pending',
        'status.unknown',
        'callback-refusal.retry-5xx',
        'callback-refusal.final-4xx',
        'refusal.unknown-application',
        'security.bad-signature',
        'security.malformed-envelope',
        'security.unknown-key',
        'security.invalid-body',
        'security.undecryptable-pii',
      ]),
    );
  });
});

function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'conformance', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('conformance kit against a lender that never retries a callback', () => {
  let quitter: SpawnedSandbox;
  let quitterOptions: ConformanceOptions;

  beforeAll(async () => {
    const platform = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
    const spawned = await spawnTestSandbox({
      dir,
      dataDir: 'quitter',
      lender: { partnerId: PARTNER, delays: { decisionMs: 20, disbursementMs: 10, repaymentMs: 10 } },
      platformKey: platform.publicKey,
      // One attempt per callback: a 503 is given up at once, against the protocol.
      callbacks: { ...TEST_CALLBACK_TIMING, maxAttempts: 1 },
      env: { SANDBOX_RSA_BITS: '2048' },
    });
    quitter = spawned.sandbox;
    const { callbackPort } = spawned;
    const { readFile } = await import('node:fs/promises');
    const keys = JSON.parse(await readFile(spawned.lenderKeysFile, 'utf8'));
    quitterOptions = {
      ...options,
      lenderUrl: quitter.url,
      platformKey: signingKeyFromPem(platform.privateKeyPem),
      lenderKeys: lenderKeySet(keys, PARTNER),
      callbackPort,
      callbackTimeoutMs: 1_000,
    };
  });

  afterAll(async () => {
    await quitter?.stop();
  });

  it('fails the retry check, and only it', async () => {
    const report = await runConformance(quitterOptions);
    expect(byStatus(report, 'fail')).toEqual(['callback-refusal.retry-5xx']);
    expect(detailOf(report, 'callback-refusal.retry-5xx')).toBe(
      'answered 503 UNAVAILABLE, it was not retried within 1000 ms',
    );
  });
});

describe('lendgate conformance', () => {
  it('prints a JSON report and exits 0 when everything passes', async () => {
    const result = await runCli([
      '--lender',
      sandbox.url,
      '--partner',
      PARTNER,
      '--key',
      keyFile,
      '--lender-keys',
      lenderKeysFile,
      '--callback-port',
      String(options.callbackPort),
      '--callback-timeout',
      '3000',
      '--retry-window',
      '300',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as ConformanceReport;
    expect(report.passed).toBe(true);
    expect(result.code).toBe(0);
  });

  it('explains a usage error and exits 64', async () => {
    const result = await runCli(['--lender', sandbox.url]);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--partner is required');
    expect(result.stderr).toContain('Usage: lendgate conformance');
  });
});
