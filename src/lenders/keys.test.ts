import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decryptPii,
  encryptPii,
  generateKeyPair,
  InMemoryNonceStore,
  selectEncryptionKey,
  signRequest,
  spkiThumbprint,
  verifyRequest,
} from '../protocol/envelope/index.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { auth, bankBody, createLender, ed25519PublicPem, rsaPublicPem, tableCounts } from './testing.ts';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
const MINUTE = 60_000;

describe('partner keys', () => {
  let t: TestApp;
  let now = T0;
  let operator: string;
  let finance: string;
  let lender: { id: string; code: string };
  const rsa2048 = rsaPublicPem(2048);
  beforeAll(async () => {
    t = await createTestApp({ clock: () => new Date(now) });
    operator = await t.signIn(['operator']);
    finance = await t.signIn(['finance']);
    lender = await createLender(t, operator, bankBody());
  });
  afterAll(async () => t.close());

  const url = (lenderId: string, rest = '') => `/api/v1/admin/lenders/${lenderId}/keys${rest}`;
  const add = (lenderId: string, body: Record<string, unknown>, token = operator) =>
    t.server.inject({ method: 'POST', url: url(lenderId), headers: auth(token), payload: body });
  /** Each body is refused (400) naming its field with a matching message, and nothing is stored. */
  async function expectEachRefused(cases: readonly [Record<string, unknown>, string, RegExp][]) {
    const before = await tableCounts(t);
    for (const [body, field, message] of cases) {
      const response = await add(lender.id, body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.json().error.details.fields[0]).toMatchObject({
        field,
        message: expect.stringMatching(message),
      });
    }
    expect(await tableCounts(t)).toEqual(before);
  }
  /** A credit-decision callback signed with `key`, verified against the registry's KeyLookup. */
  function verifyCallback(partnerCode: string, key: Parameters<typeof signRequest>[0]['key'], body: object) {
    const signed = signRequest({
      method: 'POST',
      path: '/open/v1/callbacks/credit-decision',
      body,
      partnerId: partnerCode,
      key,
      nowMs: now,
    });
    return verifyRequest({
      method: 'POST',
      path: '/open/v1/callbacks/credit-decision',
      headers: signed.headers,
      body: signed.body,
      keys: t.app.services.lenders.keys.keyLookup(),
      nonces: new InMemoryNonceStore({ now: () => now }),
      nowMs: now,
    });
  }
  const revoke = (lenderId: string, kid: string, reason: string, token = operator) =>
    t.server.inject({
      method: 'POST',
      url: url(lenderId, `/${kid}/revoke`),
      headers: auth(token),
      payload: { reason },
    });

  it('adds a signing key whose kid defaults to its thumbprint, in the envelope verifier’s shape', async () => {
    const pem = ed25519PublicPem();
    const response = await add(lender.id, { algorithm: 'Ed25519', use: 'signing', publicKeyPem: pem });
    expect(response.statusCode).toBe(201);
    const key = response.json();
    expect(key).toMatchObject({
      kid: spkiThumbprint(pem),
      state: 'valid',
      notBefore: new Date(T0).toISOString(),
      notAfter: null,
      revokedAt: null,
    });
    const set = await t.app.services.lenders.keys.keySetFor(lender.id, new Date(now));
    expect(set).toEqual([
      {
        use: 'signing',
        alg: 'Ed25519',
        kid: key.kid,
        publicKeyPem: key.publicKeyPem,
        notBefore: T0,
        notAfter: null,
      },
    ]);
  });

  it('verifies a request signed by the partner through the registry’s KeyLookup, by partner code', async () => {
    const pair = generateKeyPairSync('ed25519');
    const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const partner = await createLender(t, operator, bankBody());
    expect(
      (await add(partner.id, { kid: 'sig-2026', algorithm: 'Ed25519', use: 'signing', publicKeyPem }))
        .statusCode,
    ).toBe(201);
    const verdict = await verifyCallback(
      partner.code,
      { kid: 'sig-2026', alg: 'Ed25519', privateKey: pair.privateKey },
      { applicationId: 'a-1', approved: true },
    );
    expect(verdict.ok).toBe(true);
    expect(await t.app.services.lenders.keys.keyLookup().keysOf('no-such-partner')).toBeUndefined();
    expect(
      await t.app.services.lenders.keys.keySetFor('00000000-0000-4000-8000-000000000000', new Date(now)),
    ).toBeUndefined();
  });

  it('publishes an RSA-OAEP encryption key for PII and an RSA-SHA256 signing key', async () => {
    const partner = await createLender(t, operator, bankBody());
    const enc = await add(partner.id, {
      kid: 'enc-1',
      algorithm: 'RSA-OAEP-256',
      use: 'encryption',
      publicKeyPem: rsa2048,
    });
    expect(enc.statusCode).toBe(201);
    const sig = await add(partner.id, {
      kid: 'sig-rsa',
      algorithm: 'RSA-SHA256',
      use: 'signing',
      publicKeyPem: rsaPublicPem(2048),
    });
    expect(sig.statusCode).toBe(201);
    const set = (await t.app.services.lenders.keys.keySetFor(partner.id, new Date(now)))!;
    expect(set.map((k) => [k.kid, k.use, k.alg])).toEqual([
      ['enc-1', 'encryption', 'RSA-OAEP-256'],
      ['sig-rsa', 'signing', 'RSA-SHA256'],
    ]);
    expect(selectEncryptionKey(set, now)?.kid).toBe('enc-1');
  });

  it('refuses a bad PEM, RSA-1024, a private key, or Ed25519 for encryption, naming the field and storing nothing', async () => {
    const privatePem = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ algorithm: 'Ed25519', use: 'signing', publicKeyPem: 'not a key' }, 'publicKeyPem', /PEM public key/],
      [
        { algorithm: 'RSA-SHA256', use: 'signing', publicKeyPem: rsaPublicPem(1024) },
        'publicKeyPem',
        /at least|2048/,
      ],
      [{ algorithm: 'Ed25519', use: 'signing', publicKeyPem: privatePem }, 'publicKeyPem', /private key/],
      [
        { algorithm: 'Ed25519', use: 'encryption', publicKeyPem: ed25519PublicPem() },
        'algorithm',
        /cannot encrypt/,
      ],
      [{ algorithm: 'RSA-SHA256', use: 'encryption', publicKeyPem: rsa2048 }, 'algorithm', /RSA-OAEP-256/],
      [{ algorithm: 'Ed25519', use: 'signing', publicKeyPem: rsa2048 }, 'publicKeyPem', /ed25519/],
      [
        {
          algorithm: 'Ed25519',
          use: 'signing',
          publicKeyPem: ed25519PublicPem(),
          notBefore: new Date(now - 60 * MINUTE).toISOString(),
        },
        'notBefore',
        /past/,
      ],
      [
        {
          algorithm: 'Ed25519',
          use: 'signing',
          publicKeyPem: ed25519PublicPem(),
          notAfter: new Date(now).toISOString(),
        },
        'notAfter',
        /after notBefore/,
      ],
    ];
    await expectEachRefused(cases);
  });

  it('registers a partner on the SM suite: SM2-SM3 to sign, SM2 for its PII, used by the envelope', async () => {
    const partner = await createLender(t, operator, bankBody());
    const signing = await generateKeyPair('SM2-SM3', { notBefore: now });
    const encryption = await generateKeyPair('SM2', { notBefore: now });
    // A PEM wrapped at another width is the same key: stored in one canonical form.
    const rewrapped = signing.publicKey.publicKeyPem
      .replace(/\n/g, '')
      .replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '\n$&\n');
    const sig = await add(partner.id, {
      algorithm: 'SM2-SM3',
      use: 'signing',
      publicKeyPem: rewrapped.trim(),
    });
    expect(sig.statusCode, sig.body).toBe(201);
    expect(sig.json()).toMatchObject({
      kid: signing.publicKey.kid,
      algorithm: 'SM2-SM3',
      publicKeyPem: signing.publicKey.publicKeyPem,
    });
    const enc = await add(partner.id, {
      algorithm: 'SM2',
      use: 'encryption',
      publicKeyPem: encryption.publicKey.publicKeyPem,
    });
    expect(enc.statusCode, enc.body).toBe(201);
    const set = (await t.app.services.lenders.keys.keySetFor(partner.id, new Date(now)))!;
    expect(set.map((k) => [k.use, k.alg]).sort()).toEqual([
      ['encryption', 'SM2'],
      ['signing', 'SM2-SM3'],
    ]);

    // A callback signed by the partner verifies through the registry; PII for it is SM2 + SM4-GCM.
    const verdict = await verifyCallback(partner.code, signing.privateKey, {
      applicationId: 'a-sm',
      decision: 'rejected',
    });
    expect(verdict).toMatchObject({ ok: true, alg: 'SM2-SM3' });
    const recipient = selectEncryptionKey(set, now)!;
    const block = encryptPii({ name: '张三' }, recipient, { partnerId: partner.code, requestId: 'r-1' });
    expect(block.alg).toBe('SM2+SM4-GCM');
    expect(decryptPii(block, encryption.privateKey, { partnerId: partner.code, requestId: 'r-1' })).toEqual({
      name: '张三',
    });
  });

  it('refuses SM2 keys under other algorithms, other keys as SM2, and SM2 for the wrong use', async () => {
    const sm2 = (await generateKeyPair('SM2-SM3', { notBefore: now })).publicKey.publicKeyPem;
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ algorithm: 'Ed25519', use: 'signing', publicKeyPem: sm2 }, 'publicKeyPem', /ed25519/],
      [{ algorithm: 'RSA-OAEP-256', use: 'encryption', publicKeyPem: sm2 }, 'publicKeyPem', /rsa/],
      [{ algorithm: 'SM2-SM3', use: 'signing', publicKeyPem: p256 }, 'publicKeyPem', /sm2p256v1/],
      [{ algorithm: 'SM2', use: 'encryption', publicKeyPem: ed25519PublicPem() }, 'publicKeyPem', /SM2/],
      [{ algorithm: 'SM2', use: 'signing', publicKeyPem: sm2 }, 'algorithm', /SM2-SM3/],
      [{ algorithm: 'SM2-SM3', use: 'encryption', publicKeyPem: sm2 }, 'algorithm', /or SM2/],
    ];
    await expectEachRefused(cases);
  });

  it('refuses a second key with the same kid, and the same public key twice', async () => {
    const partner = await createLender(t, operator, bankBody());
    const pem = ed25519PublicPem();
    expect(
      (await add(partner.id, { kid: 'k1', algorithm: 'Ed25519', use: 'signing', publicKeyPem: pem }))
        .statusCode,
    ).toBe(201);
    const sameKid = await add(partner.id, {
      kid: 'k1',
      algorithm: 'Ed25519',
      use: 'signing',
      publicKeyPem: ed25519PublicPem(),
    });
    expect(sameKid.statusCode).toBe(409);
    expect(sameKid.json().error.details.field).toBe('kid');
    const samePem = await add(partner.id, {
      kid: 'k2',
      algorithm: 'Ed25519',
      use: 'signing',
      publicKeyPem: pem,
    });
    expect(samePem.statusCode).toBe(409);
    expect(samePem.json().error.message).toMatch(/already registered as k1/);
  });

  it('rotates with overlap: old and new are both valid, then the old one expires', async () => {
    const partner = await createLender(t, operator, bankBody());
    const keys = t.app.services.lenders.keys;
    expect(
      (
        await add(partner.id, {
          kid: 'old',
          algorithm: 'Ed25519',
          use: 'signing',
          publicKeyPem: ed25519PublicPem(),
        })
      ).statusCode,
    ).toBe(201);

    now += 10 * MINUTE;
    const rotateAt = now;
    const overlapEnds = new Date(rotateAt + 60 * MINUTE).toISOString();
    const rotated = await add(partner.id, {
      kid: 'new',
      algorithm: 'Ed25519',
      use: 'signing',
      publicKeyPem: ed25519PublicPem(),
      retire: { kid: 'old', at: overlapEnds },
    });
    expect(rotated.statusCode).toBe(201);

    const kids = async (at: number) =>
      ((await keys.keySetFor(partner.id, new Date(at))) ?? []).map((k) => k.kid);
    expect(await kids(rotateAt)).toEqual(['old', 'new']);
    expect(await kids(rotateAt + 59 * MINUTE)).toEqual(['old', 'new']);
    expect(await kids(rotateAt + 60 * MINUTE)).toEqual(['new']);

    now = rotateAt + 61 * MINUTE;
    const listed = await t.server.inject({ method: 'GET', url: url(partner.id), headers: auth(finance) });
    expect(listed.json().items.map((k: { kid: string; state: string }) => [k.kid, k.state])).toEqual([
      ['new', 'valid'],
      ['old', 'expired'],
    ]);
    expect(listed.json().items[1].notAfter).toBe(overlapEnds);
  });

  it('refuses a rotation without overlap or of an unknown or different-use key, changing nothing', async () => {
    const partner = await createLender(t, operator, bankBody());
    await add(partner.id, {
      kid: 'sig',
      algorithm: 'Ed25519',
      use: 'signing',
      publicKeyPem: ed25519PublicPem(),
    });
    const before = await tableCounts(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ kid: 'sig', at: new Date(now).toISOString() }, 'retire.at'],
      [{ kid: 'nope', at: new Date(now + MINUTE).toISOString() }, 'retire.kid'],
    ];
    for (const [retire, field] of cases) {
      const response = await add(partner.id, {
        algorithm: 'Ed25519',
        use: 'signing',
        publicKeyPem: ed25519PublicPem(),
        retire,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.details.fields[0].field).toBe(field);
    }
    const crossUse = await add(partner.id, {
      algorithm: 'RSA-OAEP-256',
      use: 'encryption',
      publicKeyPem: rsaPublicPem(2048),
      retire: { kid: 'sig', at: new Date(now + MINUTE).toISOString() },
    });
    expect(crossUse.json().error.details.fields[0]).toMatchObject({
      field: 'retire.kid',
      message: expect.stringMatching(/signing key/),
    });
    expect(await tableCounts(t)).toEqual(before);
    const set = await t.app.services.lenders.keys.keySetFor(
      partner.id,
      new Date(now + 365 * 24 * 60 * MINUTE),
    );
    expect(set?.map((k) => k.kid)).toEqual(['sig']);
  });

  it('revokes a key at once, and refuses revoking it twice', async () => {
    const partner = await createLender(t, operator, bankBody());
    await add(partner.id, {
      kid: 'leaked',
      algorithm: 'Ed25519',
      use: 'signing',
      publicKeyPem: ed25519PublicPem(),
    });
    now += MINUTE;
    const revoked = await revoke(partner.id, 'leaked', 'private key leaked');
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ state: 'revoked', revokedReason: 'private key leaked' });
    expect(await t.app.services.lenders.keys.keySetFor(partner.id, new Date(now))).toEqual([]);
    // Asked about a moment before the revocation, the key was still valid then.
    expect(
      (await t.app.services.lenders.keys.keySetFor(partner.id, new Date(now - 1)))?.map((k) => k.kid),
    ).toEqual(['leaked']);
    const again = await revoke(partner.id, 'leaked', 'again');
    expect(again.statusCode).toBe(409);
    const unknown = await revoke(partner.id, 'missing', 'x');
    expect(unknown.statusCode).toBe(404);
    const byFinance = await revoke(partner.id, 'leaked', 'x', finance);
    expect(byFinance.statusCode).toBe(403);
    expect(
      (
        await add(
          partner.id,
          { algorithm: 'Ed25519', use: 'signing', publicKeyPem: ed25519PublicPem() },
          finance,
        )
      ).statusCode,
    ).toBe(403);
  });
});
