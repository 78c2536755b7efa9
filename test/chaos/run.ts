import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpawnedSandbox } from '../../sandbox/lender/testing.ts';
import { SYSTEM_ACTOR } from '../../src/audit/audit-log.ts';
import { openPostgres } from '../../src/db/connection.ts';
import { admitDemoLenders, demoPreCheckKeys } from '../../src/demo/sandbox-lenders.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { createLenderServices } from '../../src/lenders/index.ts';
import { OperatorService } from '../../src/operators/service.ts';
import { PlatformKeyring } from '../../src/protocol/platform-keys.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { BorrowerClient, ChaosFailure, type ClientStats, emptyStats, type JourneyRecord } from './client.ts';
import {
  type ChaosDatabase,
  createChaosDatabase,
  type ExitRecord,
  SERVER_APP_NAME,
  ServerFleet,
  startChaosSandbox,
  terminateServerBackends,
  withDatabase,
} from './cluster.ts';
import {
  type BorrowerPlan,
  CHANNELS,
  chaosProducts,
  drawn,
  makePlan,
  paysOff,
  repaysInstallment,
} from './plan.ts';
import { HttpProxy } from './proxy.ts';
import { CHAOS_CONTRACTS } from './reference.ts';
import { type LenderExchange, lenderCallKind, type VerifyFigures, verifyRun } from './verify.ts';

/**
 * A chaos run on PostgreSQL (issue #9): a few hundred borrowers go through the public APIs of two
 * server processes sharing one database, from sign-in to their planned end, while the sandbox
 * lender duplicates every callback and sends them out of order (and fails some calls), the
 * servers are SIGKILLed and restarted, and a storm of `pg_terminate_backend` hits their
 * connections. Then everything is checked against the plan and an independent computation.
 */

