/**
 * Operator-run conformance: the kit (src/conformance) run from the operator API against a
 * registered partner — its base URL, its key set valid now, the platform's own signing key of the
 * partner's suite — in the background, with its progress and each check's result stored as they
 * come (src/lenders/conformance-runs.ts), and the result recorded for the admission gate.
 *
 * Callbacks during a run go to the kit's own receiver, not to the platform's /open/v1/callbacks:
 * the partner's test environment is pointed at `callbackUrl` (CONFORMANCE_CALLBACK_URL, or where
 * the receiver listens: CONFORMANCE_CALLBACK_HOST and _PORT). So a run's test applications never
 * touch the platform's books, and the kit can answer the partner's callbacks the way it tests
 * (a 503 to be retried, a final 422 not to be). With a fixed port the receiver serves one run at a
 * time in a process; with port 0 each run listens on a free port of its own.
 *
 * A run is alive while its process is: a heartbeat every `heartbeatMs`; a run whose heartbeat is
 * older than `leaseMs` is ended `failed` with the reason `interrupted` by the next sweep (at start,
 * and before every start or read of a run). A process that stops aborts its runs and ends them so.
 */
import type { Logger } from 'pino';
import type { Actor } from '../audit/audit-log.ts';
import {
  CONFORMANCE_CHECKS,
  type ConformanceOptions,
  type ConformanceReport,
  runConformance,
  type Scenario,
} from '../conformance/index.ts';
import type { ConformanceRunService, RecordedCheck } from '../lenders/conformance-runs.ts';
import type { ConformanceRun, LenderServices, Product } from '../lenders/index.ts';
import type { RepaymentMethod } from '../money/index.ts';
import type { PlatformKeyring } from '../protocol/platform-keys.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';

/** What an operator may choose of the run; the rest comes from the partner's products. */
export interface RunRequest {
  readonly scenario?: {
    readonly productCode?: string;
    readonly amountFen?: number;
    readonly termMonths?: number;
    readonly method?: RepaymentMethod;
  };
}

export interface ConformanceRunnerSettings {
  /** Interface and port of the kit's callback receiver (0: a free port per run). */
  readonly callbackHost: string;
  readonly callbackPort: number;
  /** The URL the partner is told to call back, when it differs from where the receiver listens. */
  readonly callbackUrl: string | undefined;
  /** How long the kit waits for each callback. */
  readonly callbackTimeoutMs: number;
  /** How long a callback answered with a final refusal is watched for a retry. */
  readonly retryWindowMs: number;
}

export interface ConformanceRunnerOptions {
  readonly lenders: LenderServices;
  readonly runs: ConformanceRunService;
  readonly keyring: PlatformKeyring;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: ConformanceRunnerSettings;
  /** A running run whose heartbeat is older than this is taken for interrupted (default 60 s). */
  readonly leaseMs?: number;
  /** How often a running run's heartbeat is written (default a quarter of the lease). */
  readonly heartbeatMs?: number;
  /** The kit; tests may wrap it. */
  readonly run?: (options: ConformanceOptions) => Promise<ConformanceReport>;
}

interface ActiveRun {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** How long a start waits for the receiver to listen before it answers (it takes milliseconds). */
const LISTEN_WAIT_MS = 5_000;

/** How long `stop` waits for its aborted runs to record their end. */
const STOP_WAIT_MS = 10_000;

/** The amount the kit asks for: 10,000 yuan where the product allows it, else its nearest bound. */
const PREFERRED_AMOUNT_FEN = 1_000_000;

export class ConformanceRunner {
  readonly #options: ConformanceRunnerOptions;
  readonly #leaseMs: number;
  readonly #active = new Map<number, ActiveRun>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(options: ConformanceRunnerOptions) {
    this.#options = options;
    this.#leaseMs = options.leaseMs ?? 60_000;
  }

