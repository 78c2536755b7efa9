import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { type SettlementServices, XLSX_CONTENT_TYPE } from '../../settlement/index.ts';
import { BearerSecurity, errorResponses } from '../schemas.ts';
import { operatorActor } from './admin-lenders.ts';
import {
  DifferenceParams,
  DifferenceSchema,
  DifferencesQuery,
  DownloadQuery,
  FileResponse,
  ReconciliationImportBody,
  ReconciliationListQuery,
  ReconciliationRunSchema,
  ResolveBody,
  RunParams,
  SETTLEMENT_READ,
  SETTLEMENT_WRITE,
} from './settlement-schemas.ts';

const BASE = '/api/v1/admin/settlement/reconciliations';

/** Reconciliation (对账) with the lenders' daily files: import, differences, resolution, report. */
export const adminReconciliationRoutes =
  (settlement: SettlementServices): FastifyPluginAsync =>
  async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['settlement'];

    app.post(
      BASE,
      {
        config: { roles: SETTLEMENT_WRITE },
        schema: {
          tags,
          summary:
            'Import a lender’s daily reconciliation file (CSV text) and match it against Lendgate’s records of ' +
            'the day; the same file again returns the same run',
          security: BearerSecurity,
          body: ReconciliationImportBody,
          response: { 200: ReconciliationRunSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => settlement.reconciliation.import(request.body, operatorActor(request), request.id),
    );

    app.get(
      BASE,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'Reconciliation runs, newest day first',
          security: BearerSecurity,
          querystring: ReconciliationListQuery,
          response: {
            200: Type.Object({ items: Type.Array(ReconciliationRunSchema) }),
            ...errorResponses(401, 403),
          },
        },
      },
      async (request) => ({ items: await settlement.reconciliation.list(request.query) }),
    );

    app.get(
      `${BASE}/:runId`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'A reconciliation run and its differences',
          security: BearerSecurity,
          params: RunParams,
          querystring: DifferencesQuery,
          response: {
            200: Type.Object({ run: ReconciliationRunSchema, differences: Type.Array(DifferenceSchema) }),
            ...errorResponses(401, 403, 404),
          },
        },
      },
      async (request) => ({
        run: await settlement.reconciliation.get(request.params.runId),
        differences: await settlement.reconciliation.differences(request.params.runId, request.query),
      }),
    );

    app.post(
      `${BASE}/:runId/differences/:differenceId/resolve`,
      {
        config: { roles: SETTLEMENT_WRITE },
        schema: {
          tags,
          summary: 'Resolve a difference with a note saying what was found and done (final)',
          security: BearerSecurity,
          params: DifferenceParams,
          body: ResolveBody,
          response: { 200: DifferenceSchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request) =>
        settlement.reconciliation.resolve(
          request.params.runId,
          request.params.differenceId,
          request.body.note,
          operatorActor(request),
          request.id,
        ),
    );

    app.get(
      `${BASE}/:runId/report`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'Download the reconciliation report (every difference and its resolution) as CSV or XLSX',
          security: BearerSecurity,
          params: RunParams,
          querystring: DownloadQuery,
          response: { 200: FileResponse, ...errorResponses(401, 403, 404) },
        },
      },
      async (request, reply) => {
        const report = await settlement.reconciliation.report(request.params.runId, request.query.format);
        reply.header('content-disposition', `attachment; filename="${report.fileName}"`);
        return reply
          .type(request.query.format === 'xlsx' ? XLSX_CONTENT_TYPE : 'text/csv; charset=utf-8')
          .send(report.body);
      },
    );
  };
