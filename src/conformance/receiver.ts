/**
 * The kit's callback receiver: a tiny HTTP server standing in for the platform's
 * `/open/v1/callbacks/*`. It verifies each callback with the SDK and the lender's published keys,
 * checks it against the contract, answers signed with the platform key, and lets the run wait for
 * a given callback — failing fast when that callback arrives but does not verify. A run may plan
 * other answers for chosen callbacks (a signed `503`, a signed final `422`) and watch every
 * arrival, to see whether the lender retries what it must and only that.
 */
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
  staticKeyLookup,
  validateCallback,
  verifyRequest,
} from '../protocol/envelope/index.ts';

export interface ReceivedCallback {
  readonly kind: CallbackKind;
  readonly requestId: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly receivedAt: number;
}

/** A callback that arrived but was refused: not verified, or not valid against the contract. */
export interface RefusedCallback {
  readonly kind: CallbackKind | undefined;
  readonly code: string;
  readonly message: string;
  /** Parsed body when it was JSON (to match it to what the run waits for); not trusted. */
  readonly body: Readonly<Record<string, unknown>> | undefined;
}

/** Every request that reached the receiver, whatever it was answered. */
export interface Arrival {
  readonly kind: CallbackKind | undefined;
  readonly requestId: string;
  /** Parsed body when it was JSON; not trusted unless `status` is 2xx. */
  readonly body: Readonly<Record<string, unknown>> | undefined;
  /** The body bytes as text, to tell a re-send of the same bytes. */
  readonly text: string;
  readonly receivedAt: number;
  /** The status the receiver answered, and the error code of a refusal. */
  readonly status: number;
  readonly code: string | undefined;
}

/** An answer a run plans for a callback instead of `200 applied` (signed, in the error shape). */
export interface PlannedAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

interface Plan {
  readonly kind: CallbackKind;
  readonly match: Match;
  readonly answers: PlannedAnswer[];
}

interface ArrivalWaiter {
  readonly predicate: (arrival: Arrival) => boolean;
  readonly resolve: (arrival: Arrival | undefined) => void;
}

export type WaitResult =
  | { readonly ok: true; readonly callback: ReceivedCallback }
  | { readonly ok: false; readonly reason: string };

type Match = (body: Readonly<Record<string, unknown>>) => boolean;

interface Waiter {
  readonly kind: CallbackKind;
  readonly match: Match;
  readonly resolve: (result: WaitResult) => void;
}

