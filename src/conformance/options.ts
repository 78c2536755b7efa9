/**
 * Options of a conformance run, and how the command line and files become them. Parsing is pure;
 * loading reads the two key files.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  type ApplicantPii,
  type PrivateSigningKey,
  type PublicKeyRecord,
  REPAYMENT_METHODS,
  type RepaymentMethod,
  sm2PrivateKey,
  sm2PublicKeyPem,
  spkiThumbprint,
} from '../protocol/envelope/index.ts';
import type { CheckResult } from './report.ts';

/** What the happy path asks the lender for; the lender under test must approve it. */
export interface Scenario {
  readonly productCode: string;
  readonly amountFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
  /** A synthetic applicant (never a real person). */
  readonly applicant: ApplicantPii;
}

export const DEFAULT_SCENARIO: Scenario = {
  productCode: 'SBX-CASH',
  amountFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  // Synthetic: a valid-looking id number (correct check digit) that belongs to no one we know of.
  applicant: {
    name: '测试用户',
    idNumber: '110101199003071233',
    phone: '13800138000',
    bankCard: '6222020200112233445',
    contacts: [{ name: '测试联系人', phone: '13900139000', relation: 'spouse' }],
  },
};

export interface ConformanceOptions {
  /** Base URL of the lender's endpoint, e.g. `https://lender.example.com/api`. */
  readonly lenderUrl: string;
  readonly partnerId: string;
  /** The key the kit signs with, standing for the platform's (the lender must know its public half). */
  readonly platformKey: PrivateSigningKey;
  /** The lender's published key set: signing keys verify its answers and callbacks; PII is encrypted for it. */
  readonly lenderKeys: readonly PublicKeyRecord[];
  /** Port of the callback receiver; the lender must send callbacks there. 0 = any free port. */
  readonly callbackPort: number;
  readonly callbackHost?: string;
  /** How long to wait for each callback (default 30 s). */
  readonly callbackTimeoutMs?: number;
  /**
   * How long a callback answered with a final refusal is watched for a retry that must not come
   * (default 10 s; three times the lender's observed retry delay when that is longer, up to the
   * callback timeout).
   */
  readonly retryWindowMs?: number;
  readonly scenario?: Partial<Scenario>;
  /** Told of each check's result as it is recorded (an operator-run's progress). */
  readonly onResult?: (result: CheckResult, recorded: readonly CheckResult[]) => void;
  /** Aborting it interrupts the run: the checks still to come are skipped. */
  readonly signal?: AbortSignal;
  /** Told where the callback receiver listens, once it does (before the first call). */
  readonly onListening?: (callbackUrl: string) => void;
}

export const DEFAULT_RETRY_WINDOW_MS = 10_000;

export const DEFAULT_CALLBACK_PORT = 4180;

export class ConformanceUsageError extends Error {
  override readonly name = 'ConformanceUsageError';
}

/** The command line, parsed and checked (files not read yet). */
export interface ConformanceArgs {
  readonly lender: string;
  readonly partner: string;
  readonly key: string;
  readonly keyId: string | undefined;
  readonly lenderKeys: string;
  readonly callbackPort: number;
  readonly callbackHost: string;
  readonly callbackTimeoutMs: number;
  readonly retryWindowMs: number;
  readonly json: boolean;
  readonly scenario: Partial<Scenario>;
}

function positiveInt(value: string | undefined, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new ConformanceUsageError(`${name} must be an integer from 0 to ${max}`);
  return n;
}

