import type { FastifyInstance, RouteOptions } from 'fastify';
import { BORROWER_PREFIX } from './borrower-auth.ts';
import { ADMIN_PREFIX } from './operator-auth.ts';

/**
 * The largest body a route open to anyone accepts, unless it declares its own `bodyLimit`. Their
 * bodies are small by nature (a quote's loan terms, a sign-in token of at most 8 KB): a hostile
 * megabyte is refused on its Content-Length, before it is read or parsed (parsing 40,000 JSON
 * members alone blocks the event loop for over 100 ms).
 */
export const PUBLIC_BODY_LIMIT_BYTES = 64 * 1024;

/** Whether a route needs a signed-in operator or borrower (guarded on its headers). */
export function isGuarded(route: Pick<RouteOptions, 'url' | 'config'>): boolean {
  if (route.url.startsWith(BORROWER_PREFIX)) return true;
  const config = route.config as { public?: boolean } | undefined;
  return route.url.startsWith(ADMIN_PREFIX) && config?.public !== true;
}

/** Gives every unguarded route without a body limit of its own PUBLIC_BODY_LIMIT_BYTES. */
export function registerPublicBodyLimit(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!isGuarded(route) && route.bodyLimit === undefined) route.bodyLimit = PUBLIC_BODY_LIMIT_BYTES;
  });
}
