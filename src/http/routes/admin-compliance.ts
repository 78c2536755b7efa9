import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { type BorrowerServices, PII_CATEGORIES } from '../../borrowers/index.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import { DateTimeString, StringEnum } from '../schemas.ts';
import { AgreementSchema } from './agreements.ts';
import { ConsentSchema, named } from './borrower-consents.ts';

const Uuid = Type.String({ format: 'uuid' });
const COMPLIANCE_ROLES = ['compliance'] as const;

const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

const ReleaseSchema = Type.Object({
  id: Uuid,
  borrowerId: Uuid,
  seq: Type.Integer({ description: 'Position in the borrower’s chain, from 1' }),
  lenderId: Uuid,
  lenderName: Type.Union([Type.String(), Type.Null()]),
  partnerId: Type.String(),
  categories: Type.Array(Type.String()),
  consentId: Uuid,
  requestId: Type.String(),
  releasedAt: Type.String({ format: 'date-time' }),
  prevHash: Type.String(),
  hash: Type.String(),
});

const ChainReportSchema = Type.Object({
  ok: Type.Boolean(),
  chains: Type.Integer(),
  entries: Type.Integer(),
  problems: Type.Array(Type.Object({ borrowerId: Uuid, seq: Type.Integer(), reason: Type.String() }), {
    description: 'The first 100 problems found',
  }),
});

/**
 * Compliance staff: consent and data-release records by borrower or lender, verification of the
 * release chains, and publishing agreement texts. Records carry ids and categories, never
 * personal data.
 */
export const adminComplianceRoutes =
  (services: BorrowerServices): FastifyPluginAsync =>
  async (instance) => {
    const routes = operatorRoutes(instance, ['compliance']);
    routes.get('/api/v1/admin/compliance/consents', {
      roles: COMPLIANCE_ROLES,
      summary: 'Search consents by borrower and/or lender, newest first',
      querystring: Type.Object(
        {
          borrowerId: Type.Optional(Uuid),
          lenderId: Type.Optional(Uuid),
          status: Type.Optional(StringEnum(['active', 'ended'] as const)),
          ...PageQuery,
        },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({
          items: Type.Array(ConsentSchema),
          nextCursor: Type.Union([Type.String(), Type.Null()]),
        }),
      },
      errors: [401, 403],
      handler: async function searchConsents(request) {
        const page = await services.consents.search(request.query);
        return { items: await named(services, page.items), nextCursor: page.nextCursor };
      },
    });

    routes.get('/api/v1/admin/compliance/data-releases', {
      roles: COMPLIANCE_ROLES,
      summary: 'Search the data release log by borrower and/or lender, newest first',
      querystring: Type.Object(
        { borrowerId: Type.Optional(Uuid), lenderId: Type.Optional(Uuid), ...PageQuery },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({
          items: Type.Array(ReleaseSchema),
          nextCursor: Type.Union([Type.String(), Type.Null()]),
        }),
      },
      errors: [401, 403],
      handler: async function searchDataReleases(request) {
        const page = await services.releases.list(request.query);
        return { items: await named(services, page.items), nextCursor: page.nextCursor };
      },
    });

    routes.post('/api/v1/admin/compliance/release-chain/verify', {
      roles: COMPLIANCE_ROLES,
      summary: 'Recompute every release chain (or one borrower’s) and report any modification',
      body: Type.Optional(Type.Object({ borrowerId: Type.Optional(Uuid) }, { additionalProperties: false })),
      response: { 200: ChainReportSchema },
      errors: [401, 403],
      handler: async function verifyReleaseChains(request) {
        const borrowerId = request.body?.borrowerId;
        return services.releases.verify(borrowerId ? { borrowerId } : {}, {
          actor: operatorActor(request),
          requestId: request.id,
        });
      },
    });

    routes.post('/api/v1/admin/compliance/agreements', {
      roles: COMPLIANCE_ROLES,
      summary: 'Publish the next version of the platform agreement or of a lender’s loan agreement',
      body: Type.Object(
        {
          kind: StringEnum(['platform_service', 'lender_loan_agreement'] as const),
          lenderId: Type.Optional(Uuid),
          title: Type.String({ minLength: 1, maxLength: 200 }),
          text: Type.String({ minLength: 1, maxLength: 100_000 }),
          effectiveFrom: Type.Optional(DateTimeString()),
        },
        { additionalProperties: false },
      ),
      response: { 201: AgreementSchema },
      errors: [401, 403, 409],
      handler: async function publishAgreement(request, reply) {
        const { effectiveFrom, ...rest } = request.body;
        const agreement = await services.agreements.publish(
          { ...rest, ...(effectiveFrom ? { effectiveFrom: new Date(effectiveFrom) } : {}) },
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(agreement);
      },
    });

    routes.post('/api/v1/admin/compliance/lenders/:lenderId/pi-authorization', {
      roles: COMPLIANCE_ROLES,
      summary:
        'Publish the next version of a lender’s personal-information authorization, rendered from its registry record',
      params: Type.Object({ lenderId: Uuid }),
      body: Type.Object(
        {
          categories: Type.Array(StringEnum(PII_CATEGORIES), { minItems: 1, maxItems: 5 }),
          purpose: Type.String({ minLength: 1, maxLength: 500 }),
          retention: Type.String({ minLength: 1, maxLength: 200 }),
          effectiveFrom: Type.Optional(DateTimeString()),
        },
        { additionalProperties: false },
      ),
      response: { 201: AgreementSchema },
      errors: [401, 403, 409],
      handler: async function publishPiAuthorization(request, reply) {
        const { effectiveFrom, ...terms } = request.body;
        const agreement = await services.agreements.publishPiAuthorization(
          request.params.lenderId,
          { ...terms, ...(effectiveFrom ? { effectiveFrom: new Date(effectiveFrom) } : {}) },
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(agreement);
      },
    });
  };
