import { createGunzip } from 'node:zlib';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../shared/errors.ts';
import type { WhitelistServices } from '../../whitelist/index.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import { BearerSecurity, errorResponses, ItemsOf } from '../schemas.ts';
import {
  ChannelParams,
  ImportQuery,
  ImportResultSchema,
  KillSwitchBody,
  KillSwitchSchema,
  OverviewSchema,
  PhoneSaltBody,
  RolloutBody,
  RolloutSchema,
  SegmentParams,
  VersionParams,
  VersionSchema,
  WHITELIST_ROLES,
} from './whitelist-schemas.ts';

const BASE = '/api/v1/admin/whitelists';
/** An import streams; this bounds the (decompressed) size, not memory. ~100 M entries. */
export const MAX_IMPORT_BYTES = 4 * 1024 ** 3;
/** How long an import's upload may take (REQUEST_TIMEOUT_MS is for ordinary requests). */
export const IMPORT_TIMEOUT_MS = 3_600_000;

function csvStream(request: FastifyRequest): AsyncIterable<Uint8Array> {
  const body = request.body as (AsyncIterable<Uint8Array> & NodeJS.ReadableStream) | undefined;
  if (body === undefined || typeof body[Symbol.asyncIterator] !== 'function') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the list as Content-Type: text/csv.');
  }
  const encoding = request.headers['content-encoding'];
  if (encoding === undefined || encoding === 'identity') return body;
  if (encoding === 'gzip') return gunzipped(body);
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding must be gzip or none.');
}

/** The body gunzipped; a body that says gzip and is not is the client's error (400), not a 500. */
async function* gunzipped(body: NodeJS.ReadableStream): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of body.pipe(createGunzip())) yield chunk as Uint8Array;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new AppError('VALIDATION_FAILED', 'The body is not valid gzip.', {
        fields: [{ field: 'body', message: 'is not valid gzip' }],
      });
    }
    throw error;
  }
}

