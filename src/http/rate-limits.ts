import { createHash } from 'node:crypto';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  RouteOptions,
} from 'fastify';
import { Redis } from 'ioredis';
import type { RateLimits } from '../config.ts';
import {
  type FailureCounter,
  MemoryFailureCounter,
  type SignInSlot,
  SignInThrottle,
} from '../operators/sign-in-throttle.ts';
import { ENVELOPE_HEADERS } from '../protocol/envelope/index.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { ErrorRef } from './schemas.ts';

/**
 * Every request rate limit, in one place. Each limit counts requests per minute under a key (a
 * client address, a borrower, an email, a partner) with @fastify/rate-limit's stores: in process,
 * or in Redis when RATE_LIMIT_REDIS_URL is set so that all processes share the counts. A request
 * over a limit gets 429 RATE_LIMITED in the standard error shape with Retry-After (seconds).
 * If Redis fails, requests are let through (the limits are a brake, not a gate) and a warning is logged.
 *
 * Operator sign-in has three layers (docs/operators.md): requests per address, then the address's
 * failure budget (operators/sign-in-throttle.ts), then requests per email — counted only for
 * attempts the failure budget let through, so that one address cannot use up an email's limit.
 */
export interface RateLimitOptions {
  readonly limits: RateLimits;
  readonly clock: Clock;
}

type Hook = 'onRequest' | 'preHandler';

interface Limit {
  /** Names the counter; routes that name the same limit share it. */
  readonly name: string;
  readonly hook: Hook;
  readonly perMinute: (limits: RateLimits) => number;
  /** The key to count under; undefined leaves the request alone. */
  readonly key: (request: FastifyRequest) => string | undefined;
}

const clientAddress = (request: FastifyRequest): string => normalizeIP(request.ip);

const perAddress = (name: string, perMinute: (limits: RateLimits) => number): Limit => ({
  name,
  hook: 'onRequest',
  perMinute,
  key: clientAddress,
});

const PARTNER_HEADER = ENVELOPE_HEADERS.partnerId.toLowerCase();

/** Limits by route ("METHOD url" as registered; HEAD counts as GET). */
const ROUTE_LIMITS: Readonly<Record<string, readonly Limit[]>> = {
  'POST /api/v1/admin/sessions': [perAddress('sign-in', (l) => l.signInPerIp)],
  'POST /api/v1/channels/:code/sessions': [perAddress('channel-sign-in', (l) => l.channelSignInPerIp)],
  'POST /api/v1/dev/channels/:code/tokens': [perAddress('dev-tokens', (l) => l.devTokensPerIp)],
  // After the borrower guard (a preHandler too, always first): every call fans out one signed
  // pre-check per lender.
  'GET /api/v1/borrower/offers': [
    {
      name: 'offers',
      hook: 'preHandler',
      perMinute: (l) => l.offersPerBorrower,
      key: (request) => request.borrower?.borrowerId,
    },
  ],
  // Quotes need no sign-in, so there is no borrower to count by: the address it is.
  'POST /api/v1/quotes': [perAddress('quotes', (l) => l.quotesPerIp)],
  'POST /api/v1/quotes/payoff': [perAddress('quotes', (l) => l.quotesPerIp)],
};

/**
 * The lender open API, before the signature is checked (that costs a verification and a write):
 * by the partner id the envelope names *and* the address, so that someone sending requests in a
 * partner's name from elsewhere uses up their own count, never the partner's.
 */
const OPEN_LIMIT: Limit = {
  name: 'open',
  hook: 'onRequest',
  perMinute: (l) => l.openPerPartner,
  key: (request) => {
    const partner = request.headers[PARTNER_HEADER];
    return `${typeof partner === 'string' ? partner.slice(0, 64) : '-'}@${clientAddress(request)}`;
  },
};

const NOT_FOUND_LIMIT = perAddress('not-found', (l) => l.notFoundPerIp);

function limitsOf(route: RouteOptions): readonly Limit[] {
  if (route.url.startsWith('/open/v1/')) return [OPEN_LIMIT];
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const found = new Set<Limit>();
  for (const method of methods) {
    for (const limit of ROUTE_LIMITS[`${method === 'HEAD' ? 'GET' : method} ${route.url}`] ?? [])
      found.add(limit);
  }
  return [...found];
}

function tooMany(reply: FastifyReply, limit: number, retryAfterSeconds: number): AppError {
  reply.header('retry-after', retryAfterSeconds);
  reply.header('x-ratelimit-limit', limit);
  reply.header('x-ratelimit-remaining', 0);
  reply.header('x-ratelimit-reset', retryAfterSeconds);
  return new AppError('RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds} s.`, {
    retryAfterSeconds,
  });
}

/**
 * Adds a limit to a route: first of its onRequest hooks (before a route's own checks, which may
 * cost a database write), last of its preHandlers (after the borrower guard, which it needs).
 * Always a new array: Fastify's HEAD twin of a GET route shares the original's.
 */
function addHook(route: RouteOptions, hook: Hook, handler: onRequestAsyncHookHandler): void {
  const existing = route[hook];
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  route[hook] = (hook === 'onRequest' ? [handler, ...list] : [...list, handler]) as never;
}

