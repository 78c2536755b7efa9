import type { FastifyPluginAsync } from 'fastify';
import type { LenderServices } from '../../lenders/index.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import { LenderParams, PageQuery, pageOf, READ_ROLES, WRITE_ROLES } from './lender-schemas.ts';
import {
  IssuedPreCheckKeySchema,
  PreCheckKeySchema,
  RotatePreCheckKeyBody,
} from './pre-check-key-schemas.ts';

const BASE = '/api/v1/admin/lenders/:lenderId/pre-check-keys';

/** A partner's pre-check (撞库) HMAC keys: rotate with an overlap, list (never a secret). */
export const adminLenderPreCheckKeyRoutes =
  (lenders: LenderServices): FastifyPluginAsync =>
  async (instance) => {
    const routes = operatorRoutes(instance, ['lender pre-check keys']);

    routes.get(BASE, {
      roles: READ_ROLES,
      summary: 'List a partner’s pre-check keys, newest first: id, created, state, retirement (no secret)',
      params: LenderParams,
      querystring: PageQuery,
      response: { 200: pageOf(PreCheckKeySchema) },
      errors: [401, 403, 404],
      handler: async function listPreCheckKeys(request) {
        return lenders.preCheckKeys.list(request.params.lenderId, request.query);
      },
    });

    routes.post(BASE, {
      roles: WRITE_ROLES,
      summary:
        'Rotate: a new current key (its secret in this answer only); the replaced keys stay valid until previousKeyRetiresAt',
      params: LenderParams,
      body: RotatePreCheckKeyBody,
      response: { 201: IssuedPreCheckKeySchema },
      errors: [401, 403, 404, 409],
      handler: async function rotatePreCheckKey(request, reply) {
        const { previousKeyRetiresAt } = request.body;
        const issued = await lenders.preCheckKeys.rotate(
          request.params.lenderId,
          previousKeyRetiresAt === undefined ? {} : { previousKeyRetiresAt: new Date(previousKeyRetiresAt) },
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(issued);
      },
    });
  };
