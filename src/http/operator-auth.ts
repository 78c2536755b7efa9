import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { hasAnyRole, type OperatorRole } from '../operators/roles.ts';
import type { Operator, OperatorService } from '../operators/service.ts';
import { AppError } from '../shared/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on an operator route; required on every `/api/v1/admin/*` route. */
    roles?: readonly OperatorRole[];
    /** Marks an admin route that needs no sign-in (only the sign-in route itself). */
    public?: boolean;
  }
  interface FastifyRequest {
    operator?: Operator;
    bearerToken?: string;
  }
}

export const ADMIN_PREFIX = '/api/v1/admin';

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(header);
  return match?.[1];
}

/**
 * Guards every operator route in one place: a route under /api/v1/admin must declare the roles it
 * allows (or be marked public), otherwise the server refuses to start. The guard authenticates the
 * bearer token and checks the roles as soon as the headers are in (onRequest): an anonymous or
 * unauthorized caller is refused before its body is read, parsed or validated.
 */
export function registerOperatorAuth(app: FastifyInstance, operators: OperatorService): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(ADMIN_PREFIX)) return;
    const config = route.config as { roles?: readonly OperatorRole[]; public?: boolean } | undefined;
    if (config?.public) return;
    const roles = config?.roles;
    if (!roles || roles.length === 0) {
      throw new Error(`Route ${route.method} ${route.url} must declare the operator roles it allows`);
    }
    const guard = async (request: FastifyRequest) => {
      const token = bearerToken(request);
      if (!token)
        throw new AppError('UNAUTHORIZED', 'Sign in and send the token as "Authorization: Bearer …".');
      const operator = await operators.authenticate(token);
      if (!operator) throw new AppError('UNAUTHORIZED', 'The session is unknown, expired or signed out.');
      if (!hasAnyRole(operator.roles, roles)) {
        throw new AppError('FORBIDDEN', `This needs one of the roles: ${roles.join(', ')}.`);
      }
      request.operator = operator;
      request.bearerToken = token;
    };
    // After the route's own onRequest hooks (e.g. a rate limit, cheaper than a session lookup).
    const existing = route.onRequest;
    route.onRequest =
      existing === undefined ? [guard] : [...(Array.isArray(existing) ? existing : [existing]), guard];
  });
}
