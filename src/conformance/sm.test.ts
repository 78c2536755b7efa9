import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedSandbox } from '../../sandbox/lender/testing.ts';
import { generateKeyPair, type PublicKeyRecord } from '../protocol/envelope/index.ts';
import { CONFORMANCE_CHECKS, runConformance } from './index.ts';
import { lenderKeySet, loadConformanceOptions, parseConformanceArgs, signingKeyFromPem } from './options.ts';
import { spawnTestSandbox, stopSandbox } from './testing.ts';

/**
 * A partner on the 国密 suite: the sandbox plays it (signingAlg SM2-SM3, encryptionAlg SM2), and the
 * conformance kit, given an SM2 platform key, runs its whole check list against it — SM2-SM3
 * signatures both ways, SM3 digests, PII in SM2 + SM4-GCM blocks — the rejection, the payoff, the
 * status endpoint, its signed refusals of callbacks and its refusals of bad calls included.
 */

const PARTNER = 'sandbox-sm-bank';
let dir: string;
let sandbox: SpawnedSandbox;
let callbackPort: number;
let platformPem: string;
let keysFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conformance-sm-'));
  const platform = await generateKeyPair('SM2-SM3', { notBefore: Date.now() - 60_000 });
  platformPem = platform.privateKeyPem;
  const spawned = await spawnTestSandbox({
    dir,
    dataDir: 'sandbox',
    lender: {
      partnerId: PARTNER,
      signingAlg: 'SM2-SM3',
      delays: { decisionMs: 20, disbursementMs: 10, repaymentMs: 10 },
    },
    // Only the platform's SM2-SM3 key is known to this lender: anything else is refused.
    platformKey: platform.publicKey,
  });
  ({ sandbox, callbackPort, lenderKeysFile: keysFile } = spawned);
}, 60_000);

afterAll(() => stopSandbox(sandbox, dir));

describe('conformance against a partner on the SM suite', () => {
  it('the sandbox publishes SM2-SM3 and SM2 keys for it', () => {
    const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as PublicKeyRecord[];
    expect(keys.map((k) => [k.use, k.alg])).toEqual([
      ['signing', 'SM2-SM3'],
      ['encryption', 'SM2'],
    ]);
  });

  it('passes every check with an SM2 platform key read from a PEM file, as the command does', async () => {
    const keyFile = join(dir, 'platform-sm2.pem');
    writeFileSync(keyFile, platformPem);
    const options = await loadConformanceOptions(
      parseConformanceArgs([
        '--lender',
        sandbox.url,
        '--partner',
        PARTNER,
        '--key',
        keyFile,
        '--lender-keys',
        keysFile,
        '--callback-port',
        String(callbackPort),
        '--callback-timeout',
        '5000',
        '--retry-window',
        '300',
      ]),
    );
    expect(options.platformKey.alg).toBe('SM2-SM3');
    const report = await runConformance(options);
    expect(report.checks.map((c) => c.id)).toEqual([...CONFORMANCE_CHECKS]);
    const failed = report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.detail}`);
    expect(failed).toEqual([]);
    expect(report.passed).toBe(true);
  }, 60_000);

  it('fails where the kit signs with a key the SM partner does not hold (an Ed25519 one)', async () => {
    const ed = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
    const report = await runConformance({
      lenderUrl: sandbox.url,
      partnerId: PARTNER,
      platformKey: signingKeyFromPem(ed.privateKeyPem),
      lenderKeys: lenderKeySet(JSON.parse(readFileSync(keysFile, 'utf8')), PARTNER),
      callbackPort,
      callbackTimeoutMs: 1_000,
      retryWindowMs: 300,
    });
    expect(report.passed).toBe(false);
  }, 60_000);
});
