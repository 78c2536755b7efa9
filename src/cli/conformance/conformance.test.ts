import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedSandbox, spawnSandbox } from '../../../sandbox/lender/testing.ts';
import { generateKeyPair } from '../../protocol/envelope/index.ts';
import { type ConformanceOptions, type ConformanceReport, runConformance } from './index.ts';
import { lenderKeySet, signingKeyFromPem } from './options.ts';

/**
 * The kit against the real sandbox process: it passes, and in the sandbox's bad-signature fault
 * mode exactly the checks that rely on the lender's signatures fail.
 */

const PARTNER = 'sandbox-lender';
let dir: string;
let sandbox: SpawnedSandbox;
let options: ConformanceOptions;
let keyFile: string;
let lenderKeysFile: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conformance-test-'));
  const platform = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
  keyFile = join(dir, 'platform.pem');
  writeFileSync(keyFile, platform.privateKeyPem);
  const callbackPort = await freePort();
  sandbox = await spawnSandbox({
    SANDBOX_CONFIG: JSON.stringify({
      callbacks: { retryBaseMs: 20, retryCapMs: 50, maxAttempts: 3, timeoutMs: 2_000 },
      lenders: [{ partnerId: PARTNER, delays: { decisionMs: 20, disbursementMs: 10, repaymentMs: 10 } }],
    }),
    SANDBOX_DATA_DIR: join(dir, 'sandbox'),
    SANDBOX_RSA_BITS: '2048',
    SANDBOX_PLATFORM_URL: `http://127.0.0.1:${callbackPort}`,
    SANDBOX_PLATFORM_KEYS: JSON.stringify([platform.publicKey]),
  });
  // The file the sandbox writes for registration is what a partner hands over: use it as is.
  lenderKeysFile = join(dir, 'sandbox', PARTNER, 'public-keys.json');
  const { readFile } = await import('node:fs/promises');
  options = {
    lenderUrl: sandbox.url,
    partnerId: PARTNER,
    platformKey: signingKeyFromPem(platform.privateKeyPem),
    lenderKeys: lenderKeySet(JSON.parse(await readFile(lenderKeysFile, 'utf8')), PARTNER),
    callbackPort,
    callbackTimeoutMs: 3_000,
  };
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function byStatus(report: ConformanceReport, status: string): string[] {
  return report.checks.filter((c) => c.status === status).map((c) => c.id);
}

const ALL_CHECKS = [
  'keys',
  'pre-check',
  'apply',
  'callback.credit-decision',
  'drawdown',
  'callback.disbursement',
  'callback.repayment-schedule',
  'repay',
  'callback.repayment',
  'status-query',
  'idempotency.repeat-request-id',
  'idempotency.repeat-business-id',
  'idempotency.conflict-request-id',
  'idempotency.conflict-business-id',
  'security.bad-signature',
  'security.digest-mismatch',
  'security.expired-timestamp',
  'security.replayed-nonce',
  'security.unknown-partner',
  'timeouts',
];

describe('conformance kit against the sandbox', () => {
  it('passes every check', async () => {
    const report = await runConformance(options);
    expect(report.checks.map((c) => c.id)).toEqual(ALL_CHECKS);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report).toMatchObject({ passed: true, counts: { pass: ALL_CHECKS.length, fail: 0, skip: 0 } });
    expect(report.checks.find((c) => c.id === 'callback.credit-decision')!.detail).toMatch(
      /^approved: limit/,
    );
  });

  it('fails the checks that rely on the lender signing correctly when it signs badly', async () => {
    await fetch(`${sandbox.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ badSignature: true }),
    });
    try {
      const report = await runConformance(options);
      expect(report.passed).toBe(false);
      expect(byStatus(report, 'pass')).toEqual(['keys', 'security.unknown-partner', 'timeouts']);
      expect(byStatus(report, 'skip')).toEqual([
        'drawdown',
        'callback.disbursement',
        'callback.repayment-schedule',
        'repay',
        'callback.repayment',
        'status-query',
      ]);
      for (const id of byStatus(report, 'fail')) {
        expect(report.checks.find((c) => c.id === id)!.detail, id).toContain('SIGNATURE_INVALID');
      }
      expect(byStatus(report, 'fail')).toEqual(
        expect.arrayContaining(['pre-check', 'apply', 'callback.credit-decision', 'security.bad-signature']),
      );
    } finally {
      await fetch(`${sandbox.url}/sandbox/faults`, { method: 'POST', body: JSON.stringify({ reset: true }) });
    }
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
