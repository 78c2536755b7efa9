/**
 * Test support (not used by the sandbox itself): start the sandbox as a real child process, and a
 * tiny platform stand-in that receives callbacks, verifies them with the SDK and answers signed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APPLY,
  type ApplicantPii,
  type CallbackKind,
  callbackKindOf,
  encryptPii,
  errorBody,
  generateKeyPair,
  InMemoryNonceStore,
  type PrivateSigningKey,
  type PublicKeyRecord,
  type PublicSigningKey,
  type SignedCallResult,
  selectEncryptionKey,
  sendSignedRequest,
  signResponse,
  validateCallback,
  verifyRequest,
} from '../sdk/index.ts';

export interface SpawnedSandbox {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process printed on stdout (the banner). */
  output(): string;
  /** Everything it printed on stderr (its JSON log lines). */
  logs(): string;
  stop(): Promise<void>;
}

/** Spawns `node sandbox/lender/main.ts` with `env` and resolves once it prints its URL. */
export function spawnSandbox(env: Readonly<Record<string, string>>): Promise<SpawnedSandbox> {
  const child = spawn(process.execPath, ['sandbox/lender/main.ts'], {
    env: { ...process.env, SANDBOX_PORT: '0', SANDBOX_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start:\n${stdout}\n${stderr}`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited with ${code}:\n${stdout}\n${stderr}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match !== null && stdout.includes('\n\n')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ url: match[1]!, child, output: () => stdout, logs: () => stderr, stop });
      }
    });
  });
}

/** One callback as the stand-in received it. */
export interface ReceivedCallback {
  readonly kind: CallbackKind;
  readonly partnerId: string;
  readonly requestId: string;
  readonly bodyText: string;
  readonly body: Record<string, unknown>;
  readonly receivedAt: number;
}

/** What the stand-in refused (bad signature…), by envelope code. */
export interface RefusedCallback {
  readonly path: string;
  readonly code: string;
}

export interface PlatformStandIn {
  readonly url: string;
  readonly received: ReceivedCallback[];
  readonly refused: RefusedCallback[];
  /** Lender key sets the stand-in verifies callbacks with; set once the sandbox published them. */
  readonly lenderKeys: Map<string, readonly PublicKeyRecord[]>;
  /** The next `n` verified callbacks are answered 503 (to exercise retries). */
  failNext(n: number): void;
  close(): Promise<void>;
}

/** A platform stand-in that verifies callbacks with the SDK and answers them signed with `key`. */
export async function startPlatformStandIn(key: PrivateSigningKey): Promise<PlatformStandIn> {
  const received: ReceivedCallback[] = [];
  const refused: RefusedCallback[] = [];
  const lenderKeys = new Map<string, readonly PublicKeyRecord[]>();
  const nonces = new InMemoryNonceStore();
  let failures = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = req.url ?? '/';
    const verdict = await verifyRequest({
      method: req.method ?? '',
      path,
      headers: req.headers,
      body: raw,
      keys: { keysOf: async (id) => lenderKeys.get(id) },
      nonces,
      nowMs: Date.now(),
    });
    const partnerId = String(req.headers['x-lendgate-partner']);
    const requestId = String(req.headers['x-lendgate-request-id']);
    const answer = (status: number, body: unknown) => {
      const signed = signResponse({
        request: { method: req.method ?? '', path, partnerId, requestId },
        status,
        body,
        key,
        nowMs: Date.now(),
      });
      res.writeHead(status, signed.headers).end(signed.body);
    };
    if (!verdict.ok) {
      refused.push({ path, code: verdict.code });
      return answer(401, errorBody(verdict.code, verdict.message, requestId));
    }
    const kind = callbackKindOf(path);
    if (kind === undefined) return answer(404, errorBody('NOT_FOUND', 'no such callback', requestId));
    const bodyText = raw.toString('utf8');
    const body = JSON.parse(bodyText) as Record<string, unknown>;
    const problems = validateCallback(kind, body);
    if (problems.length > 0)
      return answer(400, errorBody('VALIDATION_FAILED', problems.join('; '), requestId));
    if (failures > 0) {
      failures -= 1;
      return answer(503, errorBody('UNAVAILABLE', 'try again', requestId));
    }
    received.push({ kind, partnerId, requestId, bodyText, body, receivedAt: Date.now() });
    answer(200, { status: 'applied' });
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    refused,
    lenderKeys,
    failNext(n) {
      failures = n;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Polls `check` until it returns a value (not `undefined`), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The applicant the driver's apply bodies carry unless a test passes another. */
export const SANDBOX_APPLICANT: ApplicantPii = {
  name: '测试用户',
  idNumber: '110101199003071234',
  phone: '13800138000',
};

export interface SandboxDriverOptions {
  /** The sandbox's `SANDBOX_CONFIG`. */
  readonly config: unknown;
  /** The partner a call is made as when the test names none. */
  readonly defaultPartnerId: string;
  /** Prefix of the temporary data folder, so a leftover one says which test made it. */
  readonly dataDirPrefix: string;
  readonly logLevel?: 'debug' | 'info' | 'warn';
}

/**
 * The sandbox as a real child process driven as the platform drives it: a data folder of its own,
 * an Ed25519 platform key it trusts, a platform stand-in receiving its callbacks, and signed calls
 * made with the SDK and checked against the lender keys it publishes. `start` can be called again
 * after `sandbox.stop()` (or a kill) to restart the process on the same data folder.
 */
export class SandboxDriver {
  /** The lender key sets the sandbox published at its last start, by partner id. */
  readonly lenderKeys = new Map<string, readonly PublicKeyRecord[]>();
  #dataDir: string | undefined;
  #platform: PlatformStandIn | undefined;
  #platformKey: PrivateSigningKey | undefined;
  #platformPublic: PublicSigningKey | undefined;
  #sandbox: SpawnedSandbox | undefined;

  private readonly options: SandboxDriverOptions;

  constructor(options: SandboxDriverOptions) {
    this.options = options;
  }

  get sandbox(): SpawnedSandbox {
    return SandboxDriver.#started(this.#sandbox);
  }

  get platform(): PlatformStandIn {
    return SandboxDriver.#started(this.#platform);
  }

  get platformKey(): PrivateSigningKey {
    return SandboxDriver.#started(this.#platformKey);
  }

  static #started<T>(value: T | undefined): T {
    if (value === undefined) throw new Error('the sandbox driver has not been started');
    return value;
  }

  /**
   * Spawns the sandbox (the first time also the data folder, platform key and stand-in) and reads
   * the lender keys it publishes, for the calls' answers and for the stand-in's callback checks.
   */
  async start(): Promise<SpawnedSandbox> {
    if (this.#platform === undefined) {
      this.#dataDir = mkdtempSync(join(tmpdir(), this.options.dataDirPrefix));
      const pair = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
      this.#platformKey = pair.privateKey;
      this.#platformPublic = pair.publicKey;
      this.#platform = await startPlatformStandIn(pair.privateKey);
    }
    const sandbox = await spawnSandbox({
      SANDBOX_CONFIG: JSON.stringify(this.options.config),
      SANDBOX_DATA_DIR: this.#dataDir!,
      SANDBOX_RSA_BITS: '2048',
      SANDBOX_PLATFORM_URL: this.#platform.url,
      SANDBOX_PLATFORM_KEYS: JSON.stringify([this.#platformPublic]),
      SANDBOX_LOG_LEVEL: this.options.logLevel ?? 'info',
    });
    this.#sandbox = sandbox;
    const published = (await (await fetch(`${sandbox.url}/keys`)).json()) as {
      lenders: { partnerId: string; keys: PublicKeyRecord[] }[];
    };
    for (const { partnerId, keys } of published.lenders) {
      this.lenderKeys.set(partnerId, keys);
      this.#platform.lenderKeys.set(partnerId, keys);
    }
    return sandbox;
  }

  /** Stops the sandbox and the stand-in and removes the data folder; safe after a failed start. */
  async close(): Promise<void> {
    await this.#sandbox?.stop();
    await this.#platform?.close();
    if (this.#dataDir !== undefined) rmSync(this.#dataDir, { recursive: true, force: true });
  }

  // The calls below are arrow functions in fields, not methods, so that a test file can take them
  // off its driver once (`const { call, waitCallback } = driver`) and use them as plain functions.

  /** A signed POST as the platform makes it, its answer verified with the lender's published keys. */
  readonly call = (
    path: string,
    body: unknown,
    options: { partnerId?: string; requestId?: string } = {},
  ): Promise<SignedCallResult> => {
    const partnerId = options.partnerId ?? this.options.defaultPartnerId;
    return sendSignedRequest(this.sandbox.url, 'POST', path, body, {
      partnerId,
      key: this.platformKey,
      responseKeys: this.lenderKeys.get(partnerId)!,
      ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
    });
  };

  /** Sets (or with `{ reset: true }` clears) the sandbox's faults; returns what it now has set. */
  readonly setFaults = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const response = await fetch(`${this.sandbox.url}/sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`setting faults answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };

  /**
   * Undoes what one test may leave behind for the next: the faults it set on the sandbox and the
   * failures it asked of the stand-in. Meant for `afterEach`.
   */
  readonly reset = async (): Promise<void> => {
    this.platform.failNext(0);
    await this.setFaults({ reset: true });
  };

  /** The verified callbacks of `kind` the stand-in has received whose body matches. */
  readonly callbacksOf = (
    kind: CallbackKind,
    match: (body: Record<string, unknown>) => boolean,
  ): ReceivedCallback[] => {
    return this.platform.received.filter((c) => c.kind === kind && match(c.body));
  };

  /** The first matching callback of `kind`, once it has arrived. */
  readonly waitCallback = (
    kind: CallbackKind,
    match: (body: Record<string, unknown>) => boolean,
    timeoutMs = 5_000,
  ): Promise<ReceivedCallback> => {
    return waitFor(() => this.callbacksOf(kind, match)[0], timeoutMs, `${kind} callback`);
  };

  /**
   * A valid apply body for the sandbox's default product, its PII encrypted for `partnerId`'s
   * current key and bound to `requestId` (so it must be sent under that request id).
   */
  readonly applyBody = (
    partnerId: string,
    requestId: string,
    overrides: Record<string, unknown> = {},
    pii: ApplicantPii = SANDBOX_APPLICANT,
  ) => {
    const recipient = selectEncryptionKey(this.lenderKeys.get(partnerId)!, Date.now())!;
    return {
      applicationId: `app-${randomUUID()}`,
      productCode: 'SBX-CASH',
      requestedAmountFen: 1_200_000,
      termMonths: 12,
      method: 'equal_installment',
      channel: 'test-app',
      consent: { version: 'v1', textSha256: 'c'.repeat(64), givenAt: new Date().toISOString() },
      pii: encryptPii(pii, recipient, { partnerId, requestId }),
      ...overrides,
    };
  };

  /** A drawdown of the apply body's full amount and term, starting today (UTC) unless overridden. */
  readonly drawdownBody = (
    applicationId: string,
    overrides: { amountFen?: number; startDate?: string } = {},
  ) => ({
    applicationId,
    drawdownId: `dd-${randomUUID()}`,
    amountFen: 1_200_000,
    termMonths: 12,
    method: 'equal_installment',
    startDate: new Date().toISOString().slice(0, 10),
    ...overrides,
  });

  /** Applies as `partnerId` (accepted 202) and returns the application id and its request id. */
  readonly apply = async (
    partnerId = this.options.defaultPartnerId,
  ): Promise<{ applicationId: string; requestId: string }> => {
    const requestId = randomUUID();
    const body = this.applyBody(partnerId, requestId);
    const answer = await this.call(APPLY, body, { partnerId, requestId });
    if (answer.status !== 202) throw new Error(`apply answered ${answer.status}: ${answer.bodyText}`);
    return { applicationId: body.applicationId, requestId };
  };

  /** Applies as `partnerId` and waits for the approval; returns the application id. */
  readonly approvedApplication = async (partnerId = this.options.defaultPartnerId): Promise<string> => {
    const { applicationId } = await this.apply(partnerId);
    const decision = await this.waitCallback('credit-decision', (b) => b.applicationId === applicationId);
    if (decision.body.decision !== 'approved')
      throw new Error(`application ${applicationId} was not approved: ${decision.bodyText}`);
    return applicationId;
  };
}