export function parseConformanceArgs(args: readonly string[]): ConformanceArgs {
  const { values } = parseArgs({
    args: [...args],
    options: {
      lender: { type: 'string' },
      partner: { type: 'string' },
      key: { type: 'string' },
      'key-id': { type: 'string' },
      'lender-keys': { type: 'string' },
      'callback-port': { type: 'string' },
      'callback-host': { type: 'string' },
      'callback-timeout': { type: 'string' },
      'retry-window': { type: 'string' },
      product: { type: 'string' },
      amount: { type: 'string' },
      term: { type: 'string' },
      method: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  for (const required of ['lender', 'partner', 'key', 'lender-keys'] as const) {
    if (values[required] === undefined) throw new ConformanceUsageError(`--${required} is required`);
  }
  try {
    new URL(values.lender!);
  } catch {
    throw new ConformanceUsageError('--lender must be a URL such as http://127.0.0.1:4100');
  }
  const method = values.method;
  if (method !== undefined && !(REPAYMENT_METHODS as readonly string[]).includes(method))
    throw new ConformanceUsageError(`--method must be one of ${REPAYMENT_METHODS.join(', ')}`);
  const amount = positiveInt(values.amount, '--amount (fen)', 1_000_000_000);
  const term = positiveInt(values.term, '--term (months)', 360);
  return {
    lender: values.lender!,
    partner: values.partner!,
    key: values.key!,
    keyId: values['key-id'],
    lenderKeys: values['lender-keys']!,
    callbackPort: positiveInt(values['callback-port'], '--callback-port', 65_535) ?? DEFAULT_CALLBACK_PORT,
    callbackHost: values['callback-host'] ?? '127.0.0.1',
    callbackTimeoutMs:
      positiveInt(values['callback-timeout'], '--callback-timeout (ms)', 3_600_000) ?? 30_000,
    retryWindowMs:
      positiveInt(values['retry-window'], '--retry-window (ms)', 3_600_000) ?? DEFAULT_RETRY_WINDOW_MS,
    json: values.json ?? false,
    scenario: {
      ...(values.product === undefined ? {} : { productCode: values.product }),
      ...(amount === undefined ? {} : { amountFen: amount }),
      ...(term === undefined ? {} : { termMonths: term }),
      ...(method === undefined ? {} : { method: method as RepaymentMethod }),
    },
  };
}

/**
 * A PKCS#8 PEM private key as a signing key: Ed25519, RSA (RSA-SHA256) or SM2 (SM2-SM3, to test a
 * lender on the 国密 suite); kid = SPKI thumbprint unless given.
 */
export function signingKeyFromPem(pem: string, kid?: string): PrivateSigningKey {
  const sm2 = sm2SigningKey(pem, kid);
  if (sm2 !== undefined) return sm2;
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConformanceUsageError('--key is not a PEM private key');
  }
  const type = key.asymmetricKeyType;
  if (type !== 'ed25519' && type !== 'rsa')
    throw new ConformanceUsageError(`--key: ${type} keys cannot sign here`);
  const publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return {
    kid: kid ?? spkiThumbprint(publicPem),
    alg: type === 'ed25519' ? 'Ed25519' : 'RSA-SHA256',
    privateKey: key,
  };
}

function sm2SigningKey(pem: string, kid: string | undefined): PrivateSigningKey | undefined {
  const candidate: PrivateSigningKey = { kid: kid ?? 'sm2', alg: 'SM2-SM3', privateKey: pem };
  let point: Uint8Array;
  try {
    ({ point } = sm2PrivateKey(candidate));
  } catch {
    return undefined; // not an SM2 key (or no SM provider): the other kinds are tried
  }
  return { ...candidate, kid: kid ?? spkiThumbprint(sm2PublicKeyPem(point)) };
}

/**
 * The lender's key set from a JSON document in any of the shapes in use: a bare array, the
 * platform's `{ "keys": [...] }`, or the sandbox's `GET /keys` answer `{ "lenders": [{ partnerId, keys }] }`.
 */
export function lenderKeySet(document: unknown, partnerId: string): readonly PublicKeyRecord[] {
  const doc = document as { keys?: unknown; lenders?: { partnerId?: unknown; keys?: unknown }[] } | null;
  const list = Array.isArray(document)
    ? document
    : Array.isArray(doc?.keys)
      ? doc.keys
      : Array.isArray(doc?.lenders)
        ? doc.lenders.find((l) => l.partnerId === partnerId)?.keys
        : undefined;
  if (!Array.isArray(list) || list.length === 0)
    throw new ConformanceUsageError(
      `--lender-keys: no key set found${doc?.lenders ? ` for partner ${partnerId}` : ''}`,
    );
  const keys = list as PublicKeyRecord[];
  if (!keys.some((k) => k.use === 'signing'))
    throw new ConformanceUsageError('--lender-keys: no signing key');
  if (!keys.some((k) => k.use === 'encryption'))
    throw new ConformanceUsageError('--lender-keys: no encryption key');
  return keys;
}

export async function loadConformanceOptions(args: ConformanceArgs): Promise<ConformanceOptions> {
  const read = async (path: string, flag: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new ConformanceUsageError(
        `${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  };
  const keyText = await read(args.key, '--key');
  const keysText = await read(args.lenderKeys, '--lender-keys');
  let keysDoc: unknown;
  try {
    keysDoc = JSON.parse(keysText);
  } catch {
    throw new ConformanceUsageError('--lender-keys is not JSON');
  }
  return {
    lenderUrl: args.lender,
    partnerId: args.partner,
    platformKey: signingKeyFromPem(keyText, args.keyId),
    lenderKeys: lenderKeySet(keysDoc, args.partner),
    callbackPort: args.callbackPort,
    callbackHost: args.callbackHost,
    callbackTimeoutMs: args.callbackTimeoutMs,
    retryWindowMs: args.retryWindowMs,
    scenario: args.scenario,
  };
}
