import type { FastifyPluginAsync } from 'fastify';
import type { LenderServices } from '../../lenders/index.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
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
    const routes = operatorRoutes(instance, ['lender products']);

    routes.get(BASE, {
      roles: READ_ROLES,
      summary: 'List a partner’s products, newest first',
      params: LenderParams,
      querystring: ProductListQuery,
      response: { 200: pageOf(ProductSchema) },
      errors: [401, 403, 404],
      handler: async function listProducts(request) {
        return lenders.products.list(request.params.lenderId, request.query);
      },
    });

    routes.post(BASE, {
      roles: WRITE_ROLES,
      summary: 'Create a product (draft); an APR range outside 3.6%–24% is refused and audited',
      params: LenderParams,
      body: NewProductBody,
      response: { 201: ProductSchema },
      errors: [401, 403, 404, 409, 422],
      handler: async function createProduct(request, reply) {
        const created = await lenders.products.create(
          request.params.lenderId,
          request.body,
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(created);
      },
    });

    routes.get(`${BASE}/:productId`, {
      roles: READ_ROLES,
      summary: 'Get a product',
      params: ProductParams,
      response: { 200: ProductSchema },
      errors: [401, 403, 404],
      handler: async function getProduct(request) {
        return lenders.products.get(request.params.lenderId, request.params.productId);
      },
    });

    routes.patch(`${BASE}/:productId`, {
      roles: WRITE_ROLES,
      summary: 'Change a product’s terms; a product in review or approved goes back to draft',
      params: ProductParams,
      body: ProductChangesBody,
      response: { 200: ProductSchema },
      errors: [401, 403, 404, 409, 422],
      handler: async function changeProduct(request) {
        return lenders.products.update(
          request.params.lenderId,
          request.params.productId,
          request.body,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.post(`${BASE}/:productId/status`, {
      roles: WRITE_ROLES,
      summary: 'Review a product: draft → in_review → approved → withdrawn (in_review → draft sends it back)',
      params: ProductParams,
      body: ProductTransitionBody,
      response: { 200: ProductSchema },
      errors: [401, 403, 404, 409, 422],
      handler: async function reviewProduct(request) {
        return lenders.products.transition(
          request.params.lenderId,
          request.params.productId,
          request.body,
          operatorActor(request),
          request.id,
        );
      },
    });
  };
