import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../operators/password-policy.ts';
import { OPERATOR_ROLES } from '../../operators/roles.ts';
import type { OperatorService } from '../../operators/service.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import { ItemsOf, StringEnum } from '../schemas.ts';
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
    const routes = operatorRoutes(instance, ['operators']);
    routes.get('/api/v1/admin/operators', {
      roles: ['admin'],
      summary: 'List operator accounts',
      response: { 200: ItemsOf(OperatorSchema) },
      errors: [401, 403],
      handler: async function listOperators() {
        return { items: await operators.list() };
      },
    });

    routes.post('/api/v1/admin/operators', {
      roles: ['admin'],
      summary: 'Create an operator account',
      body: NewOperatorBody,
      response: { 201: OperatorSchema },
      errors: [401, 403, 409],
      handler: async function createOperator(request, reply) {
        const created = await operators.create(request.body, operatorActor(request), request.id);
        return reply.code(201).send(created);
      },
    });
  };
