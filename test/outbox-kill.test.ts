import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type SpawnedSandbox, spawnSandbox } from '../sandbox/lender/testing.ts';
import { SYSTEM_ACTOR } from '../src/audit/audit-log.ts';
import { type DatabaseHandle, openPostgres } from '../src/db/connection.ts';
import { templateDatabaseName } from '../src/db/testing.ts';
import { inTransaction } from '../src/db/transaction.ts';
import { createLenderServices } from '../src/lenders/index.ts';
import {
  ENVELOPE_HEADERS,
  PRE_CHECK,
  type PreCheckRequest,
  type PublicKeyRecord,
} from '../src/protocol/envelope/index.ts';
import { enqueueLenderCall } from '../src/protocol/outbox.ts';
import { PlatformKeyring } from '../src/protocol/platform-keys.ts';
import { systemClock } from '../src/shared/clock.ts';

/**
 * Issue 4: two server processes (`node src/main.ts`) share one PostgreSQL database and deliver
 * 1,000 outbox messages to the sandbox lender while one of them is killed with SIGKILL midway.
 * Each message must take effect at the lender exactly once: counted on the sandbox's side, every
 * request id is answered fresh once, and a message re-sent because its first sender died after
 * sending is answered from the lender's idempotency memory (a "replayed answer").
 *
 * A small relay in the test process sits between the servers and the sandbox (it is the partner's
 * callback URL and forwards bytes unchanged, so signatures hold). It lets the test see each request
 * id's requests on the wire — how many, and whether two were ever in flight at once, which would
 * mean two leases on one message — and it makes the kill land at the worst moment every time: it
 * holds the sandbox's answers back until each process waits on a whole batch, so the killed
 * process dies after its calls took effect at the lender but before it could record any of them.
 */

const DATABASE_URL = process.env.DATABASE_URL;
const MESSAGES = 1_000;
/** The relay starts holding answers once this many went through: "some hundreds delivered". */
const HOLD_AFTER = 300;
const PARTNER_ID = 'outbox-kill-lender';
// Short enough that the survivor takes over the dead process's claims within the test, longer than
// any pre-check can take (its timeout is set to the 3 s maximum below), so no live claim expires.
const LEASE_MS = 5_000;
const BATCH_SIZE = 20;

async function poll<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | Promise<T | undefined>,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : '';
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** A transparent relay to the sandbox that watches each request id and can hold answers back. */
class Relay {
  readonly #target: URL;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #server: Server;
  /** HTTP requests seen per request id. */
  readonly requests = new Map<string, number>();
  /** Requests whose platform side is still waiting for an answer, per request id. */
  readonly open = new Map<string, number>();
  /** Request ids whose answer reached the platform at least once. */
  readonly answered = new Set<string>();
  /** Request ids whose caller went away before getting the answer (the lender had answered). */
  readonly orphaned = new Set<string>();
  #held: { readonly res: ServerResponse; readonly answer: Answer; readonly requestId: string }[] = [];
  #holding = false;
  #passed = 0;
  #upstreamOpen = 0;
  maxOpenPerId = 0;
  total = 0;

