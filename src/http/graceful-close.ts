import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Lets `close()` finish once the requests in flight are answered, whatever connections clients
 * hold. Node's `closeIdleConnections` (which Fastify calls when closing) leaves two kinds open:
 *
 * - connections on which no request has arrived yet: Chromium opens such connections
 *   speculatively (a preconnect for the next navigation) and keeps them for minutes; Node does not
 *   count them as idle (nodejs/node#63452);
 * - keep-alive connections whose request was still being answered when the close began: they
 *   become idle afterwards, and stay until KEEP_ALIVE_TIMEOUT_MS.
 *
 * Closing the server waited for them — longer than SHUTDOWN_TIMEOUT_MS: SIGTERM with a browser on
 * the H5 ended in "shutdown timed out", exit 1. Now the first kind is destroyed when the server
 * closes (no request of theirs is lost: none has arrived), and the second is closed as soon as its
 * answer has gone out.
 */
export function closeLingeringConnections(app: FastifyInstance): void {
  const waiting = new Set<Socket>();
  let closing = false;
  app.server.on('connection', (socket: Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    waiting.add(socket);
    socket.once('close', () => waiting.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    // A request's head has arrived on the connection: from now on it is closed when idle.
    waiting.delete(request.socket);
    response.once('finish', () => {
      // Node detaches the answered request from its connection first; then it is idle.
      if (closing) setImmediate(() => app.server.closeIdleConnections());
    });
  });
  app.addHook('preClose', (done) => {
    closing = true;
    for (const socket of waiting) socket.destroy();
    waiting.clear();
    done();
  });
}
