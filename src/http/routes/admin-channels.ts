import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Actor } from '../../audit/audit-log.ts';
import type { ChannelServices } from '../../channels/index.ts';
import { BearerSecurity, errorResponses } from '../schemas.ts';
import {
  CHANNEL_ROLES,
  ChannelChangesBody,
  ChannelDetailSchema,
  ChannelKeyParams,
  ChannelKeySchema,
  ChannelParams,
  ChannelSchema,
  NewChannelBody,
  NewChannelKeyBody,
  ReasonBody,
} from './channel-schemas.ts';

const BASE = '/api/v1/admin/channels';

function actorOf(request: FastifyRequest): Actor {
  return { type: 'operator', id: request.operator!.id };
}

/** Channels (渠道) for operators: the registry and each channel's signing keys. */
export const adminChannelRoutes =
  (channels: ChannelServices): FastifyPluginAsync =>
  async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['channels'];
    const config = { roles: CHANNEL_ROLES };

    app.get(
      BASE,
      {
        config,
        schema: {
          tags,
          summary: 'List channels',
          security: BearerSecurity,
          response: { 200: Type.Object({ items: Type.Array(ChannelSchema) }), ...errorResponses(401, 403) },
        },
      },
      async () => ({ items: await channels.registry.list() }),
    );

    app.post(
      BASE,
      {
        config,
        schema: {
          tags,
          summary: 'Create a channel (active)',
          security: BearerSecurity,
          body: NewChannelBody,
          response: { 201: ChannelSchema, ...errorResponses(401, 403, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await channels.registry.create(request.body, actorOf(request), request.id)),
    );

    app.get(
      `${BASE}/:code`,
      {
        config,
        schema: {
          tags,
          summary: 'A channel with its keys',
          security: BearerSecurity,
          params: ChannelParams,
          response: { 200: ChannelDetailSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => ({
        ...(await channels.registry.get(request.params.code)),
        keys: await channels.keys.list(request.params.code),
      }),
    );

    app.patch(
      `${BASE}/:code`,
      {
        config,
        schema: {
          tags,
          summary: 'Change a channel’s name or placements',
          security: BearerSecurity,
          params: ChannelParams,
          body: ChannelChangesBody,
          response: { 200: ChannelSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) =>
        channels.registry.update(request.params.code, request.body, actorOf(request), request.id),
    );

    app.post(
      `${BASE}/:code/disable`,
      {
        config,
        schema: {
          tags,
          summary: 'Disable a channel: no sign-in, no entry, at once',
          security: BearerSecurity,
          params: ChannelParams,
          body: ReasonBody,
          response: { 200: ChannelSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) =>
        channels.registry.disable(request.params.code, request.body.reason, actorOf(request), request.id),
    );

    app.post(
      `${BASE}/:code/enable`,
      {
        config,
        schema: {
          tags,
          summary: 'Enable a disabled channel again',
          security: BearerSecurity,
          params: ChannelParams,
          response: { 200: ChannelSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => channels.registry.enable(request.params.code, actorOf(request), request.id),
    );

    app.get(
      `${BASE}/:code/keys`,
      {
        config,
        schema: {
          tags,
          summary: 'A channel’s public keys with their state now, newest first',
          security: BearerSecurity,
          params: ChannelParams,
          response: {
            200: Type.Object({ items: Type.Array(ChannelKeySchema) }),
            ...errorResponses(401, 403, 404),
          },
        },
      },
      async (request) => ({ items: await channels.keys.list(request.params.code) }),
    );

    app.post(
      `${BASE}/:code/keys`,
      {
        config,
        schema: {
          tags,
          summary:
            'Add a public key (JWK or PEM); with `retire`, the replaced key stays valid until `retire.at`',
          security: BearerSecurity,
          params: ChannelParams,
          body: NewChannelKeyBody,
          response: { 201: ChannelKeySchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { notBefore, notAfter, retire, ...rest } = request.body;
        const created = await channels.keys.add(
          request.params.code,
          {
            ...rest,
            ...(notBefore !== undefined ? { notBefore: new Date(notBefore) } : {}),
            ...(notAfter !== undefined ? { notAfter: notAfter === null ? null : new Date(notAfter) } : {}),
            ...(retire !== undefined ? { retire: { kid: retire.kid, at: new Date(retire.at) } } : {}),
          },
          actorOf(request),
          request.id,
        );
        return reply.code(201).send(created);
      },
    );

    app.post(
      `${BASE}/:code/keys/:kid/revoke`,
      {
        config,
        schema: {
          tags,
          summary: 'Revoke a key at once',
          security: BearerSecurity,
          params: ChannelKeyParams,
          body: ReasonBody,
          response: { 200: ChannelKeySchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request) =>
        channels.keys.revoke(
          request.params.code,
          request.params.kid,
          request.body.reason,
          actorOf(request),
          request.id,
        ),
    );
  };
