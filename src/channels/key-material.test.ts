import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkChannelKey, minimalPublicJwk } from './key-material.ts';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('channel key material', () => {
  it('normalises a JWK or a PEM to the minimal public JWK and its RFC 7638 thumbprint', async () => {
    const fromJwk = checkChannelKey({
      alg: 'ES256',
      jwk: { ...ec.publicKey.export({ format: 'jwk' }), use: 'sig' },
    });
    const fromPem = checkChannelKey({
      alg: 'ES256',
      publicKeyPem: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    expect(fromJwk).toEqual(fromPem);
    if (!fromJwk.ok) throw new Error('expected ok');
    expect(Object.keys(fromJwk.key.publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(fromJwk.key.thumbprint).toBe(await calculateJwkThumbprint(fromJwk.key.publicJwk));
    for (const [alg, pair] of [
      ['EdDSA', ed],
      ['RS256', rsa],
    ] as const) {
      const checked = checkChannelKey({ alg, jwk: minimalPublicJwk(pair.publicKey) });
      expect(checked.ok && checked.key.thumbprint).toBe(
        await calculateJwkThumbprint(minimalPublicJwk(pair.publicKey)),
      );
    }
  });

  it('refuses private keys, keys of the wrong type, weak RSA, and ambiguous input', () => {
    const privateJwk = ec.privateKey.export({ format: 'jwk' });
    expect(checkChannelKey({ alg: 'ES256', jwk: privateJwk })).toMatchObject({ ok: false, field: 'jwk' });
    const privatePem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(checkChannelKey({ alg: 'ES256', publicKeyPem: privatePem })).toMatchObject({ ok: false });
    expect(checkChannelKey({ alg: 'RS256', jwk: minimalPublicJwk(ec.publicKey) })).toMatchObject({
      ok: false,
    });
    expect(checkChannelKey({ alg: 'EdDSA', jwk: minimalPublicJwk(rsa.publicKey) })).toMatchObject({
      ok: false,
    });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(checkChannelKey({ alg: 'ES256', jwk: minimalPublicJwk(p384.publicKey) })).toMatchObject({
      ok: false,
    });
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(checkChannelKey({ alg: 'RS256', jwk: minimalPublicJwk(weak.publicKey) })).toMatchObject({
      ok: false,
    });
    expect(checkChannelKey({ alg: 'ES256' })).toMatchObject({ ok: false });
    expect(
      checkChannelKey({ alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'nope', y: 'nope' } }),
    ).toMatchObject({
      ok: false,
    });
    expect(
      checkChannelKey({ alg: 'ES256', jwk: { ...minimalPublicJwk(ec.publicKey), alg: 'RS256' } }),
    ).toMatchObject({
      ok: false,
      field: 'jwk.alg',
    });
  });
});
