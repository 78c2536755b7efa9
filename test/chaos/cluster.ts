import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { type SpawnedSandbox, spawnSandbox } from '../../sandbox/lender/testing.ts';
import { openPostgres } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrations.ts';
import { templateDatabaseName } from '../../src/db/testing.ts';
import { demoSandboxLenders, type SandboxPreCheckKeys } from '../../src/demo/sandbox-lenders.ts';
import type { PublicSigningKey } from '../../src/protocol/envelope/index.ts';
import type { ChaosProduct } from './plan.ts';

/**
 * The processes of a chaos run: a database of its own, the sandbox lender process, and the
 * server processes (`node src/main.ts`) that are killed and restarted on that database.
 */

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export interface ChaosDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database: a copy of the test run's migrated template when there is one (under vitest),
 * else created empty and migrated here (the script).
 */
export async function createChaosDatabase(serverUrl: string): Promise<ChaosDatabase> {
  const name = `lendgate_chaos_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = templateDatabaseName();
  const exists = await adminQuery(serverUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [template]);
  const url = withDatabase(serverUrl, name);
  if (exists.length > 0) {
    await adminQuery(serverUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  } else {
    await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
    const handle = openPostgres(url, 2);
    try {
      await migrateToLatest(handle.db);
    } finally {
      await handle.close();
    }
  }
  return {
    name,
    url,
    drop: async () => {
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Connections of the server processes carry this application name, so a storm hits only them. */
export const SERVER_APP_NAME = 'lendgate-chaos-server';

/**
 * Terminates every backend of the server processes on `database` (never the test's own
 * connections, never other databases). Returns how many were terminated.
 */
export async function terminateServerBackends(serverUrl: string, database: string): Promise<number> {
  const rows = await adminQuery<{ n: number }>(
    serverUrl,
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n
       FROM pg_stat_activity
      WHERE datname = $1 AND application_name LIKE $2 AND pid <> pg_backend_pid()`,
    [database, `${SERVER_APP_NAME}%`],
  );
  return rows[0]?.n ?? 0;
}

export interface SandboxFaults {
  readonly duplicateCallbacks: boolean;
  readonly outOfOrderCallbacks: boolean;
  readonly errorRate: number;
}

/** Spawns the sandbox lender for the demo partners, faulty, lending at most each `lenderMaxFen`. */
export function startChaosSandbox(options: {
  readonly dataDir: string;
  readonly platformUrl: string;
  readonly platformKeys: readonly PublicSigningKey[];
  /** The demo partners' pre-check keys, as the platform holds them. */
  readonly preCheckKeys: SandboxPreCheckKeys;
  readonly products: readonly ChaosProduct[];
  readonly faults: SandboxFaults;
}): Promise<SpawnedSandbox> {
  const limits = new Map(options.products.map((p) => [p.productCode, p.lenderMaxFen]));
  const config = {
    host: '127.0.0.1',
    port: 0,
    dataDir: options.dataDir,
    // A book of its own: the admission's conformance runs kept theirs in the same folder.
    bookFile: join(options.dataDir, `chaos-book-${randomBytes(4).toString('hex')}.sqlite`),
    rsaBits: 2048,
    logLevel: 'warn',
    platform: { url: options.platformUrl, keys: options.platformKeys, fetchKeys: true },
    callbacks: { timeoutMs: 10_000, retryBaseMs: 200, retryCapMs: 2_000 },
    lenders: demoSandboxLenders(options.preCheckKeys).map((lender) => ({
      ...lender,
      delays: { decisionMs: 150, disbursementMs: 150, repaymentMs: 100 },
      faults: { ...options.faults },
      products: lender.products.map((product) => ({
        ...product,
        maxAmountFen: limits.get(product.productCode) ?? product.maxAmountFen,
        limitFen: limits.get(product.productCode) ?? product.limitFen,
        dailyQuota: 100_000,
      })),
    })),
  };
  return spawnSandbox({ SANDBOX_CONFIG: JSON.stringify(config), SANDBOX_EXIT_WITH_PARENT: '1' });
}

/** How a server process ended. */
export interface ExitRecord {
  readonly server: string;
  readonly generation: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the run killed it (SIGKILL); false when it exited by itself. */
  readonly killed: boolean;
  readonly atMs: number;
  /** The end of what it printed, for the report. */
  readonly outputTail: string;
}

interface Slot {
  readonly name: string;
  generation: number;
  child: ChildProcess | undefined;
  url: string | undefined;
  killing: boolean;
  output: string;
}

const OUTPUT_KEEP = 16_000;

/**
 * The server processes. Each slot runs one process at a time; a process the run kills is
 * restarted on the same database at once, and one that exits by itself is recorded (that is a
 * failure of the run) and restarted too, so that the rest of the run can still be checked.
 */
