import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AuditLog } from '../../audit/audit-log.ts';
import { operatorRoutes } from '../route.ts';
import { SafeInteger } from '../schemas.ts';

const AuditQuery = Type.Object(
  {
    actorId: Type.Optional(Type.String({ maxLength: 100 })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    targetType: Type.Optional(Type.String({ maxLength: 50 })),
    targetId: Type.Optional(Type.String({ maxLength: 100 })),
    beforeId: Type.Optional(SafeInteger({ minimum: 1 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
);

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export const adminAuditRoutes =
  (audit: Pick<AuditLog, 'list'>): FastifyPluginAsync =>
  async (instance) => {
    const routes = operatorRoutes(instance, ['audit']);
    routes.get('/api/v1/admin/audit', {
      roles: ['admin', 'compliance'],
      summary: 'Search the audit log, newest first (keyset pagination with beforeId)',
      querystring: AuditQuery,
      response: {
        200: Type.Object({
          items: Type.Array(AuditEntry),
          nextBeforeId: Type.Union([Type.Integer(), Type.Null()]),
        }),
      },
      errors: [401, 403],
      handler: async function searchAuditLog(request) {
        const items = await audit.list(request.query);
        const last = items.at(-1);
        return { items, nextBeforeId: items.length === request.query.limit && last ? last.id : null };
      },
    });
  };