function parse(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  readonly refused: RefusedCallback[] = [];
  readonly arrivals: Arrival[] = [];
  readonly #plans: Plan[] = [];
  readonly #arrivalWaiters = new Set<ArrivalWaiter>();
  readonly #server: Server;
  readonly #partnerId: string;
  readonly #lenderKeys: readonly PublicKeyRecord[];
  readonly #key: PrivateSigningKey;
  readonly #nonces = new InMemoryNonceStore();
  readonly #waiters = new Set<Waiter>();
  #url = '';

  private constructor(partnerId: string, lenderKeys: readonly PublicKeyRecord[], key: PrivateSigningKey) {
    this.#partnerId = partnerId;
    this.#lenderKeys = lenderKeys;
    this.#key = key;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(options: {
    readonly host: string;
    readonly port: number;
    readonly partnerId: string;
    readonly lenderKeys: readonly PublicKeyRecord[];
    readonly platformKey: PrivateSigningKey;
  }): Promise<CallbackReceiver> {
    const receiver = new CallbackReceiver(options.partnerId, options.lenderKeys, options.platformKey);
    await new Promise<void>((resolve, reject) => {
      receiver.#server.once('error', reject);
      receiver.#server.listen(options.port, options.host, resolve);
    });
    const { address, port } = receiver.#server.address() as AddressInfo;
    receiver.#url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    return receiver;
  }

  /** Where the receiver listens (known once started; kept after it closes, for the report). */
  get url(): string {
    return this.#url;
  }

  /** The first callback of `kind` matching `match` (already received or still to come). */
  waitFor(kind: CallbackKind, match: Match, timeoutMs: number): Promise<WaitResult> {
    const known = this.received.find((c) => c.kind === kind && match(c.body));
    if (known !== undefined) return Promise.resolve({ ok: true, callback: known });
    const bad = this.refused.find((c) => c.kind === kind && c.body !== undefined && match(c.body));
    if (bad !== undefined)
      return Promise.resolve({ ok: false, reason: `refused: ${bad.code}: ${bad.message}` });
    return new Promise((resolve) => {
      const waiter: Waiter = {
        kind,
        match,
        resolve: (result) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(result);
        },
      };
      const timer = setTimeout(
        () => waiter.resolve({ ok: false, reason: `no ${kind} callback within ${timeoutMs} ms` }),
        timeoutMs,
      );
      this.#waiters.add(waiter);
    });
  }

  /** All callbacks of a kind received so far that match. */
  all(kind: CallbackKind, match: Match): ReceivedCallback[] {
    return this.received.filter((c) => c.kind === kind && match(c.body));
  }

  /**
   * The next valid callbacks of `kind` matching `match` are answered with `answers`, one each, in
   * order, instead of `200 applied`; they are not counted as received (a retry that is then
   * accepted is).
   */
  answerWith(kind: CallbackKind, match: Match, answers: readonly PlannedAnswer[]): void {
    this.#plans.push({ kind, match, answers: [...answers] });
  }

  /** The first arrival, already here or still to come, for which `predicate` holds; `undefined` on timeout. */
  nextArrival(predicate: (arrival: Arrival) => boolean, timeoutMs: number): Promise<Arrival | undefined> {
    const known = this.arrivals.find(predicate);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      const waiter: ArrivalWaiter = {
        predicate,
        resolve: (arrival) => {
          clearTimeout(timer);
          this.#arrivalWaiters.delete(waiter);
          resolve(arrival);
        },
      };
      const timer = setTimeout(() => waiter.resolve(undefined), Math.max(0, timeoutMs));
      this.#arrivalWaiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    for (const waiter of this.#waiters) waiter.resolve({ ok: false, reason: 'the run ended' });
    for (const waiter of this.#arrivalWaiters) waiter.resolve(undefined);
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #notify(
    kind: CallbackKind | undefined,
    body: Readonly<Record<string, unknown>> | undefined,
    result: WaitResult,
  ) {
    if (kind === undefined || body === undefined) return;
    for (const waiter of [...this.#waiters]) {
      if (waiter.kind === kind && waiter.match(body)) waiter.resolve(result);
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = req.url ?? '/';
    const requestId =
      typeof req.headers['x-lendgate-request-id'] === 'string' ? req.headers['x-lendgate-request-id'] : '';
    const kind = callbackKindOf(path);
    const body = parse(raw);
    const answer = (status: number, answerBody: unknown) => {
      const arrival: Arrival = {
        kind,
        requestId,
        body,
        text: raw.toString('utf8'),
        receivedAt: Date.now(),
        status,
        code: (answerBody as { error?: { code?: string } }).error?.code,
      };
      this.arrivals.push(arrival);
      for (const waiter of [...this.#arrivalWaiters]) if (waiter.predicate(arrival)) waiter.resolve(arrival);
      this.#send(req, res, path, requestId, status, answerBody);
    };
    const verdict = await verifyRequest({
      method: req.method ?? '',
      path,
      headers: req.headers,
      body: raw,
      keys: staticKeyLookup({ [this.#partnerId]: this.#lenderKeys }),
      nonces: this.#nonces,
      nowMs: Date.now(),
    });
    const refuse = (status: number, code: string, message: string) => {
      this.refused.push({ kind, code, message, body });
      this.#notify(kind, body, { ok: false, reason: `refused: ${code}: ${message}` });
      answer(status, errorBody(code, message, requestId));
    };
    if (!verdict.ok)
      return refuse(
        verdict.code === 'MALFORMED_ENVELOPE' || verdict.code === 'DIGEST_MISMATCH' ? 400 : 401,
        verdict.code,
        verdict.message,
      );
    if (kind === undefined) return answer(404, errorBody('NOT_FOUND', `no callback at ${path}`, requestId));
    const problems = body === undefined ? ['body: not JSON'] : validateCallback(kind, body);
    if (problems.length > 0) return refuse(400, 'VALIDATION_FAILED', problems.join('; '));
    const plan = this.#plans.find((p) => p.kind === kind && p.answers.length > 0 && p.match(body!));
    const planned = plan?.answers.shift();
    if (planned !== undefined)
      return answer(planned.status, errorBody(planned.code, planned.message, requestId));
    const callback: ReceivedCallback = { kind, requestId, body: body!, receivedAt: Date.now() };
    this.received.push(callback);
    this.#notify(kind, body, { ok: true, callback });
    answer(200, { status: 'applied' });
  }

  /** Writes the answer, signed with the platform key (unsigned only when the ids cannot be signed). */
  #send(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    requestId: string,
    status: number,
    body: unknown,
  ): void {
    try {
      const signed = signResponse({
        request: { method: req.method ?? 'POST', path, partnerId: this.#partnerId, requestId },
        status,
        body,
        key: this.#key,
        nowMs: Date.now(),
      });
      res.writeHead(status, signed.headers).end(signed.body);
    } catch {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    }
  }
}