/** Whitelists for operators: imports, versions, activation, rollouts and kill switches. */
export const adminWhitelistRoutes =
  (whitelist: WhitelistServices): FastifyPluginAsync =>
  async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['whitelists'];
    const routes = operatorRoutes(instance, tags);
    const { service, importer } = whitelist;

    // The import reads its body as a stream: a text/csv parser that hands the raw stream over,
    // registered in a scope of its own so that no other route accepts CSV.
    await app.register(async (scope) => {
      scope.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));
      scope.withTypeProvider<TypeBoxTypeProvider>().post(
        `${BASE}/:channel/imports`,
        {
          // A list of millions of lines streams in for minutes: its own deadline, not the server's.
          config: { roles: WHITELIST_ROLES, requestTimeoutMs: IMPORT_TIMEOUT_MS },
          bodyLimit: MAX_IMPORT_BYTES,
          schema: {
            tags,
            summary: 'Import a list (text/csv, optionally gzip): a new version, validated line by line',
            description:
              'Header channel_user_id,segment,limit_fen or phone_sha256,segment,limit_fen. Good lines are ' +
              'imported, bad lines counted and the first 100 listed with line numbers. Poll ' +
              'GET …/imports/{version} for progress from another request.',
            security: BearerSecurity,
            consumes: ['text/csv'],
            params: ChannelParams,
            querystring: ImportQuery,
            response: { 201: ImportResultSchema, ...errorResponses(401, 403, 404, 409, 413, 415) },
          },
        },
        async function importList(request, reply) {
          const result = await importer.import(request.params.channel, csvStream(request), {
            actor: operatorActor(request),
            requestId: request.id,
            source: 'api',
            activate: request.query.activate,
            maxBytes: MAX_IMPORT_BYTES,
          });
          return reply.code(201).send(result);
        },
      );
    });

    routes.get(`${BASE}/:channel`, {
      roles: WHITELIST_ROLES,
      summary: 'A channel’s whitelist: live version, kill switches, rollouts, phone salt',
      params: ChannelParams,
      response: { 200: OverviewSchema },
      errors: [401, 403, 404],
      handler: async function getWhitelistOverview(request) {
        return service.overview(request.params.channel);
      },
    });

    routes.get(`${BASE}/:channel/imports/:version`, {
      roles: WHITELIST_ROLES,
      summary: 'An import’s status and progress (rows read, accepted, rejected with line numbers)',
      params: VersionParams,
      response: { 200: VersionSchema },
      errors: [401, 403, 404],
      handler: async function getImport(request) {
        return service.version(request.params.channel, request.params.version);
      },
    });

    routes.get(`${BASE}/:channel/versions`, {
      roles: WHITELIST_ROLES,
      summary: 'A channel’s list versions, newest first',
      params: ChannelParams,
      response: { 200: ItemsOf(VersionSchema) },
      errors: [401, 403, 404],
      handler: async function listVersions(request) {
        return { items: await service.versions(request.params.channel) };
      },
    });

    routes.post(`${BASE}/:channel/versions/:version/activate`, {
      roles: WHITELIST_ROLES,
      summary: 'Make a ready version the live list (atomic switch)',
      params: VersionParams,
      response: { 200: VersionSchema },
      errors: [401, 403, 404, 409],
      handler: async function activateVersion(request) {
        return service.activate(
          request.params.channel,
          request.params.version,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.delete(`${BASE}/:channel/versions/:version`, {
      roles: WHITELIST_ROLES,
      summary: 'Drop a version that is not live (its entries are deleted at once)',
      params: VersionParams,
      response: { 200: VersionSchema },
      errors: [401, 403, 404, 409],
      handler: async function dropVersion(request) {
        return service.drop(
          request.params.channel,
          request.params.version,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.put(`${BASE}/:channel/rollouts/:segment`, {
      roles: WHITELIST_ROLES,
      summary: 'Show the entry to a percentage (0–100) of a segment’s listed users',
      params: SegmentParams,
      body: RolloutBody,
      response: { 200: RolloutSchema },
      errors: [401, 403, 404],
      handler: async function setRollout(request) {
        return service.setRollout(
          request.params.channel,
          request.params.segment,
          request.body.percent,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.put(`${BASE}/:channel/kill-switch`, {
      roles: WHITELIST_ROLES,
      summary: 'Hide (engaged: true) or show again the entry for every user of the channel',
      params: ChannelParams,
      body: KillSwitchBody,
      response: { 200: KillSwitchSchema },
      errors: [401, 403, 404],
      handler: async function setChannelKillSwitch(request) {
        return service.setKillSwitch(
          request.params.channel,
          request.body.engaged,
          request.body.reason,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.get(`${BASE}/kill-switch`, {
      roles: WHITELIST_ROLES,
      summary: 'The global kill switch',
      response: { 200: KillSwitchSchema },
      errors: [401, 403],
      handler: async function getGlobalKillSwitch() {
        return service.globalKillSwitch();
      },
    });

    routes.put(`${BASE}/kill-switch`, {
      roles: WHITELIST_ROLES,
      summary: 'Hide (engaged: true) or show again the entry on every channel',
      body: KillSwitchBody,
      response: { 200: KillSwitchSchema },
      errors: [401, 403],
      handler: async function setGlobalKillSwitch(request) {
        return service.setKillSwitch(
          null,
          request.body.engaged,
          request.body.reason,
          operatorActor(request),
          request.id,
        );
      },
    });

    routes.put(`${BASE}/:channel/phone-salt`, {
      roles: WHITELIST_ROLES,
      summary: 'Set the salt of phone-keyed lists (agree it with the channel; re-import after a change)',
      params: ChannelParams,
      body: PhoneSaltBody,
      response: { 204: Type.Null() },
      errors: [401, 403, 404],
      handler: async function setPhoneSalt(request, reply) {
        await service.setPhoneSalt(
          request.params.channel,
          request.body.salt,
          operatorActor(request),
          request.id,
        );
        return reply.code(204).send(null);
      },
    });
  };
