/**
 * Test support (not used by the sandbox itself): start the sandbox as a real child process, and a
 * tiny platform stand-in that receives callbacks, verifies them with the SDK and answers signed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CallbackKind,
  callbackKindOf,
  errorBody,
  InMemoryNonceStore,
  type PrivateSigningKey,
  type PublicKeyRecord,
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
