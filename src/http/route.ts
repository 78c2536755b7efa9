/**
 * Declaring a route, compactly. Every route file used to wrap each handler in the same block —
 * `config: { roles }`, `schema: { tags, summary, security, params, response: { 200: X,
 * ...errorResponses(401, 403) } }` — so the few facts that differ from route to route were hard to
 * see, and the handlers were anonymous arrow functions. Here a plugin takes the kind of its routes
 * (operator, borrower, public) and their OpenAPI tags once, and each route says only its own
 * facts:
 *
 *     const routes = operatorRoutes(instance, ['lenders']);
 *     routes.get(`${BASE}/:lenderId`, {
 *       roles: READ_ROLES,
 *       summary: 'Get a partner',
 *       params: LenderParams,
 *       response: { 200: LenderSchema },
 *       errors: [401, 403, 404],
 *       handler: async function getPartner(request) { … },
 *     });
 *
 * It registers a plain Fastify route with exactly the schema the files wrote by hand (the OpenAPI
 * document is unchanged), and the handler's `request.params`, `.query` and `.body` are typed from
 * the TypeBox schemas as before. A route that needs more (its own body parser or limit, a public
 * admin route) is declared with Fastify directly.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
} from 'fastify';
import type { TSchema } from 'typebox';
import type { Actor } from '../audit/audit-log.ts';
import type { OperatorRole } from '../operators/roles.ts';
import { BearerSecurity, errorResponses } from './schemas.ts';

/**
 * What a route file says about one route besides its method and URL: what the OpenAPI document
 * shows (`summary`, `description`), the schemas that validate the request (`params`,
 * `querystring`, `body`) and its answers (`response`: the success statuses and their schemas;
 * `errors`: the error statuses beyond the 400 and 500 every route can give, all in the shared
 * error shape), and the handler.
 */
export interface RouteDeclaration<
  Params extends TSchema | undefined,
  Query extends TSchema | undefined,
  Body extends TSchema | undefined,
  Response extends Record<number, TSchema>,
  Errors extends readonly number[],
> {
  readonly summary: string;
  readonly description?: string;
  readonly params?: Params;
  readonly querystring?: Query;
  readonly body?: Body;
  readonly response: Response;
  readonly errors: Errors;
  /** A named function, so that stack traces and profiles say which route ran. */
  readonly handler: RouteHandler<Params, Query, Body, Response, Errors>;
}

/** The route schema Fastify sees, typed so that the type provider infers the request and reply. */
type SchemaOf<
  Params extends TSchema | undefined,
  Query extends TSchema | undefined,
  Body extends TSchema | undefined,
  Response extends Record<number, TSchema>,
  Errors extends readonly number[],
> = {
  params: Params;
  querystring: Query;
  body: Body;
  response: Response & Record<Errors[number] | 400 | 500, TSchema>;
};

/** A handler whose `request.params`, `.query` and `.body` are the Static types of the declared schemas. */
export type RouteHandler<
  Params extends TSchema | undefined,
  Query extends TSchema | undefined,
  Body extends TSchema | undefined,
  Response extends Record<number, TSchema>,
  Errors extends readonly number[],
> = RouteHandlerMethod<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteGenericInterface,
  unknown,
  SchemaOf<Params, Query, Body, Response, Errors>,
  TypeBoxTypeProvider
>;

/** Declares one route at a URL; `Extra` is what the kind of route adds (an operator route's roles). */
type Declare<Extra> = <
  Params extends TSchema | undefined = undefined,
  Query extends TSchema | undefined = undefined,
  Body extends TSchema | undefined = undefined,
  Response extends Record<number, TSchema> = Record<number, TSchema>,
  const Errors extends readonly number[] = [],
>(
  url: string,
  route: RouteDeclaration<Params, Query, Body, Response, Errors> & Extra,
) => void;

