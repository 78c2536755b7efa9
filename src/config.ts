/**
 * One frozen, validated configuration object read from the environment. `parseConfig` is pure (the
 * environment is an argument) so that every rule is testable; it reports every bad value at once.
 */

import { LOCKOUT_THRESHOLD } from './operators/lockout.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const MEMORY_DATA_DIR = 'memory://';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Set → PostgreSQL over `pg`; unset → embedded PostgreSQL (PGlite) in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Folder of the embedded database and of generated secrets; `memory://` keeps nothing. */
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  /**
   * Seed demo channels, lenders and accounts once, and mint dev sign-in tokens. Default: on for the
   * embedded database outside production, off on PostgreSQL unless LENDGATE_DEMO=true.
   */
  readonly demo: boolean;
  /** Base64 of 32 bytes; when unset, generated into `dataDir` on first start (see secrets.ts). */
  readonly masterKey: string | undefined;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  readonly sessionTtlMinutes: number;
  readonly bodyLimitBytes: number;
  /** Allowed CORS origins; empty means CORS is off. */
  readonly corsOrigins: readonly string[];
  readonly trustProxy: boolean;
  readonly shutdownTimeoutMs: number;
  /** A request's headers must arrive within this (Node's headersTimeout). */
  readonly headersTimeoutMs: number;
  /**
   * A request's body must arrive within this of its headers, or it is answered 408 and the
   * connection closed (a route may declare a longer one: the whitelist import).
   */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** A connection without traffic in either direction is closed after this (0: never). */
  readonly connectionTimeoutMs: number;
  /**
   * Outbox worker: how long a claim on a message lasts — longer than the slowest lender call, or
   * a live worker's message is taken over and sent twice (harmless in effect, lenders dedupe on the
   * request id, but wasted) — and also how long a crashed process's claims wait to be taken over.
   */
  readonly outboxLeaseMs: number;
  /** Messages one worker pass claims and sends in parallel. */
  readonly outboxBatchSize: number;
  /** How often an idle worker looks for due messages (a pass that found work is followed at once). */
  readonly outboxPollMs: number;
  /** The pull fallback: how long an object may wait for its lender's callback before it is asked. */
  readonly statusPullAfterMs: number;
  /** The pull fallback: pause between passes. */
  readonly statusPullPollMs: number;
  /** Start the sandbox lender process for the demo partners (on by default with demo data). */
  readonly sandbox: boolean;
  /** Port of the sandbox lender process; 0 picks a free one. */
  readonly sandboxPort: number;
  /** Request rate limits and the sign-in failure budget (http/rate-limits.ts). */
  readonly rateLimits: RateLimits;
  /** Operator-run conformance (wiring/conformance-runner.ts). */
  readonly conformance: ConformanceSettings;
}

/** Where the kit listens for a partner's callbacks during an operator-run, and how long it waits. */
export interface ConformanceSettings {
  readonly callbackHost: string;
  /** 0: a free port per run (the run says which); a fixed port serves one run at a time. */
  readonly callbackPort: number;
  /** The URL the partner calls back when it is not where the receiver listens (a proxy in front). */
  readonly callbackUrl: string | undefined;
  readonly callbackTimeoutMs: number;
  readonly retryWindowMs: number;
}

/**
 * Requests per minute allowed on each limited route (0: no limit), and the operator sign-in
 * failure budget of a client address. Counted in process unless `redisUrl` is set, in which case
 * every process shares the counts.
 */
