import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';
import { LOCKOUT_THRESHOLD } from './operators/lockout.ts';

describe('parseConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = parseConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('./.lendgate/data');
    expect(config.logLevel).toBe('info');
    expect(config.demo).toBe(true);
    expect(config.corsOrigins).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('turns demo data off by default in production', () => {
    expect(parseConfig({ NODE_ENV: 'production' }).demo).toBe(false);
    expect(parseConfig({ NODE_ENV: 'production', LENDGATE_DEMO: 'yes' }).demo).toBe(true);
  });

  it('turns demo mode (and the sandbox lenders) on for PostgreSQL only when asked explicitly', () => {
    // A real database gets no demo operators with a printed password and no dev token minting
    // just because NODE_ENV was not set.
    const url = 'postgres://lendgate@db.internal:5432/lendgate';
    const onPostgres = parseConfig({ DATABASE_URL: url });
    expect([onPostgres.demo, onPostgres.sandbox]).toEqual([false, false]);
    const asked = parseConfig({ DATABASE_URL: url, LENDGATE_DEMO: 'true' });
    expect([asked.demo, asked.sandbox]).toEqual([true, true]);
    // The embedded database keeps its try-it-out default.
    expect(parseConfig({ DATA_DIR: '/tmp/x' }).demo).toBe(true);
  });

  it('refuses a PORT that is not a port number, naming the variable', () => {
    for (const port of ['abc', '70000', '-1', '80.5']) {
      expect(() => parseConfig({ PORT: port })).toThrow(ConfigError);
      expect(() => parseConfig({ PORT: port })).toThrow(/PORT must be an integer from 0 to 65535/);
    }
  });

  it('reports every bad value at once', () => {
    try {
      parseConfig({ PORT: 'x', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', LENDGATE_MASTER_KEY: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(4);
    }
  });

  it('accepts a 32-byte base64 master key and refuses a short admin password', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(parseConfig({ LENDGATE_MASTER_KEY: key }).masterKey).toBe(key);
    expect(() => parseConfig({ LENDGATE_ADMIN_EMAIL: 'a@b.c', LENDGATE_ADMIN_PASSWORD: 'short' })).toThrow(
      /at least 12 characters/,
    );
  });

  it('starts the sandbox lenders with the demo unless told otherwise', () => {
    expect(parseConfig({}).sandbox).toBe(true);
    expect(parseConfig({ LENDGATE_DEMO: 'false' }).sandbox).toBe(false);
    expect(parseConfig({ LENDGATE_SANDBOX: 'off' }).sandbox).toBe(false);
    expect(parseConfig({ LENDGATE_SANDBOX_PORT: '4100' }).sandboxPort).toBe(4100);
    expect(() => parseConfig({ LENDGATE_SANDBOX_PORT: 'x' })).toThrow(/LENDGATE_SANDBOX_PORT/);
  });

  it('reads where operator-run conformance listens for callbacks', () => {
    expect(parseConfig({}).conformance).toEqual({
      callbackHost: '127.0.0.1',
      callbackPort: 0,
      callbackUrl: undefined,
      callbackTimeoutMs: 30_000,
      retryWindowMs: 10_000,
    });
    expect(
      parseConfig({
        CONFORMANCE_CALLBACK_HOST: '0.0.0.0',
        CONFORMANCE_CALLBACK_PORT: '4180',
        CONFORMANCE_CALLBACK_URL: 'https://conformance.lendgate.example/kit/',
        CONFORMANCE_CALLBACK_TIMEOUT_MS: '60000',
        CONFORMANCE_RETRY_WINDOW_MS: '20000',
      }).conformance,
    ).toEqual({
      callbackHost: '0.0.0.0',
      callbackPort: 4180,
      callbackUrl: 'https://conformance.lendgate.example/kit',
      callbackTimeoutMs: 60_000,
      retryWindowMs: 20_000,
    });
    expect(() => parseConfig({ CONFORMANCE_CALLBACK_URL: 'ftp://x' })).toThrow(/CONFORMANCE_CALLBACK_URL/);
    expect(() => parseConfig({ CONFORMANCE_CALLBACK_PORT: '70000' })).toThrow(/CONFORMANCE_CALLBACK_PORT/);
  });

  it('reads the HTTP timeouts with bounds, headers within the request timeout', () => {
    const defaults = parseConfig({});
    expect([
      defaults.headersTimeoutMs,
      defaults.requestTimeoutMs,
      defaults.keepAliveTimeoutMs,
      defaults.connectionTimeoutMs,
    ]).toEqual([10_000, 30_000, 72_000, 300_000]);
    const config = parseConfig({
      HEADERS_TIMEOUT_MS: '500',
      REQUEST_TIMEOUT_MS: '1000',
      KEEP_ALIVE_TIMEOUT_MS: '2000',
      CONNECTION_TIMEOUT_MS: '0',
    });
    expect([
      config.headersTimeoutMs,
      config.requestTimeoutMs,
      config.keepAliveTimeoutMs,
      config.connectionTimeoutMs,
    ]).toEqual([500, 1000, 2000, 0]);
    expect(() => parseConfig({ REQUEST_TIMEOUT_MS: '0' })).toThrow(/REQUEST_TIMEOUT_MS must be an integer/);
    expect(() => parseConfig({ KEEP_ALIVE_TIMEOUT_MS: 'soon' })).toThrow(/KEEP_ALIVE_TIMEOUT_MS/);
    expect(() => parseConfig({ HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '5000' })).toThrow(
      /HEADERS_TIMEOUT_MS must not be above REQUEST_TIMEOUT_MS/,
    );
  });

  it('reads the rate limits: deployment defaults, 0 for none, the failure budget below the lock-out', () => {
    expect(parseConfig({}).rateLimits).toEqual({
      redisUrl: undefined,
      signInPerIp: 20,
      signInPerEmail: 10,
      signInFailuresPerIp: 5,
      channelSignInPerIp: 60,
      devTokensPerIp: 30,
      offersPerBorrower: 10,
      quotesPerIp: 60,
      openPerPartner: 600,
      notFoundPerIp: 60,
    });
    const config = parseConfig({
      RATE_LIMIT_REDIS_URL: 'redis://cache:6379/2',
      RATE_LIMIT_OFFERS_PER_BORROWER: '0',
      RATE_LIMIT_OPEN_PER_PARTNER: '5000',
      SIGN_IN_FAILURES_PER_IP: '3',
    });
    expect(config.rateLimits).toMatchObject({
      redisUrl: 'redis://cache:6379/2',
      offersPerBorrower: 0,
      openPerPartner: 5000,
      signInFailuresPerIp: 3,
    });
    expect(Object.isFrozen(config.rateLimits)).toBe(true);
    expect(() => parseConfig({ RATE_LIMIT_QUOTES_PER_IP: 'many' })).toThrow(/RATE_LIMIT_QUOTES_PER_IP/);
    expect(() => parseConfig({ SIGN_IN_FAILURES_PER_IP: String(LOCKOUT_THRESHOLD) })).toThrow(
      new RegExp(`SIGN_IN_FAILURES_PER_IP must be an integer from 0 to ${LOCKOUT_THRESHOLD - 1}`),
    );
    expect(() => parseConfig({ RATE_LIMIT_REDIS_URL: 'http://cache:6379' })).toThrow(/RATE_LIMIT_REDIS_URL/);
  });

  it('reads the outbox settings with bounds', () => {
    const config = parseConfig({ OUTBOX_LEASE_MS: '5000', OUTBOX_BATCH_SIZE: '50', OUTBOX_POLL_MS: '100' });
    expect([config.outboxLeaseMs, config.outboxBatchSize, config.outboxPollMs]).toEqual([5000, 50, 100]);
    expect(() => parseConfig({ OUTBOX_BATCH_SIZE: '0' })).toThrow(/OUTBOX_BATCH_SIZE/);
  });

  it('parses booleans and CORS origins', () => {
    const config = parseConfig({
      LENDGATE_DEMO: 'off',
      CORS_ORIGINS: 'https://a.example, http://b.example:8080',
    });
    expect(config.demo).toBe(false);
    expect(config.corsOrigins).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(() => parseConfig({ LENDGATE_DEMO: 'maybe' })).toThrow(/LENDGATE_DEMO must be true or false/);
  });
});