/** A limited route's OpenAPI responses name the 429 it can give, unless the route does already. */
function declareTooManyRequests(route: RouteOptions): void {
  const schema = route.schema as { response?: Record<string, unknown> } | undefined;
  if (schema?.response === undefined || '429' in schema.response) return;
  // New objects: a schema may be shared by several routes.
  route.schema = { ...schema, response: { ...schema.response, 429: ErrorRef } };
}

const kSignInSlot = Symbol('lendgate.signInSlot');
type WithSlot = FastifyRequest & { [kSignInSlot]?: SignInSlot & { allowed: true } };

export async function registerRateLimits(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const { limits } = options;
  const redis = limits.redisUrl
    ? new Redis(limits.redisUrl, { connectTimeout: 500, maxRetriesPerRequest: 1, lazyConnect: false })
    : undefined;
  if (redis) {
    redis.on('error', (error: Error) => app.log.warn({ err: error }, 'rate-limit store (Redis) failed'));
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  }
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis } : {}),
    nameSpace: 'lendgate:rate-limit:',
    skipOnError: true,
  });

  const checkers = new Map<string, ReturnType<FastifyInstance['createRateLimit']>>();
  const checker = (limit: Limit, max: number) => {
    let check = checkers.get(limit.name);
    if (!check) {
      const createOptions = {
        max,
        timeWindow: 60_000,
        skipOnError: true,
        cache: 50_000,
        keyGenerator: (request: FastifyRequest) => `${limit.name}:${limit.key(request)}`,
      };
      check = app.createRateLimit(createOptions);
      checkers.set(limit.name, check);
    }
    return check;
  };

  const enforce = (limit: Limit): onRequestAsyncHookHandler | undefined => {
    const max = limit.perMinute(limits);
    if (max === 0) return undefined;
    const check = checker(limit, max);
    return async (request, reply) => {
      if (limit.key(request) === undefined) return;
      const result = await check(request);
      if (result.isAllowed) return;
      if (result.isExceeded) throw tooMany(reply, max, Math.max(1, result.ttlInSeconds));
      reply.header('x-ratelimit-limit', max);
      reply.header('x-ratelimit-remaining', result.remaining);
    };
  };

  const throttle =
    limits.signInFailuresPerIp > 0
      ? new SignInThrottle(
          redis ? new RedisFailureCounter(redis) : new MemoryFailureCounter(options.clock),
          limits.signInFailuresPerIp,
        )
      : undefined;
  const perEmail = enforce({
    name: 'sign-in-email',
    hook: 'preHandler',
    perMinute: (l) => l.signInPerEmail,
    key: (request) => {
      const email = (request.body as { email?: unknown } | undefined)?.email;
      return typeof email === 'string'
        ? createHash('sha256').update(email.trim().toLowerCase()).digest('base64url')
        : undefined;
    },
  });

  /** The failure budget and the per-email limit, after the body is validated. */
  const signInGate: onRequestAsyncHookHandler = async (request, reply) => {
    if (throttle) {
      const slot = await throttle.acquire(clientAddress(request)).catch((error: unknown) => {
        request.log.warn({ err: error }, 'sign-in failure budget unavailable; letting the attempt through');
        return undefined;
      });
      if (slot && !slot.allowed) throw tooMany(reply, limits.signInFailuresPerIp, slot.retryAfterSeconds);
      if (slot) (request as WithSlot)[kSignInSlot] = slot;
    }
    try {
      await perEmail?.call(app, request, reply);
    } catch (error) {
      await releaseSlot(request);
      throw error;
    }
  };

  /** Gives the unit back unless the attempt failed on the credentials. */
  const releaseSlot = async (request: FastifyRequest) => {
    const slot = (request as WithSlot)[kSignInSlot];
    (request as WithSlot)[kSignInSlot] = undefined;
    await slot
      ?.release()
      .catch((error: unknown) => request.log.warn({ err: error }, 'sign-in budget release failed'));
  };

  app.addHook('onRoute', (route) => {
    for (const limit of limitsOf(route)) {
      const handler = enforce(limit);
      if (!handler) continue;
      addHook(route, limit.hook, handler);
      declareTooManyRequests(route);
    }
    if (route.url === '/api/v1/admin/sessions' && route.method === 'POST') {
      addHook(route, 'preHandler', signInGate);
      const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        if (reply.statusCode !== 401) await releaseSlot(request);
        return payload;
      };
      const existing = route.onSend;
      route.onSend =
        existing === undefined ? [onSend] : [...(Array.isArray(existing) ? existing : [existing]), onSend];
    }
  });

  // Unknown routes: so that nobody can map the API by trying paths at full speed.
  const notFound = enforce(NOT_FOUND_LIMIT);
  if (notFound) {
    app.addHook('onRequest', async function (request, reply) {
      if (request.is404) await notFound.call(this, request, reply);
    });
  }
}

/** The failure budget's counts in Redis: one atomic script per change, shared by every process. */
class RedisFailureCounter implements FailureCounter {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const count = (await this.#redis.eval(
      "local n = redis.call('INCR', KEYS[1]); redis.call('PEXPIRE', KEYS[1], ARGV[1]); return n",
      1,
      `lendgate:${key}`,
      windowMs,
    )) as number;
    return { count, ttlMs: windowMs };
  }

  async decrement(key: string): Promise<void> {
    await this.#redis.eval(
      "if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then return redis.call('DECR', KEYS[1]) end return 0",
      1,
      `lendgate:${key}`,
    );
  }
}
