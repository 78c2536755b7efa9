import type { FastifyPluginAsync } from 'fastify';
import type { LenderServices } from '../../lenders/index.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
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

const BASE = '/api/v1/admin/lenders';

/** Partner admission: the registry record, its life cycle and history, and conformance runs. */
export const adminLenderRoutes =
  (lenders: LenderServices): FastifyPluginAsync =>
  async (instance) => {
    const routes = operatorRoutes(instance, ['lenders']);

    routes.get(BASE, {
      roles: READ_ROLES,
      summary: 'List partners, newest first (filter by status and kind; keyset pagination)',
      querystring: LenderListQuery,
      response: { 200: pageOf(LenderSchema) },
      errors: [401, 403],
      handler: async function listPartners(request) {
        return lenders.partners.list(request.query);
      },
    });

    routes.post(BASE, {
      roles: WRITE_ROLES,
      summary:
        'Register a partner (status applied) with its first pre-check key, whose secret is in this answer only',
      body: NewLenderBody,
      response: { 201: CreatedLenderSchema },
      errors: [401, 403, 409],
      handler: async function registerPartner(request, reply) {
        const created = await lenders.partners.create(request.body, operatorActor(request), request.id);
        return reply.code(201).send(created);
      },
    });

    routes.get(`${BASE}/:lenderId`, {
      roles: READ_ROLES,
      summary: 'Get a partner',
      params: LenderParams,
      response: { 200: LenderSchema },
      errors: [401, 403, 404],
      handler: async function getPartner(request) {
        return lenders.partners.get(request.params.lenderId);
      },
    });

    routes.patch(`${BASE}/:lenderId`, {
      roles: WRITE_ROLES,
      summary: 'Change a partner’s record (code and kind never change; null clears an optional field)',
      params: LenderParams,
      body: LenderChangesBody,
      response: { 200: LenderSchema },
      errors: [401, 403, 404, 409],
      handler: async function changePartner(request) {
        return lenders.partners.update(
          request.params.lenderId,
          request.body,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.post(`${BASE}/:lenderId/status`, {
      roles: WRITE_ROLES,
      summary:
        'Move a partner along applied → under_review → sandbox → active ⇄ suspended → terminated ' +
        '(active needs a passed conformance run, a contract and a valid certification)',
      params: LenderParams,
      body: TransitionBody,
      response: { 200: LenderSchema },
      errors: [401, 403, 404, 409],
      handler: async function transitionPartner(request) {
        return lenders.partners.transition(
          request.params.lenderId,
          request.body,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.get(`${BASE}/:lenderId/status-history`, {
      roles: READ_ROLES,
      summary: 'The partner’s status changes, oldest first: who, when, why',
      params: LenderParams,
      querystring: PageQuery,
      response: { 200: pageOf(StatusChangeSchema) },
      errors: [401, 403, 404],
      handler: async function partnerStatusHistory(request) {
        return lenders.partners.history(request.params.lenderId, request.query);
      },
    });

    routes.get(`${BASE}/:lenderId/conformance-runs`, {
      roles: READ_ROLES,
      summary: 'Conformance runs against the partner’s endpoint, newest first',
      params: LenderParams,
      querystring: PageQuery,
      response: { 200: pageOf(ConformanceRunSchema) },
      errors: [401, 403, 404],
      handler: async function partnerConformanceRuns(request) {
        return lenders.partners.conformanceRuns(request.params.lenderId, request.query);
      },
    });
  };
