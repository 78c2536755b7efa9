import { connect, type Socket } from 'node:net';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { closeLingeringConnections } from './graceful-close.ts';

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** A raw connection to the server, as a browser's preconnect opens it: nothing sent. */
async function openConnection(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
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

async function server(options: { guard: boolean }) {
  const app = Fastify();
  if (options.guard) closeLingeringConnections(app);
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return { app, port: address.port };
}

describe('closeLingeringConnections', () => {
  it('closes the server while a connection that sent nothing is open (Node alone waits for it)', async () => {
    const bare = await server({ guard: false });
    const idle = await openConnection(bare.port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await closeWithin(() => bare.app.close(), 1_000), 'Node alone waits').toBe(false);
    idle.destroy();

    const guarded = await server({ guard: true });
    const preconnect = await openConnection(guarded.port);
    const ended = new Promise((resolve) => preconnect.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await closeWithin(() => guarded.app.close(), 2_000)).toBe(true);
    await ended;
  });

  it('lets a request in flight finish, then closes its keep-alive connection (Node alone keeps it)', async () => {
    const bare = await server({ guard: false });
    const first = fetch(`http://127.0.0.1:${bare.port}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const bareClosed = bare.app.close();
    expect((await first).status).toBe(200);
    expect(await closeWithin(() => bareClosed, 1_000), 'Node alone waits for the keep-alive timeout').toBe(
      false,
    );
    bare.app.server.closeAllConnections();

    const { app, port } = await server({ guard: true });
    await openConnection(port);
    const answer = fetch(`http://127.0.0.1:${port}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = app.close();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(await closeWithin(() => closed, 2_000)).toBe(true);
  });
});