export interface ChaosOptions {
  /** The PostgreSQL server (any database on it); the run creates and drops its own database. */
  readonly databaseUrl: string;
  readonly loans: number;
  readonly kills: number;
  /** Storms of backend terminations (each a few rounds over about a second). */
  readonly storms: number;
  readonly seed: number;
  /** Borrowers in flight at once. */
  readonly concurrency: number;
  /** Fraction of lender calls the sandbox answers 503 (no effect). */
  readonly errorRate: number;
  /** Server processes sharing the database. */
  readonly servers: number;
  /** Extra environment for the server processes (e.g. rate limits). */
  readonly serverEnv?: Readonly<Record<string, string>>;
  /** Keep the database afterwards (its name is in the report). */
  readonly keepDatabase?: boolean;
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly database: string;
  readonly loans: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly kills: number;
  readonly storms: number;
  readonly terminatedBackends: number;
  readonly unexpectedExits: readonly ExitRecord[];
  readonly exits: readonly ExitRecord[];
  readonly mismatches: readonly string[];
  readonly durationMs: number;
  readonly journeyMs: number;
  readonly client: ClientStats;
  readonly figures: VerifyFigures | undefined;
  readonly balancer: { readonly requests: number; readonly broken: number; readonly refused: number };
  readonly restartMs: readonly number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cstDate(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** How many progress steps a borrower's journey reports (BorrowerClient calls onStep). */
function stepsOf(plan: BorrowerPlan): number {
  let steps = 6; // sign-in, profile, offers, consent, apply, decision
  if (plan.outcome !== 'rejected') steps += 1; // disclosure
  if (drawn(plan)) steps += 2; // drawdown, loan
  if (repaysInstallment(plan)) steps += 1;
  if (paysOff(plan)) steps += 1;
  if (paysOff(plan) || (repaysInstallment(plan) && plan.installments === 1)) steps += 1;
  return steps;
}

/** Reads the master key's base64 and admin credentials every server process gets. */
interface Secrets {
  readonly masterKey: Buffer;
  readonly adminEmail: string;
  readonly adminPassword: string;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = (line: string) =>
    options.log?.(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}`);
  const cleanups: (() => Promise<void> | void)[] = [];
  const runTag = randomBytes(3).toString('hex');
  const plan = makePlan(options.seed, options.loans, runTag);
  const outcomes: Record<string, number> = {};
  for (const p of plan) outcomes[p.outcome] = (outcomes[p.outcome] ?? 0) + 1;
  const secrets: Secrets = {
    masterKey: randomBytes(32),
    adminEmail: 'chaos-admin@lendgate.test',
    adminPassword: `Chaos-${randomBytes(12).toString('base64url')}-run`,
  };

  let database: ChaosDatabase | undefined;
  let fleet: ServerFleet | undefined;
  try {
    database = await createChaosDatabase(options.databaseUrl);
    const db = database;
    if (!options.keepDatabase) cleanups.push(() => db.drop());
    log(`database ${database.name}; plan ${JSON.stringify(outcomes)}`);
    const handle = openPostgres(withDatabase(options.databaseUrl, database.name), 4);
    cleanups.push(() => handle.close());

    // Demo data (channels with their dev keys, lenders, agreements), the platform's signing key,
    // and the demo lenders admitted by a real conformance run against the sandbox.
    // The admin first: the demo seed adds operators, after which no first admin is created.
    await new OperatorService(handle.db, { clock: systemClock, sessionTtlMinutes: 480 }).create(
      {
        email: secrets.adminEmail,
        displayName: 'Chaos admin',
        password: secrets.adminPassword,
        roles: ['admin'],
      },
      SYSTEM_ACTOR,
    );
    await seedDemo(handle.db, systemClock, undefined, secrets.masterKey);
    const keyring = new PlatformKeyring(handle.db, secrets.masterKey, systemClock);
    await keyring.ensureSigningKey();
    const lenders = createLenderServices(handle.db, { clock: systemClock, masterKey: secrets.masterKey });
    const sandboxDir = mkdtempSync(join(tmpdir(), 'lendgate-chaos-sandbox-'));
    cleanups.push(() => rmSync(sandboxDir, { recursive: true, force: true }));
    // Admission runs again for those that failed (a conformance check can miss its timing on a
    // loaded machine); the run needs all of them active.
    for (let attempt = 1; ; attempt++) {
      const admitted = await admitDemoLenders(
        { lenders, keyring, logger: createLogger('silent') },
        sandboxDir,
      );
      log(`lenders admitted: ${admitted.join('; ')}`);
      if (admitted.every((line) => line.includes('passed'))) break;
      if (attempt >= 3) throw new Error(`demo lenders not admitted:\n${admitted.join('\n')}`);
    }

    // The balancer in front of the servers (borrowers and the lender's callbacks come through it),
    // and the lender's network between the servers and the sandbox.
    const servers = new ServerFleet(
      Array.from({ length: options.servers }, (_, i) => String.fromCharCode(65 + i)),
      (name) => ({
        DATABASE_URL: `${withDatabase(options.databaseUrl, database!.name)}?application_name=${SERVER_APP_NAME}-${name}`,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'warn',
        DATA_DIR: sandboxDir,
        LENDGATE_DEMO: 'true',
        LENDGATE_SANDBOX: 'false',
        LENDGATE_MASTER_KEY: secrets.masterKey.toString('base64'),
        OUTBOX_LEASE_MS: '5000',
        OUTBOX_POLL_MS: '200',
        NODE_ENV: 'development',
        ...options.serverEnv,
      }),
    );
    fleet = servers;
    const balancer = await HttpProxy.start({
      targets: () => servers.urls(),
      keepAlive: false,
      waitForTargetMs: 20_000,
    });
    cleanups.push(() => balancer.close());
    const exchanges: LenderExchange[] = [];
    let sandbox: SpawnedSandbox | undefined;
    const lenderNet = await HttpProxy.start({
      targets: () => (sandbox ? [sandbox.url] : []),
      keepAlive: true,
      waitForTargetMs: 2_000,
      onExchange: (e) => {
        const text = e.responseBody.toString('utf8');
        exchanges.push({
          kind: lenderCallKind(e.path),
          partnerId: String(e.requestHeaders['x-lendgate-partner'] ?? ''),
          requestId: String(e.requestHeaders['x-lendgate-request-id'] ?? ''),
          status: e.status,
          injected: e.status === 503 && text.includes('sandbox fault: injected error'),
        });
      },
    });
    cleanups.push(() => lenderNet.close());
    const products = chaosProducts();
    sandbox = await startChaosSandbox({
      dataDir: sandboxDir,
      platformUrl: balancer.url,
      platformKeys: await keyring.publicKeys(),
      preCheckKeys: await demoPreCheckKeys(lenders),
      products,
      faults: { duplicateCallbacks: true, outOfOrderCallbacks: true, errorRate: options.errorRate },
    });
    const theSandbox = sandbox;
    cleanups.push(() => theSandbox.stop());
    for (const code of new Set(products.map((p) => p.partnerId))) {
      const lender = await lenders.partners.findByCode(code);
      if (!lender) throw new Error(`no demo lender ${code}`);
      await lenders.partners.update(lender.id, { callbackBaseUrl: lenderNet.url }, SYSTEM_ACTOR);
    }

    const names = servers.names();
    await Promise.all(names.map((name) => servers.start(name)));
    log(`servers ${names.join(', ')} up behind ${balancer.url}; sandbox ${sandbox.url}`);

    // Operator set-up through the API: whitelist the borrowers, give each lender a contract.
    const operator = await operatorClient(balancer.url, secrets);
    for (const channel of CHANNELS) {
      const csv = [
        'channel_user_id,segment,limit_fen',
        ...plan.filter((p) => p.channelCode === channel).map((p) => `${p.channelUserId},chaos,`),
      ].join('\n');
      const imported = await operator<{ activated: boolean }>(
        'POST',
        `/api/v1/admin/whitelists/${channel}/imports?activate=true`,
        `${csv}\n`,
        'text/csv',
      );
      if (!imported.activated)
        throw new Error(`whitelist on ${channel} not activated: ${JSON.stringify(imported)}`);
    }
    const today = cstDate(Date.now());
    for (const [lenderCode, terms] of Object.entries(CHAOS_CONTRACTS)) {
      await operator('POST', `/api/v1/admin/settlement/contracts/${lenderCode}/versions`, {
        effectiveFrom: today,
        reference: `CHAOS-${runTag}-${lenderCode}`,
        terms,
      });
    }

    // The journeys, with the chaos alongside.
    const stats = emptyStats();
    const totalSteps = plan.reduce((sum, p) => sum + stepsOf(p), 0);
    let steps = 0;
    const records: { record: JourneyRecord; error?: string }[] = plan.map(() => ({ record: {} }));
    const journeysStarted = Date.now();
    let next = 0;
    const worker = async () => {
      for (;;) {
        const index = next++;
        if (index >= plan.length) return;
        const client = new BorrowerClient(plan[index]!, {
          baseUrl: balancer.url,
          stats,
          waitMs: 120_000,
          requestTimeoutMs: 30_000,
          onStep: () => {
            steps += 1;
          },
        });
        try {
          records[index] = { record: await client.run() };
        } catch (error) {
          const message =
            error instanceof ChaosFailure || error instanceof Error ? error.message : String(error);
          records[index] = { record: client.record, error: message };
        }
      }
    };
    let journeysDone = false;
    const journeys = Promise.all(Array.from({ length: options.concurrency }, worker)).finally(() => {
      journeysDone = true;
    });

    // Kills spread over the run, alternating between the servers; the storms in between.
    const events: { at: number; what: 'kill' | 'storm' }[] = [];
    for (let k = 0; k < options.kills; k++) events.push({ at: (k + 1) / (options.kills + 1), what: 'kill' });
    for (let s = 0; s < options.storms; s++) events.push({ at: (s + 0.5) / options.storms, what: 'storm' });
    events.sort((a, b) => a.at - b.at);
    let kills = 0;
    let stormsDone = 0;
    let terminated = 0;
    const restartMs: number[] = [];
    for (const event of events) {
      while (!journeysDone && steps < event.at * totalSteps * 0.9) await sleep(50);
      if (journeysDone) break;
      if (event.what === 'kill') {
        const victim = names[kills % names.length]!;
        await sleep(Math.floor(Math.random() * 200));
        const at = steps;
        const { restartMs: ms } = await servers.kill(victim);
        kills += 1;
        restartMs.push(ms);
        log(`kill ${kills}: server ${victim} SIGKILLed at step ${at}/${totalSteps}, back in ${ms} ms`);
      } else {
        let n = 0;
        const at = steps;
        for (let round = 0; round < 8; round++) {
          n += await terminateServerBackends(options.databaseUrl, database.name);
          await sleep(150);
        }
        terminated += n;
        stormsDone += 1;
        log(`storm ${stormsDone}: ${n} server backends terminated at step ${at}/${totalSteps}`);
      }
      // Let the cluster come back whole before the next blow (a crashed process restarts itself).
      await servers.allUp(60_000);
    }
    await journeys;
    const journeyMs = Date.now() - journeysStarted;
    log(`journeys done in ${journeyMs} ms: ${JSON.stringify(stats)}`);

    // Quiet: nothing left in the outbox, no callback on its way, nothing deferred.
    await servers.allUp(60_000);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const pending = await handle.db
        .selectFrom('outbox_messages')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      const deferred = await handle.db
        .selectFrom('inbound_messages')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('status', '=', 'deferred')
        .executeTakeFirstOrThrow();
      const sandboxStats = (await (await fetch(`${sandbox.url}/sandbox/stats`)).json()) as {
        pendingCallbacks: number;
      };
      if (Number(pending.n) === 0 && Number(deferred.n) === 0 && sandboxStats.pendingCallbacks === 0) break;
      if (Date.now() > deadline) {
        log(
          `not quiet after 90 s: ${pending.n} outbox pending, ${deferred.n} deferred, ${sandboxStats.pendingCallbacks} callbacks`,
        );
        break;
      }
      await sleep(250);
    }
    await sleep(500);

    const dates = [...new Set([cstDate(started), cstDate(Date.now())])];
    const verified = await verifyRun({
      db: handle.db,
      databaseUrl: withDatabase(options.databaseUrl, database.name),
      plan,
      records,
      sandboxUrl: sandbox.url,
      lenderExchanges: exchanges,
      operator: (method, path, body) => operator(method, path, body),
      dates,
    });
    const mismatches = [...verified.mismatches];
    for (const exit of servers.unexpectedExits()) {
      mismatches.unshift(
        `server ${exit.server} exited by itself with ${exit.code !== null ? `code ${exit.code}` : `signal ${exit.signal}`} ` +
          `at ${(exit.atMs / 1000).toFixed(1)} s (process ${exit.generation} of that slot): ${crashSummary(exit.outputTail)}`,
      );
    }
    for (const failure of servers.startFailures)
      mismatches.push(`a server did not start: ${failure.slice(0, 1_500)}`);
    for (const exit of servers.exits.filter((e) => e.killed && e.signal !== 'SIGKILL'))
      mismatches.push(`server ${exit.server} killed but ended with ${exit.code ?? exit.signal}`);

    return {
      database: database.name,
      loans: plan.length,
      outcomes,
      kills,
      storms: stormsDone,
      terminatedBackends: terminated,
      unexpectedExits: servers.unexpectedExits(),
      exits: [...servers.exits],
      mismatches,
      durationMs: Date.now() - started,
      journeyMs,
      client: stats,
      figures: verified.figures,
      balancer: { requests: balancer.total, broken: balancer.broken, refused: balancer.refused },
      restartMs,
    };
  } finally {
    await fleet?.stopAll();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`cleanup: ${String(error)}`);
      }
    }
  }
}

/** The error a crashed process printed last, in one line (the message and its code). */
export function crashSummary(output: string): string {
  const lines = output.split('\n');
  const start = lines.findLastIndex((line) => /^(Error|error|\S+Error)\b|^node:internal|Uncaught/.test(line));
  const head = lines
    .slice(Math.max(0, start))
    .find((line) => /^\S/.test(line) && /rror/.test(line) && !/^(Node\.js|Emitted)/.test(line));
  const code = [...output.matchAll(/code: '([^']+)'/g)].at(-1)?.[1];
  const summary = [head?.trim().slice(0, 300), code === undefined ? undefined : `code ${code}`]
    .filter((part) => part !== undefined)
    .join(', ');
  return summary === '' ? `(last output: ${output.slice(-300).replaceAll('\n', ' ')})` : summary;
}

type Operator = <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
) => Promise<T>;

/** The admin on the operator API; reads are retried, writes are made before any chaos. */
async function operatorClient(baseUrl: string, secrets: Secrets): Promise<Operator> {
  const call = async (
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    type?: string,
  ) => {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': type ?? 'application/json' }),
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      }).catch(() => undefined);
      const retryable = response === undefined || response.status === 429 || response.status >= 502;
      if (
        retryable &&
        attempt < 20 &&
        (method === 'GET' || response?.status === 429 || response === undefined)
      ) {
        await sleep(250 * attempt);
        continue;
      }
      if (response === undefined) throw new Error(`${method} ${path}: no answer`);
      const json = (await response.json().catch(() => ({}))) as unknown;
      if (response.status >= 300)
        throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
      return json;
    }
  };
  const session = (await call('POST', '/api/v1/admin/sessions', undefined, {
    email: secrets.adminEmail,
    password: secrets.adminPassword,
  })) as { token: string };
  return (async (method, path, body, contentType) =>
    call(method, path, session.token, body, contentType)) as Operator;
}
