import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { type SpawnedSandbox, spawnSandbox } from '../../sandbox/lender/testing.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { runConformance } from '../conformance/index.ts';
import { DEMO_PARTNERS } from '../lenders/demo.ts';
import type { KeyAlgorithm, LenderServices } from '../lenders/index.ts';
import type { PublicKeyRecord, PublicSigningKey } from '../protocol/envelope/index.ts';
import type { PlatformKeyring } from '../protocol/platform-keys.ts';

/**
 * The demo's lenders: the sandbox lender process (sandbox/lender) plays the fictional partners of
 * src/lenders/demo.ts. Admission is real: each partner's sandbox keys are registered, the
 * conformance kit is run against a sandbox instance that calls the kit back, and only a passed run
 * moves the partner from `sandbox` to `active`. Then the sandbox is started for good, calling back
 * this platform. Its book is kept in its data folder (`book.sqlite`), so the demo's loans stay
 * repayable across restarts; the throw-away instance of the admission keeps its book in memory.
 *
 * Keys are exchanged as at a real admission: the sandbox publishes its public keys and the
 * platform registers them; the platform's public keys and each partner's pre-check keys (the
 * secrets of its pre-check hashes, which an operator would hand to a real partner out of band)
 * go to the sandbox in its configuration, through the child process's environment — never to a
 * log or the banner.
 */

/** Basis points of a decimal rate string ("0.072" → 720). */
function basisPoints(rate: string): number {
  const [whole = '0', fraction = ''] = rate.split('.');
  return Number(whole) * 10_000 + Number(fraction.padEnd(4, '0').slice(0, 4));
}

function rateOf(bp: number): string {
  return `0.${String(bp).padStart(4, '0')}`;
}

/**
 * Demo partners on the 国密 suite: the sandbox plays them with SM2-SM3 signatures and an SM2
 * encryption key (PII in SM2 + SM4-GCM blocks), and the platform answers them in SM2-SM3.
 */
export const SM_DEMO_PARTNERS: ReadonlySet<string> = new Set(['xinghe-bank']);

/** A partner's pre-check key in the sandbox's configuration (sandbox/lender/pre-check-keys.ts). */
export interface SandboxPreCheckKey {
  readonly keyId: string;
  /** Base64 of the 32 secret bytes. */
  readonly secret: string;
  readonly retiresAt: string | null;
}

/** Each demo partner's valid pre-check keys, by partner code. */
export type SandboxPreCheckKeys = Readonly<Record<string, readonly SandboxPreCheckKey[]>>;

/**
 * The demo partners' valid pre-check keys, for the sandbox that plays them. A partner without one
 * (seeded without a master key, or before pre-check keys existed) is issued one now.
 */
export async function demoPreCheckKeys(lenders: LenderServices): Promise<SandboxPreCheckKeys> {
  const codes: string[] = [];
  for (const demo of DEMO_PARTNERS) {
    const lender = await lenders.partners.findByCode(demo.partner.code);
    if (!lender) continue;
    await lenders.preCheckKeys.issueIfNone(lender.id, SYSTEM_ACTOR);
    codes.push(lender.code);
  }
  const secrets = await lenders.preCheckKeys.validSecrets(codes);
  const out: Record<string, SandboxPreCheckKey[]> = {};
  for (const [code, keys] of secrets) {
    out[code] = keys.map((key) => ({
      keyId: key.keyId,
      secret: key.secret.toString('base64'),
      retiresAt: key.retiresAt?.toISOString() ?? null,
    }));
    for (const key of keys) key.secret.fill(0);
  }
  return out;
}

/**
 * The sandbox's policy for the demo partners: APR rises with the term within each product's range.
 * `preCheckKeys`: each partner's pre-check keys; a partner without any declines every pre-check.
 */