  /**
   * Ends runs no process is running any more: those whose heartbeat is older than the lease, or
   * every running run but this process's own when `everyRunning` (a database only this process
   * can have open: the embedded one).
   */
  async sweep(options: { readonly everyRunning?: boolean } = {}): Promise<number> {
    const staleBefore = options.everyRunning
      ? undefined
      : new Date(this.#options.clock().getTime() - this.#leaseMs);
    const ended = await this.#options.runs.interruptStale(staleBefore, [...this.#active.keys()]);
    if (ended > 0)
      this.#options.logger.warn({ ended }, 'conformance runs interrupted (their process stopped)');
    return ended;
  }

  /** A run of the partner, after ending the runs whose process is gone. */
  async get(lenderId: string, runId: number): Promise<ConformanceRun> {
    await this.sweep();
    return this.#options.runs.get(lenderId, runId);
  }

  /**
   * Starts a run against the partner and answers once the kit listens for callbacks (the run's
   * `callbackUrl` is known then); the run goes on in the background.
   */
  async start(
    lenderId: string,
    request: RunRequest,
    actor: Actor,
    requestId?: string,
  ): Promise<ConformanceRun> {
    if (this.#stopped) throw new AppError('UNAVAILABLE', 'The server is stopping.');
    const { lenders, runs, settings, keyring, clock } = this.#options;
    const lender = await lenders.partners.get(lenderId);
    if (settings.callbackPort !== 0 && this.#active.size > 0)
      throw new AppError(
        'CONFLICT',
        'Another conformance run is using the callback receiver (CONFORMANCE_CALLBACK_PORT serves one run at a time).',
        { runIds: [...this.#active.keys()] },
      );
    await this.sweep();
    const keys = (await lenders.keys.keySetFor(lenderId, clock())) ?? [];
    const scenario = await this.#scenario(lenderId, request);
    const platformKey = await keyring.signingKeyFor(keys);
    const fixedUrl =
      settings.callbackUrl ??
      (settings.callbackPort === 0 ? null : `http://${settings.callbackHost}:${settings.callbackPort}`);
    const started = await runs.begin(
      {
        lenderId,
        target: { lenderUrl: lender.callbackBaseUrl, keys },
        callbackUrl: fixedUrl,
        total: CONFORMANCE_CHECKS.length,
      },
      actor,
      requestId,
    );

    const controller = new AbortController();
    let listening: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      listening = resolve;
    });
    let progress: Promise<void> = Promise.resolve();
    const write = (work: () => Promise<void>) => {
      progress = progress.then(work).catch((error: unknown) => {
        this.#options.logger.error({ err: error, runId: started.id }, 'conformance run progress not stored');
      });
    };
    const kit = this.#options.run ?? runConformance;
    const done = (async () => {
      let report: ConformanceReport | undefined;
      let failure: string | undefined;
      try {
        report = await kit({
          lenderUrl: lender.callbackBaseUrl,
          partnerId: lender.code,
          platformKey,
          lenderKeys: keys,
          callbackHost: settings.callbackHost,
          callbackPort: settings.callbackPort,
          callbackTimeoutMs: settings.callbackTimeoutMs,
          retryWindowMs: settings.retryWindowMs,
          scenario,
          signal: controller.signal,
          onListening: (url) => {
            if (fixedUrl === null) write(() => runs.setCallbackUrl(started.id, url));
            write(async () => listening());
          },
          onResult: (_result, recorded) => {
            const checks: RecordedCheck[] = recorded.map((check) => ({ ...check }));
            write(() => runs.progress(started.id, checks, CONFORMANCE_CHECKS.length));
          },
        });
      } catch (error) {
        failure = `error: ${(error as Error).message}`;
        this.#options.logger.error({ err: error, runId: started.id }, 'conformance run failed');
      }
      if (controller.signal.aborted) failure = 'interrupted';
      await progress;
      listening();
      try {
        await runs.finish(started.id, report === undefined ? { checks: [] } : { ...report }, failure);
      } catch (error) {
        this.#options.logger.error({ err: error, runId: started.id }, 'conformance run end not stored');
      }
      this.#options.logger.info(
        {
          runId: started.id,
          partner: lender.code,
          passed: report?.passed === true && failure === undefined,
          failure,
        },
        'conformance run ended',
      );
    })().finally(() => {
      this.#active.delete(started.id);
      if (this.#active.size === 0) this.#stopHeartbeat();
    });
    this.#active.set(started.id, { controller, done });
    this.#startHeartbeat();
    await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, LISTEN_WAIT_MS).unref())]);
    return runs.get(lenderId, started.id);
  }

  /** Aborts this process's runs and waits (a while) for each to record its end as interrupted. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const active = [...this.#active.values()];
    for (const run of active) run.controller.abort();
    await Promise.race([
      Promise.allSettled(active.map((run) => run.done)),
      new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref()),
    ]);
    this.#stopHeartbeat();
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    const every = this.#options.heartbeatMs ?? Math.max(1_000, Math.floor(this.#leaseMs / 4));
    this.#heartbeat = setInterval(() => {
      this.#options.runs.heartbeat([...this.#active.keys()]).catch((error: unknown) => {
        this.#options.logger.warn({ err: error }, 'conformance run heartbeat not stored');
      });
    }, every);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /**
   * What the kit applies for: the operator's choices, completed from the partner's products (an
   * approved one first): its code, 10,000 yuan within its range, 12 months if offered, its first
   * method.
   */
  async #scenario(lenderId: string, request: RunRequest): Promise<Partial<Scenario>> {
    const asked = request.scenario ?? {};
    const products = (await this.#options.lenders.products.list(lenderId, { limit: 200 })).items.filter(
      (p) => p.status !== 'withdrawn',
    );
    const byCode = (code: string | undefined) => products.find((p) => p.code === code);
    const product: Product | undefined =
      byCode(asked.productCode) ?? products.find((p) => p.status === 'approved') ?? products[0];
    if (asked.productCode === undefined && product === undefined)
      throw new AppError(
        'CONFLICT',
        'The partner has no product to apply for: add one, or name scenario.productCode.',
        { field: 'scenario.productCode' },
      );
    const amount =
      product === undefined
        ? PREFERRED_AMOUNT_FEN
        : Math.min(product.amountMaxFen, Math.max(product.amountMinFen, PREFERRED_AMOUNT_FEN));
    const term = product === undefined ? 12 : product.termsMonths.includes(12) ? 12 : product.termsMonths[0]!;
    const method: RepaymentMethod = product?.repaymentMethods[0] ?? 'equal_installment';
    return {
      productCode: asked.productCode ?? product!.code,
      amountFen: asked.amountFen ?? amount,
      termMonths: asked.termMonths ?? term,
      method: asked.method ?? method,
    };
  }
}
