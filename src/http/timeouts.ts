import type { ServerOptions as HttpServerOptions } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { type Config, parseConfig } from '../config.ts';
import { errorBody } from './error-handler.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * How long this route may take to receive its body, when longer than the server's request
     * timeout (e.g. a streamed multi-gigabyte import). Only routes that need it declare it.
     */
    requestTimeoutMs?: number;
  }
}

export type TimeoutConfig = Pick<
  Config,
  'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'connectionTimeoutMs'
>;

const defaults = parseConfig({});

/** The timeouts of an empty environment, for servers built without them (tests). */
export const DEFAULT_TIMEOUTS: TimeoutConfig = {
  headersTimeoutMs: defaults.headersTimeoutMs,
  requestTimeoutMs: defaults.requestTimeoutMs,
  keepAliveTimeoutMs: defaults.keepAliveTimeoutMs,
  connectionTimeoutMs: defaults.connectionTimeoutMs,
};

/**
 * The Node server's own limits: headers must arrive within `headersTimeoutMs` of the connection
 * (or of the previous request on it), an idle keep-alive connection is closed after
 * `keepAliveTimeoutMs`, and a socket without traffic either way after `connectionTimeoutMs`.
 * Node enforces the header and request limits on a timer; it runs often enough that a limit is
 * kept to within a quarter of itself (at most a second late).
 */
export function serverTimeoutOptions(config: TimeoutConfig): {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  http: HttpServerOptions;
} {
  const checkEveryMs = Math.max(
    50,
    Math.min(1_000, Math.floor(Math.min(config.headersTimeoutMs, config.requestTimeoutMs) / 4)),
  );
  return {
    connectionTimeout: config.connectionTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: checkEveryMs,
    },
  };
}

/**
 * Every request must have its body in within the request timeout (or its route's own
 * `config.requestTimeoutMs`), counted from the end of its headers: a body trickled a byte at a
 * time is answered 408 and the connection closed. Node's own request timeout stays on as a
 * backstop at the longest deadline any route declares. A refusal sent before the body was read
 * (an anonymous caller, a body too large) closes the connection instead of draining the rest.
 */
export function registerRequestDeadlines(app: FastifyInstance, config: TimeoutConfig): void {
  let longest = config.requestTimeoutMs;
  app.addHook('onRoute', (route: RouteOptions) => {
    const own = (route.config as { requestTimeoutMs?: number } | undefined)?.requestTimeoutMs;
    if (own !== undefined) longest = Math.max(longest, own);
  });
  app.addHook('onReady', async () => {
    app.server.requestTimeout = longest;
  });

  app.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    if (raw.complete || !hasBody(request)) return done();
    const ms = request.routeOptions.config.requestTimeoutMs ?? config.requestTimeoutMs;
    const timer = setTimeout(() => expire(request, reply, ms), ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    raw.once('end', clear);
    raw.once('close', clear);
    reply.raw.once('finish', clear);
    done();
  });

  app.addHook('onSend', async (request, reply, payload) => {
    // Answered before its body was in: close rather than read (and wait for) the rest.
    if (hasBody(request) && !request.raw.complete && !request.raw.readableEnded) {
      reply.header('connection', 'close');
    }
    return payload;
  });
}

function hasBody(request: FastifyRequest): boolean {
  const { headers } = request;
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

function expire(request: FastifyRequest, reply: FastifyReply, ms: number): void {
  if (request.raw.complete) return;
  request.log.warn({ timeoutMs: ms }, 'request not received in time; connection closed');
  if (!reply.sent && !reply.raw.headersSent) {
    void reply
      .code(408)
      .header('connection', 'close')
      .send(errorBody(request.id, 'REQUEST_TIMEOUT', `The request was not received within ${ms} ms.`));
  }
  // Whatever was or could not be answered, the connection goes: a trickling client keeps nothing.
  const socket = request.raw.socket as { destroy?: () => void } | undefined;
  setTimeout(() => socket?.destroy?.(), 1_000).unref();
}