export function demoSandboxLenders(preCheckKeys: SandboxPreCheckKeys = {}) {
  return DEMO_PARTNERS.map(({ partner, products }) => ({
    partnerId: partner.code,
    name: partner.legalName,
    preCheckKeys: preCheckKeys[partner.code] ?? [],
    ...(SM_DEMO_PARTNERS.has(partner.code) ? { signingAlg: 'SM2-SM3', encryptionAlg: 'SM2' } : {}),
    delays: { decisionMs: 300, disbursementMs: 300, repaymentMs: 200 },
    products: products.map((product) => {
      const min = basisPoints(product.aprMin);
      const max = basisPoints(product.aprMax);
      const terms = [...product.termsMonths].sort((a, b) => a - b);
      const aprByTerm = Object.fromEntries(
        terms.map((term, i) => [
          String(term),
          rateOf(Math.round(min + ((max - min) * (i + 1)) / (terms.length + 1))),
        ]),
      );
      return {
        productCode: product.code,
        minAmountFen: product.amountMinFen,
        maxAmountFen: product.amountMaxFen,
        limitFen: product.amountMaxFen,
        aprByTerm,
        methods: [...product.repaymentMethods],
        dailyQuota: 10_000,
        offerValidDays: 30,
        // The sandbox computes interest with the day count the platform lists for the product, so
        // their payoff amounts agree (an ACT/365 product paid off early, e.g.).
        dayCount: product.dayCount ?? 'ACT/360',
      };
    }),
  }));
}

export interface SandboxOptions {
  readonly port: number;
  readonly dataDir: string;
  readonly platformUrl: string;
  readonly platformKeys: readonly PublicSigningKey[];
  /** The partners' pre-check keys ({@link demoPreCheckKeys}). */
  readonly preCheckKeys: SandboxPreCheckKeys;
  /** The SQLite file of the book; by default `<dataDir>/book.sqlite`, `:memory:` for none. */
  readonly bookFile?: string;
}