export interface RateLimits {
  readonly redisUrl: string | undefined;
  /** Operator sign-in requests per client address. */
  readonly signInPerIp: number;
  /** Operator sign-in requests per email (counted after the failure budget). */
  readonly signInPerEmail: number;
  /** Failed operator sign-ins of a client address before it must stay quiet 15 minutes (0: none). */
  readonly signInFailuresPerIp: number;
  /** Borrower sign-ins (channel sessions) per client address. */
  readonly channelSignInPerIp: number;
  /** Dev token minting per client address. */
  readonly devTokensPerIp: number;
  /** Offers (one signed pre-check per lender each) per borrower. */
  readonly offersPerBorrower: number;
  /** Loan quotes (no sign-in) per client address. */
  readonly quotesPerIp: number;
  /** Lender open API calls per partner id and address. */
  readonly openPerPartner: number;
  /** Requests answered 404 per client address. */
  readonly notFoundPerIp: number;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration; throws `ConfigError` naming every bad variable. */
export function parseConfig(env: Env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };

  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const logLevel = (read('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const masterKey = read('LENDGATE_MASTER_KEY');
  if (masterKey !== undefined && !isBase64Key(masterKey)) {
    problems.push('LENDGATE_MASTER_KEY must be the base64 encoding of exactly 32 random bytes');
  }

  const adminEmail = read('LENDGATE_ADMIN_EMAIL');
  const adminPassword = env.LENDGATE_ADMIN_PASSWORD;
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    problems.push('LENDGATE_ADMIN_EMAIL must be an email address');
  }
  if (adminPassword !== undefined && adminPassword.length < 12) {
    problems.push('LENDGATE_ADMIN_PASSWORD must be at least 12 characters');
  }

  const host = read('HOST') ?? '127.0.0.1';
  const corsOrigins = (read('CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      problems.push(`CORS_ORIGINS entry "${origin}" is not an origin`);
  }

  const rateLimitRedisUrl = read('RATE_LIMIT_REDIS_URL');
  if (rateLimitRedisUrl !== undefined && !/^rediss?:\/\/.+/.test(rateLimitRedisUrl)) {
    problems.push('RATE_LIMIT_REDIS_URL must be a redis:// or rediss:// URL');
  }
  const perMinute = (name: string, fallback: number) => integer(name, fallback, 0, 1_000_000);
  const rateLimits: RateLimits = Object.freeze({
    redisUrl: rateLimitRedisUrl,
    signInPerIp: perMinute('RATE_LIMIT_SIGN_IN_PER_IP', 20),
    signInPerEmail: perMinute('RATE_LIMIT_SIGN_IN_PER_EMAIL', 10),
    // Below the lock-out threshold, so that one address alone can never lock an account.
    signInFailuresPerIp: integer('SIGN_IN_FAILURES_PER_IP', 5, 0, LOCKOUT_THRESHOLD - 1),
    channelSignInPerIp: perMinute('RATE_LIMIT_CHANNEL_SIGN_IN_PER_IP', 60),
    devTokensPerIp: perMinute('RATE_LIMIT_DEV_TOKENS_PER_IP', 30),
    offersPerBorrower: perMinute('RATE_LIMIT_OFFERS_PER_BORROWER', 10),
    quotesPerIp: perMinute('RATE_LIMIT_QUOTES_PER_IP', 60),
    openPerPartner: perMinute('RATE_LIMIT_OPEN_PER_PARTNER', 600),
    notFoundPerIp: perMinute('RATE_LIMIT_NOT_FOUND_PER_IP', 60),
  });

  const conformanceCallbackUrl = read('CONFORMANCE_CALLBACK_URL');
  if (
    conformanceCallbackUrl !== undefined &&
    !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(conformanceCallbackUrl)
  ) {
    problems.push('CONFORMANCE_CALLBACK_URL must be an http:// or https:// URL without query or fragment');
  }
  const conformance: ConformanceSettings = Object.freeze({
    callbackHost: read('CONFORMANCE_CALLBACK_HOST') ?? '127.0.0.1',
    callbackPort: integer('CONFORMANCE_CALLBACK_PORT', 0, 0, 65535),
    callbackUrl: conformanceCallbackUrl?.replace(/\/+$/, ''),
    callbackTimeoutMs: integer('CONFORMANCE_CALLBACK_TIMEOUT_MS', 30_000, 100, 3_600_000),
    retryWindowMs: integer('CONFORMANCE_RETRY_WINDOW_MS', 10_000, 0, 3_600_000),
  });

  // Demo data and dev token minting are for trying Lendgate out: on by default only on the
  // embedded database (and not in production); a real PostgreSQL gets them only when asked.
  const demo = boolean('LENDGATE_DEMO', databaseUrl === undefined && read('NODE_ENV') !== 'production');
  const config: Config = {
    port: integer('PORT', 3000, 0, 65535),
    host,
    databaseUrl,
    dataDir: read('DATA_DIR') ?? './.lendgate/data',
    logLevel: logLevel as LogLevel,
    demo,
    masterKey,
    adminEmail,
    adminPassword,
    sessionTtlMinutes: integer('SESSION_TTL_MINUTES', 480, 1, 60 * 24 * 30),
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    corsOrigins,
    trustProxy: boolean('TRUST_PROXY', false),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    headersTimeoutMs: integer('HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    requestTimeoutMs: integer('REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    keepAliveTimeoutMs: integer('KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
    connectionTimeoutMs: integer('CONNECTION_TIMEOUT_MS', 300_000, 0, 3_600_000),
    outboxLeaseMs: integer('OUTBOX_LEASE_MS', 60_000, 1_000, 3_600_000),
    outboxBatchSize: integer('OUTBOX_BATCH_SIZE', 20, 1, 1_000),
    outboxPollMs: integer('OUTBOX_POLL_MS', 500, 10, 60_000),
    statusPullAfterMs: integer('STATUS_PULL_AFTER_MS', 300_000, 100, 86_400_000),
    statusPullPollMs: integer('STATUS_PULL_POLL_MS', 30_000, 50, 3_600_000),
    sandbox: boolean('LENDGATE_SANDBOX', demo),
    sandboxPort: integer('LENDGATE_SANDBOX_PORT', 0, 0, 65535),
    rateLimits,
    conformance,
  };
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    problems.push('HEADERS_TIMEOUT_MS must not be above REQUEST_TIMEOUT_MS');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...config, corsOrigins: Object.freeze([...corsOrigins]) });
}

function isBase64Key(value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32;
}
