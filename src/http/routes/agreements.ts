import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { AGREEMENT_KINDS, type AgreementService } from '../../borrowers/index.ts';
import { errorResponses, StringEnum } from '../schemas.ts';

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
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/api/v1/agreements',
      {
        schema: {
          tags: ['agreements'],
          summary:
            'The agreement texts in force: the platform agreement, and with lenderId that lender’s authorization and loan agreement',
          querystring: Type.Object({ lenderId: Type.Optional(Uuid) }, { additionalProperties: false }),
          response: { 200: Type.Object({ items: Type.Array(AgreementSchema) }), ...errorResponses() },
        },
      },
      async (request) => ({ items: await agreements.inForce(request.query.lenderId) }),
    );

    app.get(
      '/api/v1/agreements/:id',
      {
        schema: {
          tags: ['agreements'],
          summary: 'One agreement version (also past ones: what a consent accepted)',
          params: Type.Object({ id: Uuid }),
          response: { 200: AgreementSchema, ...errorResponses(404) },
        },
      },
      async (request) => agreements.get(request.params.id),
    );
  };
