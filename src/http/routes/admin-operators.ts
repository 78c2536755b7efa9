import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../operators/password-policy.ts';
import { OPERATOR_ROLES } from '../../operators/roles.ts';
import type { OperatorService } from '../../operators/service.ts';
import { BearerSecurity, errorResponses, StringEnum } from '../schemas.ts';
import { OperatorSchema } from './admin-auth.ts';

const NewOperatorBody = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({
      minLength: MIN_PASSWORD_LENGTH,
      maxLength: MAX_PASSWORD_LENGTH,
      description:
        'Not built on the email and hard to guess (zxcvbn score ≥ 3); a refusal carries details.feedback',
    }),
    roles: Type.Array(StringEnum(OPERATOR_ROLES), { minItems: 1, maxItems: 4 }),
  },
  { additionalProperties: false },
);

export const adminOperatorRoutes =
  (operators: OperatorService): FastifyPluginAsync =>
  async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/api/v1/admin/operators',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['operators'],
          summary: 'List operator accounts',
          security: BearerSecurity,
          response: { 200: Type.Object({ items: Type.Array(OperatorSchema) }), ...errorResponses(401, 403) },
        },
      },
      async () => ({ items: await operators.list() }),
    );

    app.post(
      '/api/v1/admin/operators',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['operators'],
          summary: 'Create an operator account',
          security: BearerSecurity,
          body: NewOperatorBody,
          response: { 201: OperatorSchema, ...errorResponses(401, 403, 409) },
        },
      },
      async (request, reply) => {
        const created = await operators.create(
          request.body,
          { type: 'operator', id: request.operator!.id },
          request.id,
        );
        return reply.code(201).send(created);
      },
    );
  };
