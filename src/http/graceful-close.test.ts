import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { closeLingeringConnections } from './graceful-close.ts';

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/**
 * A raw connection to the server, as a browser's preconnect opens it: nothing sent. Resolves once
 * the server has taken the connection (its `connection` event), not only once the client connected.
 */
async function openConnection(app: FastifyInstance, port: number): Promise<Socket> {
  const accepted = new Promise((resolve) => app.server.once('connection', resolve));
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await Promise.all([new Promise((resolve) => socket.once('connect', resolve)), accepted]);
  return socket;
}

/** Whether `close()` finishes within `ms`, and how long it took. */
async function closeWithin(close: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([close().then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A server whose `/slow` answers only when the test calls `release()`; `arrived` resolves once
 * the request is in the handler and `stopping` once the server stopped listening, so a test
 * answers the request in flight after the close began, for certain, without waiting a while.
 */
async function server(options: { guard: boolean }) {
  const app = Fastify();
  if (options.guard) closeLingeringConnections(app);
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  app.get('/slow', async () => {
    arrive();
    await released;
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  // Resolves once Fastify's close has called the Node server's close (it stopped listening).
  const stopping = new Promise<void>((resolve) => {
    const close = app.server.close.bind(app.server);
    app.server.close = (callback) => {
      const result = close(callback);
      resolve();
      return result;
    };
  });
  return { app, port: address.port, arrived, release, stopping };
}

describe('closeLingeringConnections', () => {
  it('closes the server while a connection that sent nothing is open (Node alone waits for it)', async () => {
    const bare = await server({ guard: false });
    const idle = await openConnection(bare.app, bare.port);
    expect(await closeWithin(() => bare.app.close(), 1_000), 'Node alone waits').toBe(false);
    idle.destroy();

    const guarded = await server({ guard: true });
    const preconnect = await openConnection(guarded.app, guarded.port);
    const ended = new Promise((resolve) => preconnect.once('close', resolve));
    expect(await closeWithin(() => guarded.app.close(), 2_000)).toBe(true);
    await ended;
  });

  it('lets a request in flight finish, then closes its keep-alive connection (Node alone keeps it)', async () => {
    const bare = await server({ guard: false });
    const first = fetch(`http://127.0.0.1:${bare.port}/slow`);
    await bare.arrived;
    const bareClosed = bare.app.close();
    await bare.stopping;
    bare.release();
    expect((await first).status).toBe(200);
    expect(await closeWithin(() => bareClosed, 1_000), 'Node alone waits for the keep-alive timeout').toBe(
      false,
    );
    bare.app.server.closeAllConnections();

    const { app, port, arrived, release, stopping } = await server({ guard: true });
    await openConnection(app, port);
    const answer = fetch(`http://127.0.0.1:${port}/slow`);
    await arrived;
    const closed = app.close();
    await stopping;
    release();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(await closeWithin(() => closed, 2_000)).toBe(true);
  });
});