export class ServerFleet {
  readonly exits: ExitRecord[] = [];
  readonly #slots: Slot[];
  readonly #env: (name: string) => Record<string, string>;
  readonly #startedAt = Date.now();
  #stopping = false;
  restarts = 0;
  /** Processes that did not come up (their exit is recorded too). */
  readonly startFailures: string[] = [];

  constructor(names: readonly string[], env: (name: string) => Record<string, string>) {
    this.#slots = names.map((name) => ({
      name,
      generation: 0,
      child: undefined,
      url: undefined,
      killing: false,
      output: '',
    }));
    this.#env = env;
    // Should the test process go away without cleaning up, its server processes go with it.
    process.once('exit', () => {
      for (const slot of this.#slots) slot.child?.kill('SIGKILL');
    });
  }

  /** Base URLs of the processes up and not about to be killed. */
  urls(): string[] {
    return this.#slots.filter((s) => s.url !== undefined && !s.killing).map((s) => s.url!);
  }

  names(): string[] {
    return this.#slots.map((s) => s.name);
  }

  unexpectedExits(): ExitRecord[] {
    return this.exits.filter((e) => !e.killed);
  }

  #slot(name: string): Slot {
    const slot = this.#slots.find((s) => s.name === name);
    if (!slot) throw new Error(`no server ${name}`);
    return slot;
  }

  /** Starts the slot's process and resolves with its base URL once it printed its banner. */
  start(name: string): Promise<string> {
    const slot = this.#slot(name);
    slot.generation += 1;
    const generation = slot.generation;
    const child = spawn(process.execPath, ['src/main.ts'], {
      env: { ...process.env, ...this.#env(name) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    slot.child = child;
    slot.url = undefined;
    slot.killing = false;
    slot.output = '';
    let stderr = '';
    const keep = (chunk: Buffer) => {
      slot.output = (slot.output + chunk.toString()).slice(-OUTPUT_KEEP);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (slot.url === undefined) stderr += chunk.toString();
    });
    const ready = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server ${name} printed no banner within 60 s:\n${stderr}`)),
        60_000,
      );
      const onData = () => {
        const match = /health\s+(http:\/\/[^/\s]+)\/healthz/.exec(stderr);
        if (match === null || !stderr.includes('\n\n', match.index)) return;
        clearTimeout(timer);
        child.stderr!.removeListener('data', onData);
        if (slot.child === child) slot.url = match[1]!;
        resolve(match[1]!);
      };
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server ${name} exited (${code ?? signal}) before it was ready:\n${stderr}`));
      });
    });
    let wasReady = false;
    ready.then(
      () => {
        wasReady = true;
      },
      () => {},
    );
    child.once('exit', (code, signal) => {
      const killed = slot.killing && signal === 'SIGKILL';
      this.exits.push({
        server: name,
        generation,
        code,
        signal,
        killed,
        atMs: Date.now() - this.#startedAt,
        outputTail: slot.output.slice(-4_000),
      });
      if (slot.child === child) {
        slot.url = undefined;
        slot.child = undefined;
      }
      // Exited by itself once up: recorded; brought back so that the run goes on and can be
      // checked. (One that never came up is retried by whoever started it.)
      if (!killed && wasReady && !this.#stopping && this.unexpectedExits().length <= 20) {
        setTimeout(() => {
          if (this.#stopping || slot.child !== undefined) return;
          this.restarts += 1;
          void this.#startRetrying(name);
        }, 300);
      }
    });
    return ready;
  }

  /** SIGKILLs the slot's process (taken out of the balancer first), then starts it again. */
  async kill(name: string): Promise<{ restartMs: number }> {
    const slot = this.#slot(name);
    const child = slot.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      return { restartMs: 0 };
    }
    slot.killing = true;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
    const started = Date.now();
    this.restarts += 1;
    await this.#startRetrying(name);
    return { restartMs: Date.now() - started };
  }

  /** Starts the slot's process, again if it fails to come up (recorded), a few times. */
  async #startRetrying(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.start(name);
        return;
      } catch (error) {
        this.startFailures.push(`server ${name}: ${error instanceof Error ? error.message : String(error)}`);
        if (attempt >= 5 || this.#stopping) return;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** Waits until every slot has a process up (after a crash, its restart). */
  async allUp(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#slots.every((s) => s.url !== undefined && !s.killing)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  output(name: string): string {
    return this.#slot(name).output;
  }

  async stopAll(): Promise<void> {
    this.#stopping = true;
    await Promise.all(
      this.#slots.map(async (slot) => {
        const child = slot.child;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        slot.killing = true;
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await gone;
      }),
    );
  }
}
