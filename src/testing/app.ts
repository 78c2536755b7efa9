import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type App, type AppDependencies, createApp } from '../app.ts';
import { type Config, parseConfig } from '../config.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import type { Clock } from '../shared/clock.ts';
import { createLogger } from '../shared/logger.ts';

export interface TestApp {
  readonly app: App;
  readonly server: FastifyInstance;
  readonly database: DatabaseHandle;
  readonly config: Config;
  /** The master key the app runs with (random per test app). */
  readonly masterKey: Buffer;
  /** Creates an operator with the given roles and returns a bearer token for it. */
  signIn(roles: readonly ('admin' | 'operator' | 'finance' | 'compliance')[]): Promise<string>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'test-password-123';

/**
 * Rate limits the suite never reaches (its e2e tests and benches make many requests from
 * 127.0.0.1, one borrower, one partner) and no sign-in failure budget; the tests of the limits
 * (src/http/rate-limits.test.ts) set their own. The limiters still run on every request.
 */
export const TEST_RATE_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_SIGN_IN_PER_IP: '1000000',
  RATE_LIMIT_SIGN_IN_PER_EMAIL: '1000000',
  SIGN_IN_FAILURES_PER_IP: '0',
  RATE_LIMIT_CHANNEL_SIGN_IN_PER_IP: '1000000',
  RATE_LIMIT_DEV_TOKENS_PER_IP: '1000000',
  RATE_LIMIT_OFFERS_PER_BORROWER: '1000000',
  RATE_LIMIT_QUOTES_PER_IP: '1000000',
  RATE_LIMIT_OPEN_PER_PARTNER: '1000000',
  RATE_LIMIT_NOT_FOUND_PER_IP: '1000000',
};

/** A full application over an isolated test database, for `server.inject` tests. */
export async function createTestApp(
  options: { env?: Record<string, string>; clock?: Clock; logger?: Logger } & Partial<
    Pick<AppDependencies, 'partnerKeys' | 'lenderEndpoints' | 'callbackHandlers' | 'fetch'>
  > = {},
): Promise<TestApp> {
  const config = parseConfig({
    LOG_LEVEL: 'silent',
    LENDGATE_DEMO: 'false',
    ...TEST_RATE_LIMITS,
    ...options.env,
  });
  const database = await createTestDatabase();
  const masterKey = randomBytes(32);
  const app = await createApp({
    config,
    logger: options.logger ?? createLogger(config.logLevel),
    database,
    clock: options.clock ?? (() => new Date()),
    masterKey,
    ...(options.partnerKeys ? { partnerKeys: options.partnerKeys } : {}),
    ...(options.lenderEndpoints ? { lenderEndpoints: options.lenderEndpoints } : {}),
    ...(options.callbackHandlers ? { callbackHandlers: options.callbackHandlers } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  let counter = 0;
  return {
    app,
    server: app.server,
    database,
    config,
    masterKey,
    async signIn(roles) {
      counter += 1;
      const email = `${roles.join('-')}-${counter}@test.lendgate.local`;
      await app.services.operators.create(
        { email, displayName: email, password: TEST_PASSWORD, roles },
        { type: 'system', id: null },
      );
      return (await app.services.operators.signIn(email, TEST_PASSWORD)).token;
    },
    async close() {
      await app.services.conformance.stop();
      await app.services.outbox.stop();
      await app.services.statusPull.stop();
      await app.server.close();
      await database.close();
    },
  };
}
