/**
 * Configuration of the sandbox lender process: a JSON document (file or inline, `SANDBOX_CONFIG`)
 * with environment overrides. Parsing is pure — the caller reads the file — and lists every
 * problem at once. See docs/sandbox.md for the format.
 */
import { join } from 'node:path';
import type { EncryptionAlgorithm, PublicKeyRecord, SignatureAlgorithm } from '../sdk/index.ts';
import type { OutcomeDelays } from './book.ts';
import { type FaultSettings, mergeFaults, NO_FAULTS } from './faults.ts';
import { DEFAULT_PRODUCT, type ProductPolicy, productProblems } from './policy.ts';
import { customerProblems, type PreCheckKeyConfig, parsePreCheckKeys } from './pre-check-keys.ts';

export interface LenderConfig {
  readonly partnerId: string;
  readonly name: string;
  readonly signingAlg: SignatureAlgorithm;
  /**
   * Algorithm of the generated encryption key PII is encrypted for: `SM2` (SM2 + SM4-GCM blocks) or
   * `RSA-OAEP-256`. Defaults to `SM2` for a lender that signs with `SM2-SM3` (a partner on the 国密
   * suite uses it throughout), else `RSA-OAEP-256`.
   */
  readonly encryptionAlg: EncryptionAlgorithm;
  /** A JSON key file (see keys.ts); when absent, keys live in `<dataDir>/<partnerId>/keys.json`. */
  readonly keysFile: string | undefined;
  readonly products: readonly ProductPolicy[];
  readonly delays: OutcomeDelays;
  readonly faults: FaultSettings;
  /**
   * Phones (11 digits) and id numbers (18 characters) of the lender's current customers: a
   * pre-check whose keyed hash is one of theirs is declined as `existing_customer`.
   */
  readonly existingCustomers: readonly string[];
  /** The partner's pre-check keys, as the platform's operator handed them over (pre-check-keys.ts). */
  readonly preCheckKeys: readonly PreCheckKeyConfig[];
}

export interface CallbackSettings {
  /** Per-attempt timeout. */
  readonly timeoutMs: number;
  /** First retry after about this long, doubling each time, with jitter, up to `retryCapMs`. */
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  /** Attempts before giving up on a callback; 0 = no limit (only the horizon). */
  readonly maxAttempts: number;
  /** Give up this long after the first attempt (PROTOCOL.md: at least 24 hours). */
  readonly horizonMs: number;
}

export interface PlatformSettings {
  /** Base URL callbacks go to, e.g. `http://127.0.0.1:3000`; without it callbacks wait. */
  readonly url: string | undefined;
  /** The platform's public signing keys, when given in the configuration. */
  readonly keys: readonly PublicKeyRecord[] | undefined;
  readonly keysFile: string | undefined;
  /** Fetch the keys from `{url}/open/v1/keys` (retrying) when none are configured. */
  readonly fetchKeys: boolean;
}

export interface SandboxConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /**
   * The SQLite file the lenders' books are kept in (store.ts): by default `<dataDir>/book.sqlite`;
   * `:memory:` keeps nothing, so a restart starts empty books.
   */
  readonly bookFile: string;
  readonly logLevel: string;
  /** RSA modulus of generated encryption (and RSA signing) keys. */
  readonly rsaBits: number;
  readonly platform: PlatformSettings;
  readonly callbacks: CallbackSettings;
  readonly lenders: readonly LenderConfig[];
}

export const DEFAULT_PARTNER_ID = 'sandbox-lender';

const DEFAULT_DELAYS: OutcomeDelays = { decisionMs: 1_000, disbursementMs: 500, repaymentMs: 200 };
const DEFAULT_CALLBACKS: CallbackSettings = {
  timeoutMs: 5_000,
  retryBaseMs: 500,
  retryCapMs: 60_000,
  maxAttempts: 0,
  horizonMs: 24 * 3_600_000,
};

