import { randomInt } from 'node:crypto';
import { createConnection } from 'node:net';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { signInTestBorrower } from '../channels/testing.ts';
import { LOCKOUT_THRESHOLD } from '../operators/lockout.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';

const LIMIT = 3;
const BURST = 10;
const PASSWORD = 'Rate-limited-operator-2026!';

/** Each limit at 3 a minute, the failure budget at its default of 5. */
const LOW_LIMITS: Record<string, string> = {
  RATE_LIMIT_SIGN_IN_PER_IP: String(LIMIT),
  RATE_LIMIT_SIGN_IN_PER_EMAIL: String(LIMIT),
  SIGN_IN_FAILURES_PER_IP: '5',
  RATE_LIMIT_CHANNEL_SIGN_IN_PER_IP: String(LIMIT),
  RATE_LIMIT_DEV_TOKENS_PER_IP: String(LIMIT),
  RATE_LIMIT_OFFERS_PER_BORROWER: String(LIMIT),
  RATE_LIMIT_QUOTES_PER_IP: String(LIMIT),
  RATE_LIMIT_OPEN_PER_PARTNER: String(LIMIT),
  RATE_LIMIT_NOT_FOUND_PER_IP: String(LIMIT),
};

// Random per run: the Redis store keeps counts across runs for up to 15 minutes.
const RUN = `10.${randomInt(0, 256)}.${randomInt(0, 256)}`;
let addresses = 0;
/** A client address of its own for each use, so that tests do not share counts. */
const address = () => `${RUN}.${++addresses}`;

const QUOTE = {
  principalFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  annualRate: '0.12',
  startDate: '2026-12-01',
};

/** Every 429 in the standard shape with Retry-After; returns how many there were. */
function count429(responses: readonly LightMyRequestResponse[]): number {
  const limited = responses.filter((response) => response.statusCode === 429);
  for (const response of limited) {
    const body = response.json();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({ code: 'RATE_LIMITED', requestId: response.headers['x-request-id'] });
    expect(body.error.message).toMatch(/^Too many requests; retry in \d+ s\.$/);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
  }
  return limited.length;
}