export function startDemoSandbox(options: SandboxOptions): Promise<SpawnedSandbox> {
  const config = {
    host: '127.0.0.1',
    port: options.port,
    dataDir: options.dataDir,
    ...(options.bookFile === undefined ? {} : { bookFile: options.bookFile }),
    rsaBits: 2048,
    logLevel: 'warn',
    platform: { url: options.platformUrl, keys: options.platformKeys, fetchKeys: true },
    callbacks: { retryBaseMs: 200, retryCapMs: 30_000 },
    lenders: demoSandboxLenders(options.preCheckKeys),
  };
  return spawnSandbox({
    SANDBOX_CONFIG: JSON.stringify(config),
    SANDBOX_PORT: String(options.port),
    SANDBOX_EXIT_WITH_PARENT: '1',
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function publishedKeys(sandboxUrl: string, partnerId: string): Promise<PublicKeyRecord[]> {
  const response = await fetch(`${sandboxUrl}/keys/${partnerId}`);
  if (!response.ok) throw new Error(`sandbox has no keys for ${partnerId}`);
  return ((await response.json()) as { keys: PublicKeyRecord[] }).keys;
}

/** Registers every key of `keys` that the registry does not hold yet. */
async function registerKeys(
  lenders: LenderServices,
  lenderId: string,
  keys: readonly PublicKeyRecord[],
): Promise<void> {
  const held = new Set((await lenders.keys.keySetFor(lenderId, new Date()))?.map((key) => key.kid) ?? []);
  for (const key of keys) {
    if (held.has(key.kid)) continue;
    await lenders.keys.add(
      lenderId,
      {
        kid: key.kid,
        algorithm: key.alg as KeyAlgorithm,
        use: key.use,
        publicKeyPem: key.publicKeyPem,
        notBefore: new Date(Math.min(key.notBefore, Date.now())),
      },
      SYSTEM_ACTOR,
    );
  }
}

export interface DemoLenderDeps {
  readonly lenders: LenderServices;
  readonly keyring: PlatformKeyring;
  readonly logger: Logger;
}

/**
 * Admits the demo partners still in `sandbox`: keys registered, conformance run against a
 * throw-away sandbox instance (same keys, callbacks to the kit), run recorded, activated if passed.
 * Returns one line per partner for the start-up banner.
 */
export async function admitDemoLenders(deps: DemoLenderDeps, dataDir: string): Promise<string[]> {
  const pending = [];
  for (const demo of DEMO_PARTNERS) {
    const lender = await deps.lenders.partners.findByCode(demo.partner.code);
    if (lender?.status === 'sandbox') pending.push({ demo, lender });
  }
  if (pending.length === 0) return [];
  const callbackPort = await freePort();
  const platformKeys = await deps.keyring.publicKeys();
  const sandbox = await startDemoSandbox({
    port: 0,
    dataDir,
    // The conformance run's loans are not the demo's: nothing of them is kept.
    bookFile: ':memory:',
    platformUrl: `http://127.0.0.1:${callbackPort}`,
    platformKeys,
    preCheckKeys: await demoPreCheckKeys(deps.lenders),
  });
  const lines: string[] = [];
  try {
    for (const { demo, lender } of pending) {
      const keys = await publishedKeys(sandbox.url, lender.code);
      await registerKeys(deps.lenders, lender.id, keys);
      // The run is against this instance: it is the partner's base URL while it runs (the sandbox
      // started for good takes over afterwards), so the gate sees a pass for the URL it has.
      if (lender.callbackBaseUrl !== sandbox.url)
        await deps.lenders.partners.update(lender.id, { callbackBaseUrl: sandbox.url }, SYSTEM_ACTOR);
      const product = demo.products[0]!;
      const term = product.termsMonths.includes(12) ? 12 : product.termsMonths[0]!;
      const report = await runConformance({
        lenderUrl: sandbox.url,
        partnerId: lender.code,
        // The kit stands for the platform: it signs in the partner's suite, as the platform will.
        platformKey: await deps.keyring.signingKeyFor(keys),
        lenderKeys: keys,
        callbackPort,
        callbackTimeoutMs: 10_000,
        // The sandbox retries a callback after 100–200 ms: a second without a retry of a final
        // refusal is conclusive, and keeps the start-up short.
        retryWindowMs: 1_000,
        scenario: {
          productCode: product.code,
          amountFen: Math.min(product.amountMaxFen, Math.max(product.amountMinFen, 1_000_000)),
          termMonths: term,
          method: product.repaymentMethods[0]!,
        },
      });
      await deps.lenders.partners.recordConformanceRun(
        {
          lenderId: lender.id,
          startedAt: new Date(report.startedAt),
          finishedAt: new Date(report.finishedAt),
          passed: report.passed,
          report: { ...report },
          target: { lenderUrl: sandbox.url, keys },
        },
        SYSTEM_ACTOR,
      );
      if (report.passed) {
        await deps.lenders.partners.transition(
          lender.id,
          { to: 'active', reason: 'demo: conformance run against the sandbox lender passed' },
          SYSTEM_ACTOR,
        );
      }
      const failed = report.checks.filter((check) => check.status !== 'pass').map((check) => check.id);
      lines.push(
        `${lender.code}: conformance ${report.passed ? 'passed' : `failed (${failed.join(', ')})`}` +
          `${report.passed ? ' → active' : ''}`,
      );
      deps.logger.info(
        { partner: lender.code, passed: report.passed, failed },
        'demo lender conformance run',
      );
    }
  } finally {
    await sandbox.stop();
  }
  return lines;
}

/**
 * Brings the demo lenders up: admits those not yet active, then starts the sandbox for good on
 * `port`, calling back `platformUrl`, and points the partners' callback base URL at it.
 */
export async function startDemoLenders(
  deps: DemoLenderDeps,
  options: { dataDir: string; platformUrl: string; port: number },
): Promise<{ sandbox: SpawnedSandbox; lines: string[] }> {
  const lines = await admitDemoLenders(deps, options.dataDir);
  const sandbox = await startDemoSandbox({
    port: options.port,
    dataDir: options.dataDir,
    platformUrl: options.platformUrl,
    platformKeys: await deps.keyring.publicKeys(),
    // The keys valid now: a key rotated later reaches the sandbox at its next start (meanwhile the
    // platform asks it under the replaced key, still valid during the overlap).
    preCheckKeys: await demoPreCheckKeys(deps.lenders),
  });
  for (const demo of DEMO_PARTNERS) {
    const lender = await deps.lenders.partners.findByCode(demo.partner.code);
    if (lender && lender.callbackBaseUrl !== sandbox.url) {
      await deps.lenders.partners.update(lender.id, { callbackBaseUrl: sandbox.url }, SYSTEM_ACTOR);
    }
  }
  return { sandbox, lines };
}