export class SandboxConfigError extends Error {
  override readonly name = 'SandboxConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid sandbox configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

type Obj = Readonly<Record<string, unknown>>;

function asObject(value: unknown, path: string, problems: string[]): Obj {
  if (value === undefined) return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Obj;
  problems.push(`${path}: must be an object`);
  return {};
}

function int(o: Obj, key: string, path: string, fallback: number, problems: string[], min = 0): number {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
  problems.push(`${path}.${key}: must be an integer ≥ ${min}`);
  return fallback;
}

function str(o: Obj, key: string, path: string, problems: string[]): string | undefined {
  const value = o[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  problems.push(`${path}.${key}: must be a non-empty string`);
  return undefined;
}

function strings(o: Obj, key: string, path: string, problems: string[]): readonly string[] | undefined {
  const value = o[key];
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  problems.push(`${path}.${key}: must be an array of strings`);
  return undefined;
}

function dayCountOf(o: Obj, path: string, problems: string[]): ProductPolicy['dayCount'] {
  const value = o.dayCount;
  if (value === undefined) return DEFAULT_PRODUCT.dayCount;
  if (value === 'ACT/360' || value === 'ACT/365') return value;
  problems.push(`${path}.dayCount: must be ACT/360 or ACT/365`);
  return DEFAULT_PRODUCT.dayCount;
}

function product(value: unknown, path: string, problems: string[]): ProductPolicy {
  const o = asObject(value, path, problems);
  const aprByTerm = asObject(o.aprByTerm, `${path}.aprByTerm`, problems) as Record<string, string>;
  const p: ProductPolicy = {
    productCode: str(o, 'productCode', path, problems) ?? DEFAULT_PRODUCT.productCode,
    minAmountFen: int(o, 'minAmountFen', path, DEFAULT_PRODUCT.minAmountFen, problems, 1),
    maxAmountFen: int(o, 'maxAmountFen', path, DEFAULT_PRODUCT.maxAmountFen, problems, 1),
    limitFen: int(o, 'limitFen', path, DEFAULT_PRODUCT.limitFen, problems, 1),
    aprByTerm: o.aprByTerm === undefined ? DEFAULT_PRODUCT.aprByTerm : aprByTerm,
    methods: (strings(o, 'methods', path, problems) ?? DEFAULT_PRODUCT.methods) as ProductPolicy['methods'],
    ageBands: (strings(o, 'ageBands', path, problems) ??
      DEFAULT_PRODUCT.ageBands) as ProductPolicy['ageBands'],
    declinedRegions: strings(o, 'declinedRegions', path, problems) ?? DEFAULT_PRODUCT.declinedRegions,
    dailyQuota: int(o, 'dailyQuota', path, DEFAULT_PRODUCT.dailyQuota, problems),
    offerValidDays: int(o, 'offerValidDays', path, DEFAULT_PRODUCT.offerValidDays, problems, 1),
    dayCount: dayCountOf(o, path, problems),
  };
  problems.push(...productProblems(p).map((problem) => `${path}: ${problem}`));
  return p;
}

function lender(value: unknown, path: string, problems: string[]): LenderConfig {
  const o = asObject(value, path, problems);
  const partnerId = str(o, 'partnerId', path, problems) ?? DEFAULT_PARTNER_ID;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(partnerId))
    problems.push(`${path}.partnerId: must match [A-Za-z0-9._-]{1,64}`);
  const signingAlg = o.signingAlg ?? 'Ed25519';
  if (signingAlg !== 'Ed25519' && signingAlg !== 'RSA-SHA256' && signingAlg !== 'SM2-SM3')
    problems.push(`${path}.signingAlg: must be Ed25519, RSA-SHA256 or SM2-SM3`);
  const encryptionAlg = o.encryptionAlg ?? (signingAlg === 'SM2-SM3' ? 'SM2' : 'RSA-OAEP-256');
  if (encryptionAlg !== 'RSA-OAEP-256' && encryptionAlg !== 'SM2')
    problems.push(`${path}.encryptionAlg: must be RSA-OAEP-256 or SM2`);
  const delays = asObject(o.delays, `${path}.delays`, problems);
  const faults = mergeFaults(NO_FAULTS, o.faults ?? {});
  if (!faults.ok) problems.push(...faults.problems.map((problem) => `${path}.${problem}`));
  const existingCustomers = strings(o, 'existingCustomers', path, problems) ?? [];
  problems.push(...customerProblems(existingCustomers, `${path}.existingCustomers`));
  const products = o.products === undefined ? [undefined] : Array.isArray(o.products) ? o.products : [];
  if (o.products !== undefined && !Array.isArray(o.products))
    problems.push(`${path}.products: must be an array`);
  return {
    partnerId,
    name: str(o, 'name', path, problems) ?? partnerId,
    signingAlg: signingAlg === 'RSA-SHA256' || signingAlg === 'SM2-SM3' ? signingAlg : 'Ed25519',
    encryptionAlg: encryptionAlg === 'SM2' ? 'SM2' : 'RSA-OAEP-256',
    keysFile: str(o, 'keysFile', path, problems),
    products: products.map((p, i) => product(p, `${path}.products[${i}]`, problems)),
    delays: {
      decisionMs: int(delays, 'decisionMs', `${path}.delays`, DEFAULT_DELAYS.decisionMs, problems),
      disbursementMs: int(
        delays,
        'disbursementMs',
        `${path}.delays`,
        DEFAULT_DELAYS.disbursementMs,
        problems,
      ),
      repaymentMs: int(delays, 'repaymentMs', `${path}.delays`, DEFAULT_DELAYS.repaymentMs, problems),
    },
    faults: faults.ok ? faults.faults : NO_FAULTS,
    existingCustomers,
    preCheckKeys: parsePreCheckKeys(o.preCheckKeys, `${path}.preCheckKeys`, problems),
  };
}

function platformKeys(
  value: unknown,
  path: string,
  problems: string[],
): readonly PublicKeyRecord[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : (value as { keys?: unknown } | null)?.keys;
  const ok =
    Array.isArray(list) &&
    list.every(
      (k) =>
        typeof k === 'object' &&
        k !== null &&
        typeof (k as Obj).kid === 'string' &&
        typeof (k as Obj).publicKeyPem === 'string' &&
        typeof (k as Obj).notBefore === 'number',
    );
  if (ok) return list as PublicKeyRecord[];
  problems.push(`${path}: must be a key set (an array of public key records, or { "keys": [...] })`);
  return undefined;
}

/** Parses a key set as the platform publishes it (`[...]` or `{ "keys": [...] }`). */
export function parseKeySet(value: unknown): readonly PublicKeyRecord[] | undefined {
  return platformKeys(value, 'keys', []);
}

/**
 * Builds the configuration from a parsed JSON document (`{}` for none) and the environment.
 * Environment variables win over the document: SANDBOX_HOST, SANDBOX_PORT, SANDBOX_DATA_DIR,
 * SANDBOX_BOOK_FILE, SANDBOX_PLATFORM_URL, SANDBOX_PLATFORM_KEYS (inline key set JSON),
 * SANDBOX_PLATFORM_KEYS_FILE, SANDBOX_PARTNERS (comma-separated partner ids, each a lender with the default policy, when the
 * document lists none), SANDBOX_LOG_LEVEL, SANDBOX_RSA_BITS.
 * @throws SandboxConfigError listing every problem.
 */
export function parseSandboxConfig(
  document: unknown,
  env: Readonly<Record<string, string | undefined>>,
): SandboxConfig {
  const problems: string[] = [];
  const doc = asObject(document, 'config', problems);
  const platform = asObject(doc.platform, 'config.platform', problems);
  const callbacks = asObject(doc.callbacks, 'config.callbacks', problems);

  let port = int(doc, 'port', 'config', 4100, problems);
  if (env.SANDBOX_PORT !== undefined) {
    port = Number(env.SANDBOX_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) problems.push('SANDBOX_PORT: must be 0–65535');
  }

  const rsaBits =
    env.SANDBOX_RSA_BITS === undefined
      ? int(doc, 'rsaBits', 'config', 3072, problems)
      : Number(env.SANDBOX_RSA_BITS);
  if (!Number.isInteger(rsaBits) || rsaBits < 2048 || rsaBits > 8192)
    problems.push('rsaBits: must be 2048–8192');

  let inlineKeys: unknown;
  if (env.SANDBOX_PLATFORM_KEYS !== undefined) {
    try {
      inlineKeys = JSON.parse(env.SANDBOX_PLATFORM_KEYS);
    } catch {
      problems.push('SANDBOX_PLATFORM_KEYS: must be JSON');
    }
  }
  const keys = platformKeys(inlineKeys ?? platform.keys, 'platform keys', problems);
  const keysFile = env.SANDBOX_PLATFORM_KEYS_FILE ?? str(platform, 'keysFile', 'config.platform', problems);
  const fetchKeys = platform.fetchKeys === undefined ? true : platform.fetchKeys === true;

  let lenderDocs: readonly unknown[] = Array.isArray(doc.lenders) ? doc.lenders : [];
  if (doc.lenders !== undefined && !Array.isArray(doc.lenders))
    problems.push('config.lenders: must be an array');
  if (lenderDocs.length === 0) {
    const ids = (env.SANDBOX_PARTNERS ?? DEFAULT_PARTNER_ID).split(',').map((id) => id.trim());
    lenderDocs = ids.filter((id) => id !== '').map((partnerId) => ({ partnerId }));
  }
  const lenders = lenderDocs.map((l, i) => lender(l, `config.lenders[${i}]`, problems));
  const seen = new Set<string>();
  for (const l of lenders) {
    if (seen.has(l.partnerId)) problems.push(`config.lenders: partner id ${l.partnerId} appears twice`);
    seen.add(l.partnerId);
  }

  const dataDir = env.SANDBOX_DATA_DIR ?? str(doc, 'dataDir', 'config', problems) ?? '.sandbox-data';
  const config: SandboxConfig = {
    host: env.SANDBOX_HOST ?? str(doc, 'host', 'config', problems) ?? '127.0.0.1',
    port,
    dataDir,
    bookFile:
      env.SANDBOX_BOOK_FILE || (str(doc, 'bookFile', 'config', problems) ?? join(dataDir, 'book.sqlite')),
    logLevel: env.SANDBOX_LOG_LEVEL ?? str(doc, 'logLevel', 'config', problems) ?? 'info',
    rsaBits,
    platform: {
      url: (env.SANDBOX_PLATFORM_URL ?? str(platform, 'url', 'config.platform', problems))?.replace(
        /\/+$/,
        '',
      ),
      keys,
      keysFile,
      fetchKeys,
    },
    callbacks: {
      timeoutMs: int(callbacks, 'timeoutMs', 'config.callbacks', DEFAULT_CALLBACKS.timeoutMs, problems, 1),
      retryBaseMs: int(
        callbacks,
        'retryBaseMs',
        'config.callbacks',
        DEFAULT_CALLBACKS.retryBaseMs,
        problems,
        1,
      ),
      retryCapMs: int(callbacks, 'retryCapMs', 'config.callbacks', DEFAULT_CALLBACKS.retryCapMs, problems, 1),
      maxAttempts: int(callbacks, 'maxAttempts', 'config.callbacks', DEFAULT_CALLBACKS.maxAttempts, problems),
      horizonMs: int(callbacks, 'horizonMs', 'config.callbacks', DEFAULT_CALLBACKS.horizonMs, problems, 1),
    },
    lenders,
  };
  if (problems.length > 0) throw new SandboxConfigError(problems);
  return config;
}
