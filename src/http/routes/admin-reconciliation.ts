import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { type SettlementServices, XLSX_CONTENT_TYPE } from '../../settlement/index.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import { ItemsOf } from '../schemas.ts';
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
    const routes = operatorRoutes(instance, ['settlement']);

    routes.post(BASE, {
      roles: SETTLEMENT_WRITE,
      summary:
        'Import a lender’s daily reconciliation file (CSV text) and match it against Lendgate’s records of ' +
        'the day; the same file again returns the same run',
      body: ReconciliationImportBody,
      response: { 200: ReconciliationRunSchema },
      errors: [401, 403, 404],
      handler: async function importReconciliationFile(request) {
        return settlement.reconciliation.import(request.body, operatorActor(request), request.id);
      },
    });

    routes.get(BASE, {
      roles: SETTLEMENT_READ,
      summary: 'Reconciliation runs, newest day first',
      querystring: ReconciliationListQuery,
      response: { 200: ItemsOf(ReconciliationRunSchema) },
      errors: [401, 403],
      handler: async function listReconciliationRuns(request) {
        return { items: await settlement.reconciliation.list(request.query) };
      },
    });

    routes.get(`${BASE}/:runId`, {
      roles: SETTLEMENT_READ,
      summary: 'A reconciliation run and its differences',
      params: RunParams,
      querystring: DifferencesQuery,
      response: {
        200: Type.Object({ run: ReconciliationRunSchema, differences: Type.Array(DifferenceSchema) }),
      },
      errors: [401, 403, 404],
      handler: async function getReconciliationRun(request) {
        return {
          run: await settlement.reconciliation.get(request.params.runId),
          differences: await settlement.reconciliation.differences(request.params.runId, request.query),
        };
      },
    });

    routes.post(`${BASE}/:runId/differences/:differenceId/resolve`, {
      roles: SETTLEMENT_WRITE,
      summary: 'Resolve a difference with a note saying what was found and done (final)',
      params: DifferenceParams,
      body: ResolveBody,
      response: { 200: DifferenceSchema },
      errors: [401, 403, 404, 409],
      handler: async function resolveDifference(request) {
        return settlement.reconciliation.resolve(
          request.params.runId,
          request.params.differenceId,
          request.body.note,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.get(`${BASE}/:runId/report`, {
      roles: SETTLEMENT_READ,
      summary: 'Download the reconciliation report (every difference and its resolution) as CSV or XLSX',
      params: RunParams,
      querystring: DownloadQuery,
      response: { 200: FileResponse },
      errors: [401, 403, 404],
      handler: async function downloadReconciliationReport(request, reply) {
        const report = await settlement.reconciliation.report(request.params.runId, request.query.format);
        reply.header('content-disposition', `attachment; filename="${report.fileName}"`);
        return reply
          .type(request.query.format === 'xlsx' ? XLSX_CONTENT_TYPE : 'text/csv; charset=utf-8')
          .send(report.body);
      },
    });
  };