  private constructor(target: string) {
    this.#target = new URL(target);
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  static async start(target: string): Promise<Relay> {
    const relay = new Relay(target);
    await new Promise<void>((resolve) => relay.#server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  get holding(): boolean {
    return this.#holding;
  }

  get upstreamOpen(): number {
    return this.#upstreamOpen;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = header(req.headers, ENVELOPE_HEADERS.requestId);
    this.total += 1;
    this.requests.set(requestId, (this.requests.get(requestId) ?? 0) + 1);
    const openNow = (this.open.get(requestId) ?? 0) + 1;
    this.open.set(requestId, openNow);
    this.maxOpenPerId = Math.max(this.maxOpenPerId, openNow);
    // 'close' comes once the answer is written, or when the caller's connection goes (SIGKILL).
    res.once('close', () => {
      const left = (this.open.get(requestId) ?? 1) - 1;
      if (left === 0) this.open.delete(requestId);
      else this.open.set(requestId, left);
      if (!res.writableFinished) this.orphaned.add(requestId);
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Forwarded whatever happens to the caller afterwards: a call the platform sent reaches the
      // lender even if the platform dies while it is on its way, as on a real network.
      this.#upstreamOpen += 1;
      const upstream = httpRequest(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: this.#target.host },
          agent: this.#agent,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            this.#upstreamOpen -= 1;
            const headers: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(answer.headers)) {
              if (value === undefined || ['connection', 'keep-alive', 'transfer-encoding'].includes(name))
                continue;
              headers[name] = value;
            }
            this.#answer(res, requestId, {
              status: answer.statusCode ?? 502,
              headers,
              body: Buffer.concat(body),
            });
          });
        },
      );
      upstream.on('error', (error) => {
        this.#upstreamOpen -= 1;
        res.destroy(error);
      });
      upstream.end(Buffer.concat(chunks));
    });
  }

  #answer(res: ServerResponse, requestId: string, answer: Answer): void {
    if (this.#holding) {
      this.#held.push({ res, answer, requestId });
      return;
    }
    this.#write(res, requestId, answer);
    this.#passed += 1;
    if (this.#passed === HOLD_AFTER) this.#holding = true;
  }

  #write(res: ServerResponse, requestId: string, answer: Answer): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    res.end(answer.body);
    this.answered.add(requestId);
  }

  /**
   * Hands held answers to whoever is still waiting for them: those of `requestIds` only, holding
   * on; or, without it, all of them, and stops holding.
   */
  release(requestIds?: ReadonlySet<string>): void {
    if (requestIds === undefined) this.#holding = false;
    const held = this.#held.splice(0);
    for (const entry of held) {
      if (requestIds === undefined || requestIds.has(entry.requestId))
        this.#write(entry.res, entry.requestId, entry.answer);
      else this.#held.push(entry);
    }
  }

  async close(): Promise<void> {
    this.#holding = false;
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
    this.#agent.destroy();
  }
}

interface ServerProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Its banner (stderr) and warn-level JSON log lines (stdout), for failure messages. */
  output(): string;
}

/** Every process this file started, killed in `afterAll` whatever happened. */
const children: ChildProcess[] = [];

function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${stderr}`)), 30_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stderr}`));
    };
    child.once('exit', onExit);
    const onData = () => {
      const match = /health\s+(http:\/\/[^/\s]+)\/healthz/.exec(stderr);
      if (match === null || !stderr.includes('\n\n', match.index)) return;
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      child.stderr!.removeListener('data', onData);
      resolve({ child, baseUrl: match[1]!, output: () => `${stderr}${stdout}` });
    };
    child.stderr!.on('data', onData);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The sandbox holds no pre-check key here: each is answered 200, declined `unknown_hash_key`. */
const PRE_CHECK_KEY = randomBytes(32);

function preCheckBody(i: number): PreCheckRequest {
  const hmac = (text: string) => createHmac('sha256', PRE_CHECK_KEY).update(text).digest('hex');
  return {
    productCode: 'SBX-CASH',
    phoneHmac: hmac(`1380000${String(i).padStart(4, '0')}`),
    idNumberHmac: hmac(`11010119900307${String(i).padStart(4, '0')}`),
    hashKeyId: 'pck_outbox-kill',
    ageBand: '25-34',
    region: '310000',
    amountBandFen: { min: 100_000, max: 1_000_000 },
  };
}

interface PartnerStats {
  readonly calls: Record<string, number>;
  readonly refused: Record<string, number>;
  readonly injectedErrors: number;
  readonly replayedAnswers: number;
}

async function sandboxStats(sandbox: SpawnedSandbox): Promise<PartnerStats> {
  const stats = (await (await fetch(`${sandbox.url}/sandbox/stats`)).json()) as {
    partners: Record<string, PartnerStats>;
  };
  return stats.partners[PARTNER_ID]!;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
    await exited(child);
  }
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`outbox-kill cleanup: ${String(error)}\n`);
    }
  }
});

