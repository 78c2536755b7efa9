import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import {
  type SettlementServices,
  statementCsv,
  statementFileName,
  statementXlsx,
  XLSX_CONTENT_TYPE,
} from '../../settlement/index.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import { ItemsOf } from '../schemas.ts';
import {
  BalanceSchema,
  BalancesQuery,
  ContractVersionSchema,
  DownloadQuery,
  FileResponse,
  GenerateStatementBody,
  LedgerEntriesQuery,
  LedgerEntrySchema,
  LenderCodeParams,
  NewContractVersionBody,
  SETTLEMENT_READ,
  SETTLEMENT_WRITE,
  StatementDetailSchema,
  StatementLineSchema,
  StatementLinesQuery,
  StatementListQuery,
  StatementParams,
  StatementSchema,
  StatementTransitionBody,
  VerificationSchema,
} from './settlement-schemas.ts';

const BASE = '/api/v1/admin/settlement';

/** Revenue-share contracts, the ledger (read and verify) and monthly statements. */
export const adminSettlementRoutes =
  (settlement: SettlementServices): FastifyPluginAsync =>
  async (instance) => {
    const routes = operatorRoutes(instance, ['settlement']);

    routes.get(`${BASE}/contracts`, {
      roles: SETTLEMENT_READ,
      summary: 'Lenders with a revenue-share contract, each with its latest version',
      response: { 200: ItemsOf(ContractVersionSchema) },
      errors: [401, 403],
      handler: async function listContracts() {
        return { items: await settlement.contracts.latest() };
      },
    });

    routes.get(`${BASE}/contracts/:lenderCode`, {
      roles: SETTLEMENT_READ,
      summary: 'Every version of a lender’s contract, newest first',
      params: LenderCodeParams,
      response: { 200: ItemsOf(ContractVersionSchema) },
      errors: [401, 403],
      handler: async function listContractVersions(request) {
        return { items: await settlement.contracts.versions(request.params.lenderCode) };
      },
    });

    routes.post(`${BASE}/contracts/:lenderCode/versions`, {
      roles: SETTLEMENT_WRITE,
      summary:
        'Add a contract version, effective from a date (today or later); events are priced by the version in ' +
        'effect on their own date, and posted fees never change',
      params: LenderCodeParams,
      body: NewContractVersionBody,
      response: { 201: ContractVersionSchema },
      errors: [401, 403, 404, 409],
      handler: async function addContractVersion(request, reply) {
        const created = await settlement.contracts.addVersion(
          request.params.lenderCode,
          request.body,
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(created);
      },
    });

    routes.get(`${BASE}/ledger/balances`, {
      roles: SETTLEMENT_READ,
      summary: 'Account balances (debits positive): lender receivables, revenue by kind and channel, cash',
      querystring: BalancesQuery,
      response: { 200: ItemsOf(BalanceSchema) },
      errors: [401, 403],
      handler: async function ledgerBalances(request) {
        return { items: await settlement.ledger.balances(request.query.prefix) };
      },
    });

    routes.get(`${BASE}/ledger/entries`, {
      roles: SETTLEMENT_READ,
      summary: 'Ledger entries with their postings, newest first (keyset pagination with beforeSeq)',
      querystring: LedgerEntriesQuery,
      response: {
        200: Type.Object({
          items: Type.Array(LedgerEntrySchema),
          nextBeforeSeq: Type.Union([Type.Integer(), Type.Null()]),
        }),
      },
      errors: [401, 403],
      handler: async function ledgerEntries(request) {
        const items = await settlement.ledger.entries(request.query);
        const last = items.at(-1);
        return { items, nextBeforeSeq: items.length === request.query.limit && last ? last.seq : null };
      },
    });

    routes.post(`${BASE}/ledger/verify`, {
      roles: SETTLEMENT_READ,
      summary: 'Recompute the hash chain and every entry’s balance; report the first problem',
      response: { 200: VerificationSchema },
      errors: [401, 403],
      handler: async function verifyLedger() {
        return settlement.ledger.verify();
      },
    });

    routes.post(`${BASE}/statements`, {
      roles: SETTLEMENT_WRITE,
      summary:
        'Generate the statement of a closed month for a lender (or one channel of it); ' +
        'asking again returns the same statement',
      body: GenerateStatementBody,
      response: { 200: StatementSchema },
      errors: [401, 403, 409],
      handler: async function generateStatement(request) {
        return settlement.statements.generate(request.body, operatorActor(request), request.id);
      },
    });

    routes.get(`${BASE}/statements`, {
      roles: SETTLEMENT_READ,
      summary: 'Statements, newest month first',
      querystring: StatementListQuery,
      response: { 200: ItemsOf(StatementSchema) },
      errors: [401, 403],
      handler: async function listStatements(request) {
        return { items: await settlement.statements.list(request.query) };
      },
    });

    routes.get(`${BASE}/statements/:statementId`, {
      roles: SETTLEMENT_READ,
      summary: 'A statement with its totals per channel and its status history',
      params: StatementParams,
      response: { 200: StatementDetailSchema },
      errors: [401, 403, 404],
      handler: async function getStatement(request) {
        const id = request.params.statementId;
        return {
          statement: await settlement.statements.get(id),
          byChannel: await settlement.statements.byChannel(id),
          history: await settlement.statements.history(id),
        };
      },
    });

    routes.get(`${BASE}/statements/:statementId/lines`, {
      roles: SETTLEMENT_READ,
      summary: 'Lines of a statement, one per loan and month (keyset pagination with afterLineNo)',
      params: StatementParams,
      querystring: StatementLinesQuery,
      response: {
        200: Type.Object({
          items: Type.Array(StatementLineSchema),
          nextAfterLineNo: Type.Union([Type.Integer(), Type.Null()]),
        }),
      },
      errors: [401, 403, 404],
      handler: async function statementLines(request) {
        const items = await settlement.statements.lines(request.params.statementId, request.query);
        const last = items.at(-1);
        return { items, nextAfterLineNo: items.length === request.query.limit && last ? last.lineNo : null };
      },
    });

    routes.post(`${BASE}/statements/:statementId/status`, {
      roles: SETTLEMENT_WRITE,
      summary:
        'Move a lender statement: draft → issued → confirmed / disputed (with a note) → settled ' +
        '(settling books the lender’s payment in the ledger)',
      params: StatementParams,
      body: StatementTransitionBody,
      response: { 200: StatementSchema },
      errors: [401, 403, 404, 409],
      handler: async function transitionStatement(request) {
        return settlement.statements.transition(
          request.params.statementId,
          request.body,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.get(`${BASE}/statements/:statementId/download`, {
      roles: SETTLEMENT_READ,
      summary: 'Download a statement as CSV or XLSX',
      params: StatementParams,
      querystring: DownloadQuery,
      response: { 200: FileResponse },
      errors: [401, 403, 404],
      handler: async function downloadStatement(request, reply) {
        const id = request.params.statementId;
        const statement = await settlement.statements.get(id);
        const lines = await settlement.statements.lines(id);
        const format = request.query.format;
        reply.header('content-disposition', `attachment; filename="${statementFileName(statement, format)}"`);
        if (format === 'xlsx') {
          return reply
            .type(XLSX_CONTENT_TYPE)
            .send(statementXlsx(statement, lines, await settlement.statements.byChannel(id)));
        }
        return reply.type('text/csv; charset=utf-8').send(statementCsv(statement, lines));
      },
    });
  };