/** The routes of one plugin, by method, as on a Fastify instance. */
export interface Routes<Extra> {
  readonly get: Declare<Extra>;
  readonly post: Declare<Extra>;
  readonly put: Declare<Extra>;
  readonly patch: Declare<Extra>;
  readonly delete: Declare<Extra>;
}

/**
 * Operator routes (under /api/v1/admin) of one plugin, all shown under the same OpenAPI `tags`:
 * `routes.get(url, { roles, summary, params, response, errors, handler })` registers a route with
 * its roles, bearer security and OpenAPI entry, instead of the same `config` / `schema` /
 * `errorResponses` block around every handler. The roles stay explicit on every route on purpose:
 * operator-auth.ts refuses to start with an admin route that allows no roles, and a reader should
 * see who may call a route where it is declared.
 */
export function operatorRoutes(
  instance: FastifyInstance,
  tags: string[],
): Routes<{ readonly roles: readonly OperatorRole[] }> {
  // The type requires roles; were they missing anyway, [] makes operator-auth.ts refuse to start.
  return routesOf(instance, tags, BearerSecurity, (route) => ({ roles: route.roles ?? [] }));
}

/**
 * Borrower routes (under /api/v1/borrower, where borrower-auth.ts checks the borrower session and
 * sets `request.borrower`) of one plugin, declared as `operatorRoutes` declares operator routes.
 */
export function borrowerRoutes(instance: FastifyInstance, tags: string[]): Routes<unknown> {
  return routesOf(instance, tags, BorrowerSecurity, () => undefined);
}

/**
 * Routes that need no sign-in (agreement texts, quotes, the channel sign-in itself). They declare
 * no security: openapi-operations.ts publishes `security: []` for them.
 */
export function publicRoutes(instance: FastifyInstance, tags: string[]): Routes<unknown> {
  return routesOf(instance, tags, undefined, () => undefined);
}

/** The borrower session scheme that borrower-auth.ts enforces. */
const BorrowerSecurity = [{ borrowerAuth: [] }];

/** The actor an operator's change is audited as (the guard has set `request.operator`). */
export function operatorActor(request: FastifyRequest): Actor {
  return { type: 'operator', id: request.operator!.id };
}

type AnyDeclaration = RouteDeclaration<
  TSchema | undefined,
  TSchema | undefined,
  TSchema | undefined,
  Record<number, TSchema>,
  readonly number[]
> & { readonly roles?: readonly OperatorRole[] };

function routesOf<Extra>(
  instance: FastifyInstance,
  tags: string[],
  security: readonly Record<string, readonly string[]>[] | undefined,
  configOf: (route: AnyDeclaration) => { roles: readonly OperatorRole[] } | undefined,
): Routes<Extra> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const declare =
    (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE') =>
    (url: string, route: AnyDeclaration): void => {
      // Only the keys a route has, in the order the route files always wrote them: the OpenAPI
      // document is built from this object.
      const schema: Record<string, unknown> = { tags, summary: route.summary };
      if (route.description !== undefined) schema.description = route.description;
      if (security !== undefined) schema.security = security;
      if (route.params !== undefined) schema.params = route.params;
      if (route.querystring !== undefined) schema.querystring = route.querystring;
      if (route.body !== undefined) schema.body = route.body;
      schema.response = { ...route.response, ...errorResponses(...route.errors) };
      const config = configOf(route);
      app.route({
        method,
        url,
        ...(config !== undefined ? { config } : {}),
        schema,
        // The Declare signature has checked the handler against the route's own schema types.
        handler: route.handler as RouteHandlerMethod,
      });
    };
  // The casts only forget the precise generic signature that Declare gives each method.
  return {
    get: declare('GET') as Declare<Extra>,
    post: declare('POST') as Declare<Extra>,
    put: declare('PUT') as Declare<Extra>,
    patch: declare('PATCH') as Declare<Extra>,
    delete: declare('DELETE') as Declare<Extra>,
  };
}