describe('outbox across processes', () => {
  if (DATABASE_URL === undefined || DATABASE_URL === '') {
    it.skip('two processes deliver 1,000 messages exactly once despite a SIGKILL (skipped: needs PostgreSQL in DATABASE_URL; PGlite is single-process)', () => {});
    return;
  }

  it('two server processes deliver 1,000 messages to the sandbox exactly once each while one is SIGKILLed', async () => {
    const started = Date.now();

    // A database of its own, copied from the run's migrated template, and a fixed master key.
    const dbName = `lendgate_outbox_kill_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${dbName} TEMPLATE ${templateDatabaseName()}`);
    } finally {
      await admin.end();
    }
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    });
    const dbUrl = new URL(DATABASE_URL);
    dbUrl.pathname = `/${dbName}`;
    const masterKey = randomBytes(32);
    const database: DatabaseHandle = openPostgres(dbUrl.toString(), 3);
    cleanups.push(() => database.close());
    const { db } = database;

    // The platform's signing key, made here with the servers' master key so that the sandbox
    // can be told the public half before any server starts; the servers then find and use it.
    const keyring = new PlatformKeyring(db, masterKey, systemClock);
    await keyring.ensureSigningKey();
    const dataDir = mkdtempSync(join(tmpdir(), 'outbox-kill-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const sandbox = await spawnSandbox({
      SANDBOX_PARTNERS: PARTNER_ID,
      SANDBOX_DATA_DIR: dataDir,
      SANDBOX_RSA_BITS: '2048',
      SANDBOX_PLATFORM_KEYS: JSON.stringify(await keyring.publicKeys()),
    });
    cleanups.push(() => sandbox.stop());
    const relay = await Relay.start(sandbox.url);
    cleanups.push(() => relay.close());

    // The partner in the registry with the sandbox's keys. Its status stays `applied`: the
    // outbox reaches any registered partner (a suspended one still gets calls for loans in flight).
    const lenders = createLenderServices(db, { clock: systemClock });
    const partner = await lenders.partners.create(
      {
        code: PARTNER_ID,
        kind: 'bank',
        legalName: 'Outbox Kill Test Bank',
        licenseType: '金融许可证',
        licenseNumber: 'TEST-OK-0001',
        contact: { name: 'Test', email: 'ops@outbox-kill.example', phone: '+86 10 5555 0100' },
        dailyApplicationQuota: 10_000,
        callbackBaseUrl: relay.url,
        timeouts: { preCheckMs: 3_000 },
      },
      SYSTEM_ACTOR,
    );
    const { keys } = (await (await fetch(`${sandbox.url}/keys/${PARTNER_ID}`)).json()) as {
      keys: PublicKeyRecord[];
    };
    for (const key of keys) {
      await lenders.keys.add(
        partner.id,
        {
          kid: key.kid,
          algorithm: key.use === 'signing' ? key.alg : 'RSA-OAEP-256',
          use: key.use,
          publicKeyPem: key.publicKeyPem,
        },
        SYSTEM_ACTOR,
      );
    }

    // Two server processes on the database. They start before the messages exist, so that
    // both compete for them from the first one.
    const env = {
      DATABASE_URL: dbUrl.toString(),
      LENDGATE_MASTER_KEY: masterKey.toString('base64'),
      HOST: '127.0.0.1',
      PORT: '0',
      LENDGATE_DEMO: 'false',
      LOG_LEVEL: 'warn',
      OUTBOX_LEASE_MS: String(LEASE_MS),
      OUTBOX_BATCH_SIZE: String(BATCH_SIZE),
      OUTBOX_POLL_MS: '100',
    };
    const servers = await Promise.all([startServer(env), startServer(env)]);
    const [victim, survivor] = servers as [ServerProcess, ServerProcess];

    // 1,000 pre-checks in one transaction, so that both workers see all of them at once. A
    // pre-check needs no earlier state at the lender, is answered 200, and the sandbox remembers
    // its answer by request id like any call: a repeat is answered from memory.
    const requestIds = await inTransaction(db, async (trx) => {
      const ids: string[] = [];
      const now = new Date();
      for (let i = 0; i < MESSAGES; i += 1) {
        ids.push(
          await enqueueLenderCall(
            trx,
            { partnerId: PARTNER_ID, call: 'pre_check', path: PRE_CHECK, body: preCheckBody(i) },
            now,
          ),
        );
      }
      return ids;
    });

    // Once 300 answers went through, the relay holds the next ones. Wait until each process is
    // blocked on a whole batch of held answers, then kill one: it dies having sent its calls (the
    // lender acted on them) but before it could record any of them.
    await poll('the relay to start holding answers', 30_000, () => (relay.holding ? true : undefined));
    const owners = await poll('both processes to wait on a batch of held answers', 15_000, async () => {
      const leased = await db
        .selectFrom('outbox_messages')
        .select(['request_id', 'lease_owner'])
        .where('status', '=', 'pending')
        .where('lease_owner', 'is not', null)
        .execute();
      const byOwner = new Map<string, string[]>();
      for (const row of leased) {
        const waiting = relay.open.has(row.request_id);
        if (!waiting && !relay.answered.has(row.request_id)) return undefined; // claimed, not sent yet
        if (!waiting) continue;
        byOwner.set(row.lease_owner!, [...(byOwner.get(row.lease_owner!) ?? []), row.request_id]);
      }
      const partial = [...byOwner.values()].filter((ids) => ids.length < BATCH_SIZE);
      if (byOwner.size === 2 && partial.length === 0) return byOwner;
      // A process blocked on part of a batch (the rest went through before the hold) gets its
      // answers, so that it finishes the batch and claims a whole one, which is then held.
      relay.release(new Set(partial.flat()));
      return undefined;
    });
    const deliveredAtKill = Number(
      (
        await db
          .selectFrom('outbox_messages')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '=', 'delivered')
          .executeTakeFirstOrThrow()
      ).n,
    );
    victim.child.kill('SIGKILL');
    await exited(victim.child);
    expect(victim.child.signalCode).toBe('SIGKILL');
    // The relay notices the dead process's connections close; its waiting calls become orphans.
    const victimCalls = await poll('the killed process’s connections to close', 10_000, () => {
      const closed = [...owners.values()].find((ids) => ids.every((id) => relay.orphaned.has(id)));
      return closed;
    });
    relay.release();

    // Every message delivered: the survivor takes over the dead process's claims when they expire.
    await poll(
      'all messages delivered',
      40_000,
      async () => {
        const row = await db
          .selectFrom('outbox_messages')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '=', 'delivered')
          .executeTakeFirstOrThrow();
        return Number(row.n) === MESSAGES ? true : undefined;
      },
      100,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nthe surviving server's output:\n${survivor.output().slice(-4_000)}`);
    });
    await poll('the relay to have no call in flight', 5_000, () =>
      relay.upstreamOpen === 0 && relay.open.size === 0 ? true : undefined,
    );
    expect(survivor.child.exitCode).toBeNull();

    // The database: all delivered, none dead or pending; each claim sent exactly one request,
    // and the dead process's messages were claimed twice — by it, then by the survivor.
    const rows = await db
      .selectFrom('outbox_messages')
      .select(['request_id', 'status', 'attempts', 'lease_owner', 'response_status'])
      .execute();
    const byStatus = Object.groupBy(rows, (row) => row.status);
    expect(byStatus.delivered?.length).toBe(MESSAGES);
    expect(byStatus.dead ?? []).toHaveLength(0);
    expect(byStatus.pending ?? []).toHaveLength(0);
    expect(rows.every((row) => row.response_status === 200 && row.lease_owner === null)).toBe(true);
    const attempts = rows.reduce((sum, row) => sum + row.attempts, 0);
    expect(attempts).toBe(relay.total);
    const retried = rows.filter((row) => row.attempts > 1).map((row) => row.request_id);
    for (const id of victimCalls) expect(rows.find((row) => row.request_id === id)?.attempts).toBe(2);
    expect(retried).toEqual(expect.arrayContaining(victimCalls));

    // The wire: exactly the 1,000 request ids, none ever in flight twice at once (one lease per
    // message at a time), the dead process's calls sent again.
    expect([...relay.requests.keys()].sort()).toEqual([...requestIds].sort());
    expect(relay.maxOpenPerId).toBe(1);
    for (const id of victimCalls) expect(relay.requests.get(id)).toBe(2);

    // The sandbox: every request verified, each request id took effect once, and every extra
    // request was a repeat answered from memory.
    const stats = await sandboxStats(sandbox);
    const received = stats.calls['pre-check'] ?? 0;
    const fresh = received - stats.replayedAnswers;
    expect(stats.refused).toEqual({});
    expect(stats.injectedErrors).toBe(0);
    expect(received).toBe(relay.total);
    expect(fresh).toBe(MESSAGES);
    expect(stats.replayedAnswers).toBe(relay.total - MESSAGES);
    expect(victimCalls).toHaveLength(BATCH_SIZE);
    expect(stats.replayedAnswers).toBeGreaterThanOrEqual(victimCalls.length);

    process.stdout.write(
      `outbox-kill: killed at ${deliveredAtKill} delivered with ${victimCalls.length} calls of the ` +
        `killed process unrecorded; sandbox: ${received} calls, ${fresh} fresh, ` +
        `${stats.replayedAnswers} replayed; attempts ${attempts} (${retried.length} messages claimed ` +
        `twice); ${Date.now() - started} ms\n`,
    );
    // Sanity of the scenario: the kill came midway, not before or after the work.
    expect(deliveredAtKill).toBeGreaterThanOrEqual(HOLD_AFTER - 2 * BATCH_SIZE);
    expect(deliveredAtKill).toBeLessThan(MESSAGES - 2 * BATCH_SIZE);
  }, 60_000);
});
