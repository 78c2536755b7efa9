import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { OPERATOR_ROLES } from '../../operators/roles.ts';
import type { OperatorService } from '../../operators/service.ts';
import { BearerSecurity, errorResponses, StringEnum } from '../schemas.ts';

export const OperatorSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(StringEnum(OPERATOR_ROLES)),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  createdAt: Type.String({ format: 'date-time' }),
});

const SignInBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

const SessionResponse = Type.Object({
  token: Type.String({ description: 'Send as "Authorization: Bearer <token>"' }),
  expiresAt: Type.String({ format: 'date-time' }),
  operator: OperatorSchema,
});

export const adminAuthRoutes =
  (operators: OperatorService): FastifyPluginAsync =>
  async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/api/v1/admin/sessions',
      {
        config: { public: true },
        schema: {
          tags: ['operators'],
          summary: 'Sign in as an operator; locks the account after 5 failures in a row',
          body: SignInBody,
          response: { 201: SessionResponse, ...errorResponses(401, 423) },
        },
      },
      async (request, reply) => {
        const session = await operators.signIn(request.body.email, request.body.password, request.id);
        return reply.code(201).send(session);
      },
    );

    app.delete(
      '/api/v1/admin/sessions/current',
      {
        config: { roles: OPERATOR_ROLES },
        schema: {
          tags: ['operators'],
          summary: 'Sign out: revokes the bearer token',
          security: BearerSecurity,
          response: { 204: Type.Null(), ...errorResponses(401) },
        },
      },
      async (request, reply) => {
        await operators.signOut(
          request.bearerToken!,
          { type: 'operator', id: request.operator!.id },
          request.id,
        );
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/v1/admin/me',
      {
        config: { roles: OPERATOR_ROLES },
        schema: {
          tags: ['operators'],
          summary: 'The signed-in operator',
          security: BearerSecurity,
          response: { 200: OperatorSchema, ...errorResponses(401) },
        },
      },
      async (request) => request.operator!,
    );
  };
