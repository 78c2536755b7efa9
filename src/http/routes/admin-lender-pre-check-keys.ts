import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { LenderServices } from '../../lenders/index.ts';
import { BearerSecurity, errorResponses } from '../schemas.ts';
import { operatorActor } from './admin-lenders.ts';
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
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['lender pre-check keys'];

    app.get(
      BASE,
      {
        config: { roles: READ_ROLES },
        schema: {
          tags,
          summary:
            'List a partner’s pre-check keys, newest first: id, created, state, retirement (no secret)',
          security: BearerSecurity,
          params: LenderParams,
          querystring: PageQuery,
          response: { 200: pageOf(PreCheckKeySchema), ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => lenders.preCheckKeys.list(request.params.lenderId, request.query),
    );

    app.post(
      BASE,
      {
        config: { roles: WRITE_ROLES },
        schema: {
          tags,
          summary:
            'Rotate: a new current key (its secret in this answer only); the replaced keys stay valid until previousKeyRetiresAt',
          security: BearerSecurity,
          params: LenderParams,
          body: RotatePreCheckKeyBody,
          response: { 201: IssuedPreCheckKeySchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { previousKeyRetiresAt } = request.body;
        const issued = await lenders.preCheckKeys.rotate(
          request.params.lenderId,
          previousKeyRetiresAt === undefined ? {} : { previousKeyRetiresAt: new Date(previousKeyRetiresAt) },
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(issued);
      },
    );
  };
