import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { BorrowerSessions } from '../../borrowers/sessions.ts';
import { borrowerRoutes } from '../route.ts';

/** The bearer token of the request; the borrower guard has already checked its form and session. */
function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(authorization ?? '')?.[1];
}

/** Signing out: the borrower's session token stops working at once, on every process. */
export const borrowerSessionRoutes =
  (sessions: Pick<BorrowerSessions, 'revoke'>): FastifyPluginAsync =>
  async (instance) => {
    const routes = borrowerRoutes(instance, ['borrower']);
    routes.delete('/api/v1/borrower/session', {
      summary: 'Sign out: revokes the borrower session token',
      description: 'After it the token answers 401 UNAUTHORIZED on every borrower route.',
      response: { 204: Type.Null() },
      errors: [401],
      handler: async function signOutBorrower(request, reply) {
        const token = bearerToken(request.headers.authorization);
        if (token) await sessions.revoke(token);
        return reply.code(204).send(null);
      },
    });
  };
