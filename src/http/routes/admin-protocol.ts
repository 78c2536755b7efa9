import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { MAX_REJECTION_ROWS_PER_MINUTE, type ProtocolOperations } from '../../protocol/operations.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import { SafeInteger, StringEnum } from '../schemas.ts';

const Page = {
  partnerId: Type.Optional(Type.String({ maxLength: 64 })),
  beforeId: Type.Optional(SafeInteger({ minimum: 1 })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
};
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/** Operators' view of the lender protocol: dead letters (with requeue), refusals, kept callbacks. */
export const adminProtocolRoutes =
  (protocol: ProtocolOperations): FastifyPluginAsync =>
  async (instance) => {
    const routes = operatorRoutes(instance, ['protocol']);

    routes.get('/api/v1/admin/protocol/dead-letters', {
      roles: ['admin', 'operator'],
      summary: 'Calls to lenders that will not be retried any more (final refusal or 25 h of failures)',
      querystring: Type.Object(
        { partnerId: Page.partnerId, limit: Page.limit },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({
          items: Type.Array(
            Type.Object({
              id: Type.String(),
              partnerId: Type.String(),
              call: Type.String(),
              requestId: Type.String(),
              attempts: Type.Integer(),
              lastError: Nullable(Type.String()),
              responseStatus: Type.Union([Type.Integer(), Type.Null()]),
              createdAt: Type.String({ format: 'date-time' }),
            }),
          ),
        }),
      },
      errors: [401, 403],
      handler: async function listDeadLetters(request) {
        return { items: await protocol.deadLetters(request.query) };
      },
    });

    routes.post('/api/v1/admin/protocol/dead-letters/:id/requeue', {
      roles: ['admin', 'operator'],
      summary: 'Send a dead letter again (same request id, so the lender sees a repeat, not a new call)',
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      response: { 204: Type.Null() },
      errors: [401, 403, 404],
      handler: async function requeueDeadLetter(request, reply) {
        await protocol.requeueDeadLetter(request.params.id, operatorActor(request), request.id);
        return reply.code(204).send(null);
      },
    });

    routes.get('/api/v1/admin/protocol/rejections', {
      roles: ['admin', 'operator', 'compliance'],
      summary: 'Lender messages refused at the edge: bad signature, stale timestamp, replay, unknown partner',
      description:
        'Refusals are counted, one item per minute, source address, claimed partner and code: `count` ' +
        'of them from `at` (the first) to `lastAt`; requestId, path and message are the latest one’s. ' +
        `Past ${MAX_REJECTION_ROWS_PER_MINUTE} items in a minute, further sources are counted together ` +
        'under sourceIp and partnerId "*".',
      querystring: Type.Object(Page, { additionalProperties: false }),
      response: {
        200: Type.Object({
          items: Type.Array(
            Type.Object({
              id: Type.Integer(),
              at: Type.String({ format: 'date-time', description: 'The first refusal of the item' }),
              lastAt: Type.String({ format: 'date-time', description: 'The latest refusal of the item' }),
              count: Type.Integer({ description: 'Refusals counted in this item' }),
              sourceIp: Nullable(Type.String({ description: 'null on items kept before counting began' })),
              partnerId: Nullable(Type.String()),
              requestId: Nullable(Type.String()),
              path: Type.String(),
              code: Type.String(),
              message: Type.String(),
            }),
          ),
        }),
      },
      errors: [401, 403],
      handler: async function listRejections(request) {
        return { items: await protocol.rejections(request.query) };
      },
    });

    routes.get('/api/v1/admin/protocol/callbacks', {
      roles: ['admin', 'operator', 'compliance'],
      summary:
        'Lender callbacks by status: deferred (waiting for what they depend on) or refused (e.g. above the cap)',
      querystring: Type.Object(
        { status: StringEnum(['deferred', 'refused', 'applied'] as const), ...Page },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({
          items: Type.Array(
            Type.Object({
              id: Type.Integer(),
              partnerId: Type.String(),
              requestId: Type.String(),
              kind: Type.String(),
              businessId: Type.String(),
              status: Type.String(),
              responseStatus: Type.Integer(),
              answer: Type.Unknown(),
              receivedAt: Type.String({ format: 'date-time' }),
            }),
          ),
        }),
      },
      errors: [401, 403],
      handler: async function listCallbacks(request) {
        return { items: await protocol.callbacks(request.query) };
      },
    });
  };
