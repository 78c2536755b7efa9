import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { AGREEMENT_KINDS, type AgreementService } from '../../borrowers/index.ts';
import { publicRoutes } from '../route.ts';
import { ItemsOf, StringEnum } from '../schemas.ts';

const Uuid = Type.String({ format: 'uuid' });

export const AgreementSchema = Type.Object({
  id: Uuid,
  kind: StringEnum(AGREEMENT_KINDS),
  lenderId: Type.Union([Uuid, Type.Null()]),
  version: Type.Integer(),
  title: Type.String(),
  text: Type.String(),
  textSha256: Type.String({ description: 'Lower-case hex SHA-256 of text (UTF-8)' }),
  categories: Type.Array(Type.String(), { description: 'Data categories an authorization covers' }),
  effectiveFrom: Type.String({ format: 'date-time' }),
});

/** Agreement texts are public: anyone may read what a borrower is asked to accept. */
export const agreementRoutes =
  (agreements: AgreementService): FastifyPluginAsync =>
  async (instance) => {
    const routes = publicRoutes(instance, ['agreements']);
    routes.get('/api/v1/agreements', {
      summary:
        'The agreement texts in force: the platform agreement, and with lenderId that lender’s authorization and loan agreement',
      querystring: Type.Object({ lenderId: Type.Optional(Uuid) }, { additionalProperties: false }),
      response: { 200: ItemsOf(AgreementSchema) },
      errors: [],
      handler: async function listAgreementsInForce(request) {
        return { items: await agreements.inForce(request.query.lenderId) };
      },
    });

    routes.get('/api/v1/agreements/:id', {
      summary: 'One agreement version (also past ones: what a consent accepted)',
      params: Type.Object({ id: Uuid }),
      response: { 200: AgreementSchema },
      errors: [404],
      handler: async function getAgreement(request) {
        return agreements.get(request.params.id);
      },
    });
  };
