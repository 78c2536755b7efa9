import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { BorrowerSessions } from '../borrowers/sessions.ts';
import { AppError } from '../shared/errors.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in borrower, on every /api/v1/borrower/* route. */
    borrower?: BorrowerPrincipal;
  }
}

export const BORROWER_PREFIX = '/api/v1/borrower';

/**
 * Every route under /api/v1/borrower needs a borrower session (`Authorization: Bearer …`, opened
 * by a channel sign-in). The guard is attached in one place, so a new borrower route cannot
 * forget it; handlers read `request.borrower` and must only ever touch that borrower's data. It runs
 * on the headers (onRequest), so an anonymous body is never read, parsed or validated.
 */
export function registerBorrowerAuth(app: FastifyInstance, sessions: BorrowerSessions): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(BORROWER_PREFIX)) return;
    const guard = async (request: FastifyRequest) => {
      const match = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(request.headers.authorization ?? '');
      if (!match) throw new AppError('UNAUTHORIZED', 'Sign in through your app and send the borrower token.');
      const principal = await sessions.authenticate(match[1]!);
      if (!principal) throw new AppError('UNAUTHORIZED', 'The borrower session is unknown or expired.');
      request.borrower = principal;
    };
    // After the route's own onRequest hooks (e.g. a rate limit, cheaper than a session lookup).
    const existing = route.onRequest;
    route.onRequest =
      existing === undefined ? [guard] : [...(Array.isArray(existing) ? existing : [existing]), guard];
  });
}
