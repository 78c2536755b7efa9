import type { FastifyPluginAsync } from 'fastify';
import type { ChannelServices } from '../../channels/index.ts';
import { keyWithDates } from '../key-input.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import { ItemsOf } from '../schemas.ts';
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

/** Channels (渠道) for operators: the registry and each channel's signing keys. */
export const adminChannelRoutes =
  (channels: ChannelServices): FastifyPluginAsync =>
  async (instance) => {
    const routes = operatorRoutes(instance, ['channels']);

    routes.get(BASE, {
      roles: CHANNEL_ROLES,
      summary: 'List channels',
      response: { 200: ItemsOf(ChannelSchema) },
      errors: [401, 403],
      handler: async function listChannels() {
        return { items: await channels.registry.list() };
      },
    });

    routes.post(BASE, {
      roles: CHANNEL_ROLES,
      summary: 'Create a channel (active)',
      body: NewChannelBody,
      response: { 201: ChannelSchema },
      errors: [401, 403, 409],
      handler: async function createChannel(request, reply) {
        return reply
          .code(201)
          .send(await channels.registry.create(request.body, operatorActor(request), request.id));
      },
    });

    routes.get(`${BASE}/:code`, {
      roles: CHANNEL_ROLES,
      summary: 'A channel with its keys',
      params: ChannelParams,
      response: { 200: ChannelDetailSchema },
      errors: [401, 403, 404],
      handler: async function getChannel(request) {
        return {
          ...(await channels.registry.get(request.params.code)),
          keys: await channels.keys.list(request.params.code),
        };
      },
    });

    routes.patch(`${BASE}/:code`, {
      roles: CHANNEL_ROLES,
      summary: 'Change a channel’s name or placements',
      params: ChannelParams,
      body: ChannelChangesBody,
      response: { 200: ChannelSchema },
      errors: [401, 403, 404],
      handler: async function changeChannel(request) {
        return channels.registry.update(
          request.params.code,
          request.body,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.post(`${BASE}/:code/disable`, {
      roles: CHANNEL_ROLES,
      summary: 'Disable a channel: no sign-in, no entry, at once',
      params: ChannelParams,
      body: ReasonBody,
      response: { 200: ChannelSchema },
      errors: [401, 403, 404],
      handler: async function disableChannel(request) {
        return channels.registry.disable(
          request.params.code,
          request.body.reason,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.post(`${BASE}/:code/enable`, {
      roles: CHANNEL_ROLES,
      summary: 'Enable a disabled channel again',
      params: ChannelParams,
      response: { 200: ChannelSchema },
      errors: [401, 403, 404],
      handler: async function enableChannel(request) {
        return channels.registry.enable(request.params.code, operatorActor(request), request.id);
      },
    });

    routes.get(`${BASE}/:code/keys`, {
      roles: CHANNEL_ROLES,
      summary: 'A channel’s public keys with their state now, newest first',
      params: ChannelParams,
      response: { 200: ItemsOf(ChannelKeySchema) },
      errors: [401, 403, 404],
      handler: async function listChannelKeys(request) {
        return { items: await channels.keys.list(request.params.code) };
      },
    });

    routes.post(`${BASE}/:code/keys`, {
      roles: CHANNEL_ROLES,
      summary: 'Add a public key (JWK or PEM); with `retire`, the replaced key stays valid until `retire.at`',
      params: ChannelParams,
      body: NewChannelKeyBody,
      response: { 201: ChannelKeySchema },
      errors: [401, 403, 404, 409],
      handler: async function addChannelKey(request, reply) {
        const created = await channels.keys.add(
          request.params.code,
          keyWithDates(request.body),
          operatorActor(request),
          request.id,
        );
        return reply.code(201).send(created);
      },
    });

    routes.post(`${BASE}/:code/keys/:kid/revoke`, {
      roles: CHANNEL_ROLES,
      summary: 'Revoke a key at once',
      params: ChannelKeyParams,
      body: ReasonBody,
      response: { 200: ChannelKeySchema },
      errors: [401, 403, 404, 409],
      handler: async function revokeChannelKey(request) {
        return channels.keys.revoke(
          request.params.code,
          request.params.kid,
          request.body.reason,
          operatorActor(request),
          request.id,
        );
      },
    });
  };
