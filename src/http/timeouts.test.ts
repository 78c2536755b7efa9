import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../shared/logger.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { buildServer } from './server.ts';

/** A raw TCP client: what it received, and when the server closed the connection. */
interface RawClient {
  readonly socket: Socket;
  readonly opened: number;
  received(): string;
  /** Resolves with the ms from connecting to the server's close (or `Infinity` after `giveUpMs`). */
  closed(giveUpMs: number): Promise<number>;
}

function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let data = '';
    let closedAt: number | undefined;
    const waiters: (() => void)[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedAt = Date.now();
      for (const wake of waiters.splice(0)) wake();
    });
    socket.once('connect', () => {
      const opened = Date.now();
      resolve({
        socket,
        opened,
        received: () => data,
        closed: (giveUpMs) =>
          new Promise((done) => {
            if (closedAt !== undefined) return done(closedAt - opened);
            const timer = setTimeout(() => done(Number.POSITIVE_INFINITY), giveUpMs);
            waiters.push(() => {
              clearTimeout(timer);
              done((closedAt ?? Date.now()) - opened);
            });
          }),
      });
    });
    socket.once('error', reject);
  });
}

/** Writes `text` one character every `everyMs`, until the text ends or the socket closes. */
function trickle(socket: Socket, text: string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i]!);
    i += 1;
  }, everyMs);
  return () => clearInterval(timer);
}

const QUOTE = JSON.stringify({
  principalFen: 1_000_000,
  termMonths: 12,
  method: 'equal_installment',
  annualRate: '0.18',
  startDate: '2026-01-15',
});

describe('HTTP timeouts (short ones, set by the test)', () => {
  let t: TestApp;
  let port: number;
  const clients: Socket[] = [];
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        HEADERS_TIMEOUT_MS: '500',
        REQUEST_TIMEOUT_MS: '1000',
        KEEP_ALIVE_TIMEOUT_MS: '600',
        CONNECTION_TIMEOUT_MS: '10000',
      },
    });
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    port = (t.server.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of clients) socket.destroy();
    await t.close();
  });

  const client = async () => {
    const c = await rawClient(port);
    clients.push(c.socket);
    return c;
  };

  it('answers a body trickled a byte at a time 408 and closes the connection at the request timeout', async () => {
    const c = await client();
    c.socket.write(
      `POST /api/v1/quotes HTTP/1.1\r\nHost: lendgate\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${QUOTE.length}\r\n\r\n`,
    );
    // 200 ms between bytes: never idle long enough for an idle timeout, and the body would take 25 s.
    const stop = trickle(c.socket, QUOTE, 200);
    const closedAfter = await c.closed(5_000);
    stop();
    expect(closedAfter).toBeGreaterThanOrEqual(900);
    expect(closedAfter).toBeLessThan(2_500);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(c.received()).toContain('"code":"REQUEST_TIMEOUT"');
    expect(c.received().toLowerCase()).toContain('connection: close');
  });

  it('closes a connection whose headers trickle in at the headers timeout', async () => {
    const c = await client();
    const stop = trickle(
      c.socket,
      'GET /healthz HTTP/1.1\r\nHost: lendgate\r\nX-Slow: 0123456789abcdef\r\n\r\n',
      100,
    );
    const closedAfter = await c.closed(5_000);
    stop();
    expect(closedAfter).toBeLessThan(1_500);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection at the keep-alive timeout', async () => {
    const c = await client();
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: lendgate\r\n\r\n');
    const closedAfter = await c.closed(5_000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(closedAfter).toBeGreaterThanOrEqual(500);
    expect(closedAfter).toBeLessThan(2_000);
  });

  it('still serves a request that arrives in time, and closes after refusing one before its body', async () => {
    const ok = await fetch(`http://127.0.0.1:${port}/api/v1/quotes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: QUOTE,
    });
    expect(ok.status).toBe(200);

    // An anonymous operator call is refused on its headers; the rest of its body is not waited for.
    const c = await client();
    c.socket.write(
      'POST /api/v1/admin/operators HTTP/1.1\r\nHost: lendgate\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100000\r\n\r\n{"email":',
    );
    const stop = trickle(c.socket, 'x'.repeat(1000), 100);
    const closedAfter = await c.closed(5_000);
    stop();
    expect(c.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(closedAfter).toBeLessThan(900);
  });
});

describe('a route with a deadline of its own', () => {
  let t: TestApp;
  let server: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp();
    server = await buildServer({
      config: {
        bodyLimitBytes: 1024 * 1024,
        corsOrigins: [],
        trustProxy: false,
        headersTimeoutMs: 300,
        requestTimeoutMs: 600,
      },
      logger: createLogger('silent'),
      operators: t.app.services.operators,
      borrowerSessions: t.app.services.borrowerSessions,
      version: 'test',
      routes: [
        async (app) => {
          const schema = { body: Type.Object({ text: Type.String({ maxLength: 100 }) }) };
          app.post(
            '/slow-upload',
            { schema, config: { requestTimeoutMs: 4_000 } },
            async (request) => request.body,
          );
          app.post('/upload', { schema }, async (request) => request.body);
        },
      ],
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    port = (server.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  it('gets its longer deadline (Node’s own backstop included); other routes keep the short one', async () => {
    const body = JSON.stringify({ text: 'a'.repeat(20) });
    const slow = await rawClient(port);
    slow.socket.write(
      `POST /slow-upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
        'Connection: close\r\n\r\n',
    );
    trickle(slow.socket, body, 60); // about 1.7 s: past the server's 600 ms, within the route's 4 s
    const other = await rawClient(port);
    other.socket.write(
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const stop = trickle(other.socket, body, 60);
    expect(await other.closed(5_000)).toBeLessThan(2_000);
    stop();
    expect(other.received()).toMatch(/^HTTP\/1\.1 408 /);
    await slow.closed(6_000);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(slow.received()).toContain(body);
  });
});
