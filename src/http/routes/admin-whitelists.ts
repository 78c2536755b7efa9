import { createGunzip } from 'node:zlib';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Actor } from '../../audit/audit-log.ts';
import { AppError } from '../../shared/errors.ts';
import type { WhitelistServices } from '../../whitelist/index.ts';
import { BearerSecurity, errorResponses } from '../schemas.ts';
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

function actorOf(request: FastifyRequest): Actor {
  return { type: 'operator', id: request.operator!.id };
}

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
    const config = { roles: WHITELIST_ROLES };
    const { service, importer } = whitelist;

    // The import reads its body as a stream: a text/csv parser that hands the raw stream over,
    // registered in a scope of its own so that no other route accepts CSV.
    await app.register(async (scope) => {
      scope.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));
      scope.withTypeProvider<TypeBoxTypeProvider>().post(
        `${BASE}/:channel/imports`,
        {
          // A list of millions of lines streams in for minutes: its own deadline, not the server's.
          config: { ...config, requestTimeoutMs: IMPORT_TIMEOUT_MS },
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
        async (request, reply) => {
          const result = await importer.import(request.params.channel, csvStream(request), {
            actor: actorOf(request),
            requestId: request.id,
            source: 'api',
            activate: request.query.activate,
            maxBytes: MAX_IMPORT_BYTES,
          });
          return reply.code(201).send(result);
        },
      );
    });

    app.get(
      `${BASE}/:channel`,
      {
        config,
        schema: {
          tags,
          summary: 'A channel’s whitelist: live version, kill switches, rollouts, phone salt',
          security: BearerSecurity,
          params: ChannelParams,
          response: { 200: OverviewSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => service.overview(request.params.channel),
    );

    app.get(
      `${BASE}/:channel/imports/:version`,
      {
        config,
        schema: {
          tags,
          summary: 'An import’s status and progress (rows read, accepted, rejected with line numbers)',
          security: BearerSecurity,
          params: VersionParams,
          response: { 200: VersionSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => service.version(request.params.channel, request.params.version),
    );

    app.get(
      `${BASE}/:channel/versions`,
      {
        config,
        schema: {
          tags,
          summary: 'A channel’s list versions, newest first',
          security: BearerSecurity,
          params: ChannelParams,
          response: {
            200: Type.Object({ items: Type.Array(VersionSchema) }),
            ...errorResponses(401, 403, 404),
          },
        },
      },
      async (request) => ({ items: await service.versions(request.params.channel) }),
    );

    app.post(
      `${BASE}/:channel/versions/:version/activate`,
      {
        config,
        schema: {
          tags,
          summary: 'Make a ready version the live list (atomic switch)',
          security: BearerSecurity,
          params: VersionParams,
          response: { 200: VersionSchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request) =>
        service.activate(request.params.channel, request.params.version, actorOf(request), request.id),
    );

    app.delete(
      `${BASE}/:channel/versions/:version`,
      {
        config,
        schema: {
          tags,
          summary: 'Drop a version that is not live (its entries are deleted at once)',
          security: BearerSecurity,
          params: VersionParams,
          response: { 200: VersionSchema, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request) =>
        service.drop(request.params.channel, request.params.version, actorOf(request), request.id),
    );

    app.put(
      `${BASE}/:channel/rollouts/:segment`,
      {
        config,
        schema: {
          tags,
          summary: 'Show the entry to a percentage (0–100) of a segment’s listed users',
          security: BearerSecurity,
          params: SegmentParams,
          body: RolloutBody,
          response: { 200: RolloutSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) =>
        service.setRollout(
          request.params.channel,
          request.params.segment,
          request.body.percent,
          actorOf(request),
          request.id,
        ),
    );

    app.put(
      `${BASE}/:channel/kill-switch`,
      {
        config,
        schema: {
          tags,
          summary: 'Hide (engaged: true) or show again the entry for every user of the channel',
          security: BearerSecurity,
          params: ChannelParams,
          body: KillSwitchBody,
          response: { 200: KillSwitchSchema, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) =>
        service.setKillSwitch(
          request.params.channel,
          request.body.engaged,
          request.body.reason,
          actorOf(request),
          request.id,
        ),
    );

    app.get(
      `${BASE}/kill-switch`,
      {
        config,
        schema: {
          tags,
          summary: 'The global kill switch',
          security: BearerSecurity,
          response: { 200: KillSwitchSchema, ...errorResponses(401, 403) },
        },
      },
      async () => service.globalKillSwitch(),
    );

    app.put(
      `${BASE}/kill-switch`,
      {
        config,
        schema: {
          tags,
          summary: 'Hide (engaged: true) or show again the entry on every channel',
          security: BearerSecurity,
          body: KillSwitchBody,
          response: { 200: KillSwitchSchema, ...errorResponses(401, 403) },
        },
      },
      async (request) =>
        service.setKillSwitch(null, request.body.engaged, request.body.reason, actorOf(request), request.id),
    );

    app.put(
      `${BASE}/:channel/phone-salt`,
      {
        config,
        schema: {
          tags,
          summary: 'Set the salt of phone-keyed lists (agree it with the channel; re-import after a change)',
          security: BearerSecurity,
          params: ChannelParams,
          body: PhoneSaltBody,
          response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
        },
      },
      async (request, reply) => {
        await service.setPhoneSalt(request.params.channel, request.body.salt, actorOf(request), request.id);
        return reply.code(204).send(null);
      },
    );
  };
