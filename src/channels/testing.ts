/** Test helpers: channel key pairs, signed sign-in tokens, and a signed-in borrower in one call. */
import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import type { TestApp } from '../testing/app.ts';
import { AUDIENCE } from './claims.ts';
import { minimalPublicJwk } from './key-material.ts';
import type { ChannelKeyAlgorithm } from './model.ts';

export interface TestKeyPair {
  readonly alg: ChannelKeyAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, string>;
}

export function testKeyPair(alg: ChannelKeyAlgorithm, kid: string): TestKeyPair {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return { alg, kid, privateKey: pair.privateKey, publicJwk: minimalPublicJwk(pair.publicKey) };
}

export interface TokenClaims {
  readonly iss?: string;
  readonly aud?: string;
  readonly sub?: string;
  /** Seconds since the epoch. */
  readonly iat?: number;
  readonly exp?: number;
  readonly jti?: string;
}

/** A sign-in token as a channel signs it; claims default to a current, valid token of `channel`. */
export async function signTestToken(
  key: TestKeyPair,
  channel: string,
  claims: TokenClaims & { readonly now?: Date } = {},
): Promise<string> {
  const now = Math.floor((claims.now ?? new Date()).getTime() / 1000);
  const payload = {
    iss: claims.iss ?? channel,
    aud: claims.aud ?? AUDIENCE,
    sub: claims.sub ?? 'user-1',
    iat: claims.iat ?? now,
    exp: claims.exp ?? now + 300,
    jti: claims.jti ?? randomUUID(),
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

/**
 * Creates the channel (if needed) with a fresh key and signs `channelUserId` in over HTTP: for
 * tests of borrower routes that need a real session.
 */
export async function signInTestBorrower(
  t: TestApp,
  channelCode: string,
  channelUserId: string,
  /** The app's clock now, when the test app runs on a fake clock. */
  now: Date = new Date(),
): Promise<{ readonly token: string; readonly borrowerId: string }> {
  const { registry, keys } = t.app.services.channels;
  if ((await registry.statusOf(channelCode)) === null) {
    await registry.create({ code: channelCode, name: channelCode }, SYSTEM_ACTOR);
  }
  const key = testKeyPair('EdDSA', `test-${randomUUID()}`);
  await keys.add(channelCode, { kid: key.kid, alg: key.alg, jwk: key.publicJwk }, SYSTEM_ACTOR);
  const response = await t.server.inject({
    method: 'POST',
    url: `/api/v1/channels/${channelCode}/sessions`,
    payload: { token: await signTestToken(key, channelCode, { sub: channelUserId, now }) },
  });
  if (response.statusCode !== 201) throw new Error(`sign-in failed: ${response.body}`);
  const body = response.json() as { token: string; borrower: { id: string } };
  return { token: body.token, borrowerId: body.borrower.id };
}
