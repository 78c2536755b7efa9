import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { FAILURE_WINDOW_MINUTES, LOCKOUT_MINUTES, LOCKOUT_THRESHOLD } from '../../operators/lockout.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../operators/password-policy.ts';
import { OPERATOR_ROLES } from '../../operators/roles.ts';
import type { OperatorService } from '../../operators/service.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import { errorResponses, StringEnum } from '../schemas.ts';

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

const PasswordChangeBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
    newPassword: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH }),
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
    const routes = operatorRoutes(instance, ['operators']);
    // The sign-in is the one public admin route (`config.public`, no roles): declared with Fastify itself.
    app.post(
      '/api/v1/admin/sessions',
      {
        config: { public: true },
        schema: {
          tags: ['operators'],
          summary: 'Sign in as an operator',
          description:
            'An unknown email, a wrong password and a wrong password on a locked account all answer 401 ' +
            'INVALID_CREDENTIALS; 423 ACCOUNT_LOCKED only answers the right password of a locked account ' +
            `(${LOCKOUT_THRESHOLD} failures within ${FAILURE_WINDOW_MINUTES} minutes lock it for ${LOCKOUT_MINUTES}). ` +
            '429 RATE_LIMITED with Retry-After: too many requests from this address or for this email, or ' +
            'too many failures from this address (docs/operators.md).',
          body: SignInBody,
          response: { 201: SessionResponse, ...errorResponses(401, 423, 429) },
        },
      },
      async function signIn(request, reply) {
        const session = await operators.signIn(request.body.email, request.body.password, request.id);
        return reply.code(201).send(session);
      },
    );

    routes.delete('/api/v1/admin/sessions/current', {
      roles: OPERATOR_ROLES,
      summary: 'Sign out: revokes the bearer token',
      response: { 204: Type.Null() },
      errors: [401],
      handler: async function signOut(request, reply) {
        await operators.signOut(request.bearerToken!, operatorActor(request), request.id);
        return reply.code(204).send(null);
      },
    });

    routes.put('/api/v1/admin/me/password', {
      roles: OPERATOR_ROLES,
      summary: 'Change my password; signs out my other sessions',
      description:
        `The new password: ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, not built on the ` +
        'account’s email, and hard to guess (zxcvbn score ≥ 3; a refusal carries details.feedback). ' +
        'A wrong current password counts towards the lock-out like a failed sign-in.',
      body: PasswordChangeBody,
      response: { 204: Type.Null() },
      errors: [401],
      handler: async function changeMyPassword(request, reply) {
        await operators.changePassword(request.operator!.id, request.body, {
          keepToken: request.bearerToken!,
          requestId: request.id,
        });
        return reply.code(204).send(null);
      },
    });

    routes.get('/api/v1/admin/me', {
      roles: OPERATOR_ROLES,
      summary: 'The signed-in operator',
      response: { 200: OperatorSchema },
      errors: [401],
      handler: async function getMe(request) {
        return request.operator!;
      },
    });
  };
