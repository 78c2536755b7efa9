import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { LenderServices } from '../../lenders/index.ts';
import { BearerSecurity, errorResponses } from '../schemas.ts';
import { operatorActor } from './admin-lenders.ts';
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
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['lender keys'];

    app.get(
      BASE,
      {
        config: { roles: READ_ROLES },
        schema: {
          tags,
          summary: 'List a partner’s public keys with their state now, newest first',
          security: BearerSecurity,
          params: LenderParams,
          querystring: PageQuery,
          response: { 200: pageOf(KeySchema), ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => lenders.keys.list(request.params.lenderId, request.query),
    );

    app.post(
      BASE,
      {
        config: { roles: WRITE_ROLES },
        schema: {
          tags,
          summary:
            'Add a public key; with `retire`, the replaced key stays valid until `retire.at` (overlap)',
          security: BearerSecurity,
          params: LenderParams,
          body: NewKeyBody,
          response: { 201: KeySchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { notBefore, notAfter, retire, ...rest } = request.body;
        const created = await lenders.keys.add(
          request.params.lenderId,
          {
            ...rest,
            ...(notBefore !== undefined ? { notBefore: new Date(notBefore) } : {}),
            ...(notAfter !== undefined ? { notAfter: notAfter === null ? null : new Date(notAfter) } : {}),
            ...(retire !== undefined ? { retire: { kid: retire.kid, at: new Date(retire.at) } } : {}),
          },
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(created);
      },
    );

    app.post(
      `${BASE}/:kid/revoke`,
      {
        config: { roles: WRITE_ROLES },
        schema: {
          tags,
          summary: 'Revoke a key at once',
          security: BearerSecurity,
          params: KeyParams,
          body: RevokeKeyBody,
          response: { 200: KeySchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request) =>
        lenders.keys.revoke(
          request.params.lenderId,
          request.params.kid,
          request.body.reason,
          operatorActor(request),
          request.id,
        ),
    );
  };
