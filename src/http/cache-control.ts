import type { FastifyInstance } from 'fastify';

/** Paths whose answers may carry a token or personal data: operator, borrower and lender APIs. */
const PRIVATE_PREFIXES = ['/api/', '/open/'];

/**
 * `Cache-Control: no-store` on every answer under /api/ and /open/ — sessions and their tokens,
 * borrower data, operator views of it, dev tokens, errors — so that no browser, proxy or CDN keeps
 * a copy. A route that serves something public opts out by setting its own Cache-Control.
 * The H5, the API docs and /openapi.json are not under these prefixes and keep their own headers.
 */
export function registerNoStore(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const path = request.url;
    if (!reply.hasHeader('cache-control') && PRIVATE_PREFIXES.some((prefix) => path.startsWith(prefix))) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