describe('rate limits (in process)', { timeout: 60_000 }, () => {
  let t: TestApp;
  const counts: Record<string, number> = {};
  beforeAll(async () => {
    t = await createTestApp({ env: { ...LOW_LIMITS, LENDGATE_DEMO: 'true' } });
    await t.app.services.operators.create(
      { email: 'alpha@example.com', displayName: 'Limited', password: PASSWORD, roles: ['operator'] },
      SYSTEM_ACTOR,
    );
  });
  afterAll(async () => {
    process.stderr.write(`429s out of ${BURST} (limit ${LIMIT}/min): ${JSON.stringify(counts)}\n`);
    await t?.close();
  });

  const burst = async (route: string, make: (i: number) => InjectOptions, n = BURST) => {
    const responses: LightMyRequestResponse[] = [];
    // One after another: the count is then exact (the stores are atomic either way).
    for (let i = 0; i < n; i++) responses.push(await t.server.inject(make(i)));
    counts[route] = count429(responses);
    return responses;
  };

  it('operator sign-in, per address', async () => {
    const remoteAddress = address();
    const responses = await burst('POST /api/v1/admin/sessions (per IP)', (i) => ({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      remoteAddress,
      payload: { email: `nobody-${i}@example.com`, password: 'wrong-password' },
    }));
    expect(responses.slice(0, LIMIT).map((r) => r.statusCode)).toEqual([401, 401, 401]);
    expect(counts['POST /api/v1/admin/sessions (per IP)']).toBe(BURST - LIMIT);
  });

  it('operator sign-in, per email, whatever the address', async () => {
    const responses = await burst('POST /api/v1/admin/sessions (per email)', () => ({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      remoteAddress: address(),
      payload: { email: 'Someone@Example.com', password: 'wrong-password' },
    }));
    expect(responses.slice(0, LIMIT).map((r) => r.statusCode)).toEqual([401, 401, 401]);
    expect(counts['POST /api/v1/admin/sessions (per email)']).toBe(BURST - LIMIT);
  });

  it('borrower sign-in (channel sessions), per address', async () => {
    const remoteAddress = address();
    await burst('POST /api/v1/channels/:code/sessions', () => ({
      method: 'POST',
      url: '/api/v1/channels/nochannel/sessions',
      remoteAddress,
      payload: { token: 'not.a.token' },
    }));
    expect(counts['POST /api/v1/channels/:code/sessions']).toBe(BURST - LIMIT);
  });

  it('dev token minting, per address', async () => {
    const remoteAddress = address();
    await burst('POST /api/v1/dev/channels/:code/tokens', () => ({
      method: 'POST',
      url: '/api/v1/dev/channels/nochannel/tokens',
      remoteAddress,
      payload: { channelUserId: 'demo-001' },
    }));
    expect(counts['POST /api/v1/dev/channels/:code/tokens']).toBe(BURST - LIMIT);
  });

  it('offers, per borrower (HEAD counts too; another borrower has a count of its own)', async () => {
    const first = await signInTestBorrower(t, 'shop', 'offers-1');
    const second = await signInTestBorrower(t, 'shop', 'offers-2');
    const responses = await burst('GET /api/v1/borrower/offers', (i) => ({
      method: i === 1 ? 'HEAD' : 'GET',
      url: '/api/v1/borrower/offers',
      // From a new address every time: the count is the borrower's.
      remoteAddress: address(),
      headers: { authorization: `Bearer ${first.token}` },
    }));
    // Answered by the route (the borrower is on no whitelist here: 403 NOT_WHITELISTED), not limited.
    const answered = responses[0]!.statusCode;
    expect(answered).not.toBe(429);
    expect(responses.slice(0, LIMIT).map((r) => r.statusCode)).toEqual([answered, answered, answered]);
    expect(counts['GET /api/v1/borrower/offers']).toBe(BURST - LIMIT);
    const other = await t.server.inject({
      method: 'GET',
      url: '/api/v1/borrower/offers',
      headers: { authorization: `Bearer ${second.token}` },
    });
    expect(other.statusCode).toBe(answered);
    // A request without a session is refused by the guard before it is counted.
    const anonymous = await t.server.inject({ method: 'GET', url: '/api/v1/borrower/offers' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('quotes, per address (the quote and the payoff quote share the count)', async () => {
    const remoteAddress = address();
    const responses = await burst('POST /api/v1/quotes (+ /payoff)', (i) => ({
      method: 'POST',
      url: i % 2 === 0 ? '/api/v1/quotes' : '/api/v1/quotes/payoff',
      remoteAddress,
      payload: i % 2 === 0 ? QUOTE : { ...QUOTE, payoffDate: '2027-03-15' },
    }));
    expect(responses.slice(0, LIMIT).map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(counts['POST /api/v1/quotes (+ /payoff)']).toBe(BURST - LIMIT);
  });

  it('the open API, per partner and address: a forger from elsewhere uses up only its own count', async () => {
    const partnerAddress = address();
    const call = (partner: string, remoteAddress: string): InjectOptions => ({
      method: 'POST',
      url: '/open/v1/callbacks/loan-status',
      remoteAddress,
      headers: { 'content-type': 'application/json', 'x-lendgate-partner': partner },
      payload: '{}',
    });
    await burst('POST /open/v1/callbacks/*', () => call('lender_a', partnerAddress));
    expect(counts['POST /open/v1/callbacks/*']).toBe(BURST - LIMIT);
    const elsewhere = await t.server.inject(call('lender_a', address()));
    const otherPartner = await t.server.inject(call('lender_b', partnerAddress));
    expect([elsewhere.statusCode, otherPartner.statusCode]).not.toContain(429);
    const keysAddress = address();
    await burst('GET /open/v1/keys', () => ({
      method: 'GET',
      url: '/open/v1/keys',
      remoteAddress: keysAddress,
    }));
    expect(counts['GET /open/v1/keys']).toBe(BURST - LIMIT);
  });

  it('unknown routes (404), per address', async () => {
    const remoteAddress = address();
    const responses = await burst('404 (any unknown route)', (i) => ({
      method: 'GET',
      url: `/api/v1/guess-${i}`,
      remoteAddress,
    }));
    expect(responses.slice(0, LIMIT).map((r) => r.json().error.code)).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
    ]);
    expect(counts['404 (any unknown route)']).toBe(BURST - LIMIT);
  });
});

// scrypt on every attempt: slow on a small, busy machine.
describe('operator sign-in: failure budget per address, lock-out only from several', {
  timeout: 90_000,
}, () => {
  let t: TestApp;
  // Request limits out of the way: this is about failures.
  const env = {
    RATE_LIMIT_SIGN_IN_PER_IP: '1000',
    RATE_LIMIT_SIGN_IN_PER_EMAIL: '1000',
    SIGN_IN_FAILURES_PER_IP: '5',
  };
  beforeAll(async () => {
    t = await createTestApp({ env });
  });
  afterAll(async () => t?.close());

  const operator = async (email: string) =>
    t.app.services.operators.create(
      { email, displayName: email, password: PASSWORD, roles: ['operator'] },
      SYSTEM_ACTOR,
    );
  const signIn = (email: string, password: string, remoteAddress: string) =>
    t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      remoteAddress,
      payload: { email, password },
    });

  it('one address cannot lock a well-known account: after 5 failures it is refused, the account stays usable', async () => {
    await operator('admin@lendgate.example');
    const attacker = address();
    const codes: number[] = [];
    for (let i = 0; i < 2 * LOCKOUT_THRESHOLD; i++) {
      codes.push((await signIn('admin@lendgate.example', `guess-${i}`, attacker)).statusCode);
    }
    expect(codes).toEqual([...Array(5).fill(401), ...Array(2 * LOCKOUT_THRESHOLD - 5).fill(429)]);
    // Even the right password: the address is refused before any password is checked.
    const right = await signIn('admin@lendgate.example', PASSWORD, attacker);
    expect(right.statusCode).toBe(429);
    expect(Number(right.headers['retry-after'])).toBe(15 * 60);
    expect((await signIn('admin@lendgate.example', PASSWORD, address())).statusCode).toBe(201);
  });

  it('parallel failures from one address cannot overdraw its budget', async () => {
    await operator('parallel@lendgate.example');
    const attacker = address();
    const responses = await Promise.all(
      Array.from({ length: LOCKOUT_THRESHOLD }, (_, i) =>
        signIn('parallel@lendgate.example', `guess-${i}`, attacker),
      ),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(LOCKOUT_THRESHOLD - 5).fill(429)]);
    expect((await signIn('parallel@lendgate.example', PASSWORD, address())).statusCode).toBe(201);
  });

  it('successful sign-ins do not use up the budget', async () => {
    await operator('office@lendgate.example');
    const office = address();
    for (let i = 0; i < 8; i++)
      expect((await signIn('office@lendgate.example', PASSWORD, office)).statusCode).toBe(201);
    expect((await signIn('office@lendgate.example', 'typo-password', office)).statusCode).toBe(401);
  });

  it(`${LOCKOUT_THRESHOLD} parallel failures from ${LOCKOUT_THRESHOLD} addresses lock the account; only the right password learns it`, async () => {
    await operator('target@lendgate.example');
    const responses = await Promise.all(
      Array.from({ length: LOCKOUT_THRESHOLD }, (_, i) =>
        signIn('target@lendgate.example', `guess-${i}`, address()),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(LOCKOUT_THRESHOLD).fill(401));
    const wrong = await signIn('target@lendgate.example', 'guess-again', address());
    const unknown = await signIn('nobody@lendgate.example', 'guess-again', address());
    expect(wrong.statusCode).toBe(401);
    const shape = (r: LightMyRequestResponse) => ({ ...r.json().error, requestId: undefined });
    expect(shape(wrong)).toEqual(shape(unknown));
    const right = await signIn('target@lendgate.example', PASSWORD, address());
    expect(right.statusCode).toBe(423);
    expect(right.json().error.code).toBe('ACCOUNT_LOCKED');
  });
});

/** Whether a Redis server answers at this URL's host and port. */
function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const REDIS_URL = process.env.RATE_LIMIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisUp = await reachable(REDIS_URL);

describe.skipIf(!redisUp)(`rate limits in Redis (${REDIS_URL}): shared by every process`, () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = {
      ...LOW_LIMITS,
      RATE_LIMIT_SIGN_IN_PER_IP: '1000',
      RATE_LIMIT_SIGN_IN_PER_EMAIL: '1000',
      RATE_LIMIT_REDIS_URL: REDIS_URL,
    };
    [a, b] = await Promise.all([createTestApp({ env }), createTestApp({ env })]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('two processes count one address together', async () => {
    const remoteAddress = address();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const server = i % 2 === 0 ? a.server : b.server;
      const response = await server.inject({
        method: 'POST',
        url: '/api/v1/quotes',
        remoteAddress,
        payload: QUOTE,
      });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) count429([response]);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it('and share the sign-in failure budget', async () => {
    await a.app.services.operators.create(
      { email: 'shared@example.com', displayName: 'Shared', password: PASSWORD, roles: ['operator'] },
      SYSTEM_ACTOR,
    );
    const remoteAddress = address();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const server = i % 2 === 0 ? a.server : b.server;
      const response = await server.inject({
        method: 'POST',
        url: '/api/v1/admin/sessions',
        remoteAddress,
        payload: { email: `shared-${i}@example.com`, password: 'wrong-password' },
      });
      statuses.push(response.statusCode);
    }
    // Five failures from this address in all, whichever process answered them.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });
});
