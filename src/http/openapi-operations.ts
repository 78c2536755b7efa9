import type { FastifyInstance, RouteOptions } from 'fastify';
import { BORROWER_PREFIX } from './borrower-auth.ts';
import { ADMIN_PREFIX } from './operator-auth.ts';

/**
 * What the OpenAPI document says about each operation that the route files need not repeat, set in
 * one place as each route is added:
 * - `operationId`: derived from the method and the URL (`operationIdFor`) unless the route names
 *   one; two operations with the same id stop the server from starting.
 * - `security`: what the guards enforce — the operator session under /api/v1/admin (except the
 *   routes marked `config.public`), the borrower session under /api/v1/borrower, none elsewhere
 *   (`security: []`; the lender open API is authenticated by its signed envelope, in the body and
 *   headers, not by an HTTP security scheme). A route that declares other security than its guard
 *   enforces stops the server from starting: the document cannot claim a protection that is not there.
 */
export function registerOperationDefaults(app: FastifyInstance): void {
  const ids = new Map<string, string>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (schema?.hide === true) return;
    // Fastify's HEAD twin of a GET route shares its schema and is left out of the document.
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    if (methods.length !== 1) return;
    const method = methods[0]!;
    const where = `${method} ${route.url}`;

    const operationId =
      typeof schema?.operationId === 'string' ? schema.operationId : operationIdFor(method, route.url);
    const taken = ids.get(operationId);
    if (taken !== undefined) {
      throw new Error(`Routes ${taken} and ${where} have the same OpenAPI operationId "${operationId}"`);
    }
    ids.set(operationId, where);

    const enforced = enforcedSecurity(route);
    const declared = schema?.security as readonly Record<string, readonly string[]>[] | undefined;
    if (declared !== undefined) {
      const names = declared.flatMap((requirement) => Object.keys(requirement)).sort();
      if (names.join() !== enforced.join()) {
        throw new Error(
          `Route ${where} declares security [${names.join(', ')}] but its guard enforces [${enforced.join(', ')}]`,
        );
      }
    }
    // A new object: a schema may be shared by several routes.
    route.schema = {
      ...schema,
      operationId,
      security: declared ?? enforced.map((name) => ({ [name]: [] })),
    };
  });
}

/** The security scheme names the guards enforce on a route (operator-auth.ts, borrower-auth.ts). */
function enforcedSecurity(route: RouteOptions): string[] {
  if (route.url.startsWith(ADMIN_PREFIX)) {
    return (route.config as { public?: boolean } | undefined)?.public ? [] : ['bearerAuth'];
  }
  if (route.url.startsWith(BORROWER_PREFIX)) return ['borrowerAuth'];
  return [];
}

/**
 * A readable, stable operationId from the method and the URL: the lower-case method, then each
 * path segment in camel case, a parameter as `By<Name>`; the `/api/v1` prefix is left out and
 * `/open/v1` is `open`. `POST /api/v1/borrower/loans/:id/repayments` → `postBorrowerLoansByIdRepayments`,
 * `GET /open/v1/keys` → `getOpenKeys`, `GET /healthz` → `getHealthz`.
 */
export function operationIdFor(method: string, url: string): string {
  const path = url.replace(/^\/api\/v1(?=\/|$)/, '').replace(/^\/open\/v1(?=\/|$)/, '/open');
  const words = path
    .split('/')
    .filter((segment) => segment !== '')
    .flatMap((segment) => {
      const param = /^:(.+)$/.exec(segment) ?? /^\{(.+)\}$/.exec(segment);
      return param ? ['by', ...wordsOf(param[1]!)] : wordsOf(segment);
    });
  return [method.toLowerCase(), ...words.map(capitalize)].join('');
}

function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
