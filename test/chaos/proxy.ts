import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP proxy for the chaos run, used twice:
 * - as the platform's load balancer: borrowers and the sandbox's callbacks reach whichever server
 *   processes are up; a process that is down (connection refused: nothing was sent) is skipped,
 *   and a request that was on its way when its process died is answered `502`, as a real balancer
 *   does — the caller cannot know whether it took effect;
 * - as the lender's network, between the servers and the sandbox: forwards bytes unchanged (so
 *   signatures hold) and reports every exchange, so the run can count calls per kind and request
 *   id, and which ones the sandbox answered with an injected error.
 */

export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly requestHeaders: IncomingHttpHeaders;
  /** `undefined` when no answer came back (the upstream failed). */
  readonly status: number | undefined;
  readonly responseBody: Buffer;
}

export interface ProxyOptions {
  /** Base URLs requests may go to; asked for each request (targets come and go). */
  readonly targets: () => readonly string[];
  /** Keep connections to the targets open between requests (not to processes that get killed). */
  readonly keepAlive: boolean;
  /** How long a request waits for some target to be up before it is answered 503. */
  readonly waitForTargetMs: number;
  readonly onExchange?: (exchange: Exchange) => void;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function isRefused(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL';
}

export class HttpProxy {
  readonly #options: ProxyOptions;
  readonly #agent: Agent;
  readonly #server: Server;
  #next = 0;
  /** Requests answered 502 because their target failed while they were on their way. */
  broken = 0;
  /** Connection attempts refused (a process down), retried elsewhere. */
  refused = 0;
  total = 0;
  inFlight = 0;

  private constructor(options: ProxyOptions) {
    this.#options = options;
    this.#agent = new Agent({ keepAlive: options.keepAlive, maxSockets: 256 });
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.keepAliveTimeout = 30_000;
  }

  static async start(options: ProxyOptions): Promise<HttpProxy> {
    const proxy = new HttpProxy(options);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    this.total += 1;
    this.inFlight += 1;
    res.once('close', () => {
      this.inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void this.#forward(req, res, Buffer.concat(chunks)));
    req.on('error', () => res.destroy());
  }

  async #pickTarget(tried: ReadonlySet<string>): Promise<string | undefined> {
    const deadline = Date.now() + this.#options.waitForTargetMs;
    for (;;) {
      const targets = this.#options.targets().filter((target) => !tried.has(target));
      if (targets.length > 0) {
        this.#next = (this.#next + 1) % targets.length;
        return targets[this.#next % targets.length];
      }
      if (Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async #forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const tried = new Set<string>();
    const report = (status: number | undefined, responseBody: Buffer) =>
      this.#options.onExchange?.({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        requestHeaders: req.headers,
        status,
        responseBody,
      });
    for (let attempt = 0; attempt < 20; attempt++) {
      const target = await this.#pickTarget(attempt < 2 ? tried : new Set());
      if (target === undefined) {
        report(503, Buffer.alloc(0));
        this.#answer(res, 503, { error: { code: 'UNAVAILABLE', message: 'no server is up (chaos proxy)' } });
        return;
      }
      tried.add(target);
      const outcome = await this.#once(target, req, body);
      if (outcome.kind === 'refused') {
        this.refused += 1;
        // Nothing reached that process: another may take it, or the same one once it is back.
        if (attempt >= 2) await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (outcome.kind === 'broken') {
        this.broken += 1;
        report(undefined, Buffer.alloc(0));
        this.#answer(res, 502, {
          error: { code: 'BAD_GATEWAY', message: 'the server went away (chaos proxy)' },
        });
        return;
      }
      report(outcome.status, outcome.body);
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(outcome.status, { ...outcome.headers, 'content-length': String(outcome.body.length) });
      res.end(outcome.body);
      return;
    }
    report(503, Buffer.alloc(0));
    this.#answer(res, 503, { error: { code: 'UNAVAILABLE', message: 'no server accepted (chaos proxy)' } });
  }

  #answer(res: ServerResponse, status: number, body: unknown): void {
    if (res.destroyed || res.writableEnded) return;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(text.length) });
    res.end(text);
  }

  #once(
    target: string,
    req: IncomingMessage,
    body: Buffer,
  ): Promise<
    | { kind: 'refused' }
    | { kind: 'broken' }
    | { kind: 'answer'; status: number; headers: Record<string, string | string[]>; body: Buffer }
  > {
    const url = new URL(target);
    return new Promise((resolve) => {
      let settled = false;
      const done = (value: Parameters<typeof resolve>[0]) => {
        if (settled) return;
        settled = true;
        resolve(value);
      };
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        headers[name] = value;
      }
      headers.host = url.host;
      headers['content-length'] = String(body.length);
      const upstream = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: req.method,
          path: req.url,
          headers,
          agent: this.#agent,
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('error', () => done({ kind: 'broken' }));
          answer.on('aborted', () => done({ kind: 'broken' }));
          answer.on('end', () => {
            const out: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(answer.headers)) {
              if (value === undefined || HOP_BY_HOP.has(name) || name === 'content-length') continue;
              out[name] = value;
            }
            done({
              kind: 'answer',
              status: answer.statusCode ?? 502,
              headers: out,
              body: Buffer.concat(parts),
            });
          });
        },
      );
      let connected = false;
      upstream.on('socket', (socket) => {
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      upstream.on('error', (error) =>
        done(!connected && isRefused(error) ? { kind: 'refused' } : { kind: 'broken' }),
      );
      upstream.end(body);
    });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
    this.#agent.destroy();
  }
}
