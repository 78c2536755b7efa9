import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { LenderServices } from '../../lenders/index.ts';
import { BearerSecurity, errorResponses } from '../schemas.ts';
import { operatorActor } from './admin-lenders.ts';
import {
  LenderParams,
  NewProductBody,
  ProductChangesBody,
  ProductListQuery,
  ProductParams,
  ProductSchema,
  ProductTransitionBody,
  pageOf,
  READ_ROLES,
  WRITE_ROLES,
} from './lender-schemas.ts';

const BASE = '/api/v1/admin/lenders/:lenderId/products';

/** A partner's credit products and their review; the price rule answers 422 APR_CAP_EXCEEDED / APR_BELOW_FLOOR. */
export const adminLenderProductRoutes =
  (lenders: LenderServices): FastifyPluginAsync =>
  async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['lender products'];

    app.get(
      BASE,
      {
        config: { roles: READ_ROLES },
        schema: {
          tags,
          summary: 'List a partner’s products, newest first',
          security: BearerSecurity,
          params: LenderParams,
          querystring: ProductListQuery,
          response: { 200: pageOf(ProductSchema), ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => lenders.products.list(request.params.lenderId, request.query),
    );

    app.post(
      BASE,
      {
        config: { roles: WRITE_ROLES },
        schema: {
          tags,
          summary: 'Create a product (draft); an APR range outside 3.6%–24% is refused and audited',
          security: BearerSecurity,
          params: LenderParams,
          body: NewProductBody,
          response: { 201: ProductSchema, ...errorResponses(401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const created = await lenders.products.create(
          request.params.lenderId,
          request.body,
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(created);
      },
    );

    app.get(
      `${BASE}/:productId`,
      {
        config: { roles: READ_ROLES },
        schema: {
          tags,
          summary: 'Get a product',
          security: BearerSecurity,
          params: ProductParams,
          response: { 200: ProductSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => lenders.products.get(request.params.lenderId, request.params.productId),
    );

    app.patch(
      `${BASE}/:productId`,
      {
        config: { roles: WRITE_ROLES },
        schema: {
          tags,
          summary: 'Change a product’s terms; a product in review or approved goes back to draft',
          security: BearerSecurity,
          params: ProductParams,
          body: ProductChangesBody,
          response: { 200: ProductSchema, ...errorResponses(401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        lenders.products.update(
          request.params.lenderId,
          request.params.productId,
          request.body,
          operatorActor(request),
          request.id,
        ),
    );

    app.post(
      `${BASE}/:productId/status`,
      {
        config: { roles: WRITE_ROLES },
        schema: {
          tags,
          summary:
            'Review a product: draft → in_review → approved → withdrawn (in_review → draft sends it back)',
          security: BearerSecurity,
          params: ProductParams,
          body: ProductTransitionBody,
          response: { 200: ProductSchema, ...errorResponses(401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        lenders.products.transition(
          request.params.lenderId,
          request.params.productId,
          request.body,
          operatorActor(request),
          request.id,
        ),
    );
  };
