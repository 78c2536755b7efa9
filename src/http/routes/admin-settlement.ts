import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import {
  type SettlementServices,
  statementCsv,
  statementFileName,
  statementXlsx,
  XLSX_CONTENT_TYPE,
} from '../../settlement/index.ts';
import { BearerSecurity, errorResponses } from '../schemas.ts';
import { operatorActor } from './admin-lenders.ts';
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
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['settlement'];

    app.get(
      `${BASE}/contracts`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'Lenders with a revenue-share contract, each with its latest version',
          security: BearerSecurity,
          response: {
            200: Type.Object({ items: Type.Array(ContractVersionSchema) }),
            ...errorResponses(401, 403),
          },
        },
      },
      async () => ({ items: await settlement.contracts.latest() }),
    );

    app.get(
      `${BASE}/contracts/:lenderCode`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'Every version of a lender’s contract, newest first',
          security: BearerSecurity,
          params: LenderCodeParams,
          response: {
            200: Type.Object({ items: Type.Array(ContractVersionSchema) }),
            ...errorResponses(401, 403),
          },
        },
      },
      async (request) => ({ items: await settlement.contracts.versions(request.params.lenderCode) }),
    );

    app.post(
      `${BASE}/contracts/:lenderCode/versions`,
      {
        config: { roles: SETTLEMENT_WRITE },
        schema: {
          tags,
          summary:
            'Add a contract version, effective from a date (today or later); events are priced by the version in ' +
            'effect on their own date, and posted fees never change',
          security: BearerSecurity,
          params: LenderCodeParams,
          body: NewContractVersionBody,
          response: { 201: ContractVersionSchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const created = await settlement.contracts.addVersion(
          request.params.lenderCode,
          request.body,
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(created);
      },
    );

    app.get(
      `${BASE}/ledger/balances`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary:
            'Account balances (debits positive): lender receivables, revenue by kind and channel, cash',
          security: BearerSecurity,
          querystring: BalancesQuery,
          response: { 200: Type.Object({ items: Type.Array(BalanceSchema) }), ...errorResponses(401, 403) },
        },
      },
      async (request) => ({ items: await settlement.ledger.balances(request.query.prefix) }),
    );

    app.get(
      `${BASE}/ledger/entries`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'Ledger entries with their postings, newest first (keyset pagination with beforeSeq)',
          security: BearerSecurity,
          querystring: LedgerEntriesQuery,
          response: {
            200: Type.Object({
              items: Type.Array(LedgerEntrySchema),
              nextBeforeSeq: Type.Union([Type.Integer(), Type.Null()]),
            }),
            ...errorResponses(401, 403),
          },
        },
      },
      async (request) => {
        const items = await settlement.ledger.entries(request.query);
        const last = items.at(-1);
        return { items, nextBeforeSeq: items.length === request.query.limit && last ? last.seq : null };
      },
    );

    app.post(
      `${BASE}/ledger/verify`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'Recompute the hash chain and every entry’s balance; report the first problem',
          security: BearerSecurity,
          response: { 200: VerificationSchema, ...errorResponses(401, 403) },
        },
      },
      async () => settlement.ledger.verify(),
    );

    app.post(
      `${BASE}/statements`,
      {
        config: { roles: SETTLEMENT_WRITE },
        schema: {
          tags,
          summary:
            'Generate the statement of a closed month for a lender (or one channel of it); ' +
            'asking again returns the same statement',
          security: BearerSecurity,
          body: GenerateStatementBody,
          response: { 200: StatementSchema, ...errorResponses(401, 403, 409) },
        },
      },
      async (request) => settlement.statements.generate(request.body, operatorActor(request), request.id),
    );

    app.get(
      `${BASE}/statements`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'Statements, newest month first',
          security: BearerSecurity,
          querystring: StatementListQuery,
          response: { 200: Type.Object({ items: Type.Array(StatementSchema) }), ...errorResponses(401, 403) },
        },
      },
      async (request) => ({ items: await settlement.statements.list(request.query) }),
    );

    app.get(
      `${BASE}/statements/:statementId`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'A statement with its totals per channel and its status history',
          security: BearerSecurity,
          params: StatementParams,
          response: { 200: StatementDetailSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => {
        const id = request.params.statementId;
        return {
          statement: await settlement.statements.get(id),
          byChannel: await settlement.statements.byChannel(id),
          history: await settlement.statements.history(id),
        };
      },
    );

    app.get(
      `${BASE}/statements/:statementId/lines`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'Lines of a statement, one per loan and month (keyset pagination with afterLineNo)',
          security: BearerSecurity,
          params: StatementParams,
          querystring: StatementLinesQuery,
          response: {
            200: Type.Object({
              items: Type.Array(StatementLineSchema),
              nextAfterLineNo: Type.Union([Type.Integer(), Type.Null()]),
            }),
            ...errorResponses(401, 403, 404),
          },
        },
      },
      async (request) => {
        const items = await settlement.statements.lines(request.params.statementId, request.query);
        const last = items.at(-1);
        return { items, nextAfterLineNo: items.length === request.query.limit && last ? last.lineNo : null };
      },
    );

    app.post(
      `${BASE}/statements/:statementId/status`,
      {
        config: { roles: SETTLEMENT_WRITE },
        schema: {
          tags,
          summary:
            'Move a lender statement: draft → issued → confirmed / disputed (with a note) → settled ' +
            '(settling books the lender’s payment in the ledger)',
          security: BearerSecurity,
          params: StatementParams,
          body: StatementTransitionBody,
          response: { 200: StatementSchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request) =>
        settlement.statements.transition(
          request.params.statementId,
          request.body,
          operatorActor(request),
          request.id,
        ),
    );

    app.get(
      `${BASE}/statements/:statementId/download`,
      {
        config: { roles: SETTLEMENT_READ },
        schema: {
          tags,
          summary: 'Download a statement as CSV or XLSX',
          security: BearerSecurity,
          params: StatementParams,
          querystring: DownloadQuery,
          response: { 200: FileResponse, ...errorResponses(401, 403, 404) },
        },
      },
      async (request, reply) => {
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
    );
  };
