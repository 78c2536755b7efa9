import type { FastifyPluginAsync } from 'fastify';
import type { LenderServices } from '../../lenders/index.ts';
import { keyWithDates } from '../key-input.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import {
  KeyParams,
  KeySchema,
  LenderParams,
  NewKeyBody,
  PageQuery,
  pageOf,
  READ_ROLES,
  RevokeKeyBody,
  WRITE_ROLES,
} from './lender-schemas.ts';

const BASE = '/api/v1/admin/lenders/:lenderId/keys';

/** A partner's published public keys: add (with rotation overlap), list, revoke. */
export const adminLenderKeyRoutes =
  (lenders: LenderServices): FastifyPluginAsync =>
  async (instance) => {
    const routes = operatorRoutes(instance, ['lender keys']);

    routes.get(BASE, {
      roles: READ_ROLES,
      summary: 'List a partner’s public keys with their state now, newest first',
      params: LenderParams,
      querystring: PageQuery,
      response: { 200: pageOf(KeySchema) },
      errors: [401, 403, 404],
      handler: async function listPublicKeys(request) {
        return lenders.keys.list(request.params.lenderId, request.query);
      },
    });

    routes.post(BASE, {
      roles: WRITE_ROLES,
      summary: 'Add a public key; with `retire`, the replaced key stays valid until `retire.at` (overlap)',
      params: LenderParams,
      body: NewKeyBody,
      response: { 201: KeySchema },
      errors: [401, 403, 404, 409],
      handler: async function addPublicKey(request, reply) {
        const created = await lenders.keys.add(
          request.params.lenderId,
          keyWithDates(request.body),
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(created);
      },
    });

    routes.post(`${BASE}/:kid/revoke`, {
      roles: WRITE_ROLES,
      summary: 'Revoke a key at once',
      params: KeyParams,
      body: RevokeKeyBody,
      response: { 200: KeySchema },
      errors: [401, 403, 404, 409],
      handler: async function revokePublicKey(request) {
        return lenders.keys.revoke(
          request.params.lenderId,
          request.params.kid,
          request.body.reason,
          operatorActor(request),
          request.id,
        );
      },
    });
  };
