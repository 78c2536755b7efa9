import type { FastifyPluginAsync } from 'fastify';
import type { ChannelServices } from '../../channels/index.ts';
import { publicRoutes } from '../route.ts';
import { ChannelParams, MintBody, MintResponse, SignInBody, SignInResponse } from './channel-schemas.ts';

/**
 * Joint sign-in (联合登录): the host app's server signs a short-lived JWT for its user; the H5
 * posts it here and gets a borrower session. CHANNEL_TOKEN_INVALID carries `details.reason`.
 */
export const channelSessionRoutes =
  (channels: Pick<ChannelServices, 'signIn'>): FastifyPluginAsync =>
  async (instance) => {
    const routes = publicRoutes(instance, ['borrower']);
    routes.post('/api/v1/channels/:code/sessions', {
      summary: 'Sign a channel user in with the channel’s signed token; opens a borrower session',
      description:
        'The JWT is signed by one of the channel’s keys (header kid; ES256, RS256 or EdDSA) with ' +
        'iss = the channel code, aud = lendgate, sub = the channel user id, iat, exp (at most 10 ' +
        'minutes after iat; 30 s clock skew allowed) and a jti never used before. Refusals are ' +
        'CHANNEL_TOKEN_INVALID with details.reason (expired, bad_signature, wrong_audience, ' +
        'wrong_issuer, unknown_key, replayed, …).',
      params: ChannelParams,
      body: SignInBody,
      response: { 201: SignInResponse },
      errors: [401, 403, 404],
      handler: async function signInChannelUser(request, reply) {
        const { token, expiresAt, borrower } = await channels.signIn.signIn(
          request.params.code,
          request.body.token,
          request.id,
        );
        return reply.code(201).send({ token, expiresAt, borrower });
      },
    });
  };

/**
 * Dev-only: signs a token for a demo channel's user with the demo key the seed kept, so the H5
 * can be tried without a host app. Registered only in demo mode outside production.
 */
export const devChannelTokenRoutes =
  (channels: Pick<ChannelServices, 'devTokens'>): FastifyPluginAsync =>
  async (instance) => {
    const routes = publicRoutes(instance, ['dev']);
    routes.post('/api/v1/dev/channels/:code/tokens', {
      summary: 'DEV ONLY: mint a sign-in token for a demo channel user (demo mode, never in production)',
      params: ChannelParams,
      body: MintBody,
      response: { 201: MintResponse },
      errors: [404, 409],
      handler: async function mintDevChannelToken(request, reply) {
        return reply
          .code(201)
          .send(await channels.devTokens.mint(request.params.code, request.body.channelUserId));
      },
    });
  };
