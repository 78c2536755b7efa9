import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Actor } from '../../audit/audit-log.ts';
import type { LenderServices } from '../../lenders/index.ts';
import { BearerSecurity, errorResponses } from '../schemas.ts';
import {
  ConformanceRunSchema,
  LenderChangesBody,
  LenderListQuery,
  LenderParams,
  LenderSchema,
  NewLenderBody,
  PageQuery,
  pageOf,
  READ_ROLES,
  StatusChangeSchema,
  TransitionBody,
  WRITE_ROLES,
} from './lender-schemas.ts';
import { CreatedLenderSchema } from './pre-check-key-schemas.ts';

export function operatorActor(request: FastifyRequest): Actor {
  return { type: 'operator', id: request.operator!.id };
}

const BASE = '/api/v1/admin/lenders';

/** Partner admission: the registry record, its life cycle and history, and conformance runs. */
export const adminLenderRoutes =
  (lenders: LenderServices): FastifyPluginAsync =>
  async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['lenders'];

    app.get(
      BASE,
      {
        config: { roles: READ_ROLES },
        schema: {
          tags,
          summary: 'List partners, newest first (filter by status and kind; keyset pagination)',
          security: BearerSecurity,
          querystring: LenderListQuery,
          response: { 200: pageOf(LenderSchema), ...errorResponses(401, 403) },
        },
      },
      async (request) => lenders.partners.list(request.query),
    );

    app.post(
      BASE,
      {
        config: { roles: WRITE_ROLES },
        schema: {
          tags,
          summary:
            'Register a partner (status applied) with its first pre-check key, whose secret is in this answer only',
          security: BearerSecurity,
          body: NewLenderBody,
          response: { 201: CreatedLenderSchema, ...errorResponses(401, 403, 409) },
        },
      },
      async (request, reply) => {
        const created = await lenders.partners.create(request.body, operatorActor(request), request.id);
        return reply.code(201).send(created);
      },
    );

    app.get(
      `${BASE}/:lenderId`,
      {
        config: { roles: READ_ROLES },
        schema: {
          tags,
          summary: 'Get a partner',
          security: BearerSecurity,
          params: LenderParams,
          response: { 200: LenderSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => lenders.partners.get(request.params.lenderId),
    );

    app.patch(
      `${BASE}/:lenderId`,
      {
        config: { roles: WRITE_ROLES },
        schema: {
          tags,
          summary: 'Change a partner’s record (code and kind never change; null clears an optional field)',
          security: BearerSecurity,
          params: LenderParams,
          body: LenderChangesBody,
          response: { 200: LenderSchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request) =>
        lenders.partners.update(request.params.lenderId, request.body, operatorActor(request), request.id),
    );

    app.post(
      `${BASE}/:lenderId/status`,
      {
        config: { roles: WRITE_ROLES },
        schema: {
          tags,
          summary:
            'Move a partner along applied → under_review → sandbox → active ⇄ suspended → terminated ' +
            '(active needs a passed conformance run, a contract and a valid certification)',
          security: BearerSecurity,
          params: LenderParams,
          body: TransitionBody,
          response: { 200: LenderSchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request) =>
        lenders.partners.transition(
          request.params.lenderId,
          request.body,
          operatorActor(request),
          request.id,
        ),
    );

    app.get(
      `${BASE}/:lenderId/status-history`,
      {
        config: { roles: READ_ROLES },
        schema: {
          tags,
          summary: 'The partner’s status changes, oldest first: who, when, why',
          security: BearerSecurity,
          params: LenderParams,
          querystring: PageQuery,
          response: { 200: pageOf(StatusChangeSchema), ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => lenders.partners.history(request.params.lenderId, request.query),
    );

    app.get(
      `${BASE}/:lenderId/conformance-runs`,
      {
        config: { roles: READ_ROLES },
        schema: {
          tags,
          summary: 'Conformance runs against the partner’s endpoint, newest first',
          security: BearerSecurity,
          params: LenderParams,
          querystring: PageQuery,
          response: { 200: pageOf(ConformanceRunSchema), ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => lenders.partners.conformanceRuns(request.params.lenderId, request.query),
    );
  };
