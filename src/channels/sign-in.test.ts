import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { signTestToken, type TestKeyPair, testKeyPair } from './testing.ts';

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** One admin API call as `token`'s operator. */
const call = (t: TestApp, token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.server.inject({ method, url, headers: auth(token), ...(payload ? { payload } : {}) });

describe('joint sign-in (联合登录)', () => {
  let t: TestApp;
  let admin: string;
  let now = new Date('2026-11-29T10:00:00Z');
  const shopKey = testKeyPair('ES256', 'shop-1');
  const mapsKey = testKeyPair('EdDSA', 'maps-1');

  const counts = async () => ({
    borrowers: (
      await t.database.db
        .selectFrom('borrowers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
    sessions: (
      await t.database.db
        .selectFrom('borrower_sessions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  });
  const signIn = (channel: string, token: string) =>
    t.server.inject({ method: 'POST', url: `/api/v1/channels/${channel}/sessions`, payload: { token } });
  const addKey = (channel: string, key: TestKeyPair, extra: Record<string, unknown> = {}) =>
    t.server.inject({
      method: 'POST',
      url: `/api/v1/admin/channels/${channel}/keys`,
      headers: auth(admin),
      payload: { kid: key.kid, alg: key.alg, jwk: key.publicJwk, ...extra },
    });

  beforeAll(async () => {
    t = await createTestApp({ clock: () => now });
    admin = await t.signIn(['operator']);
    for (const [code, name] of [
      ['shop', '购物'],
      ['maps', '地图'],
    ]) {
      const created = await call(t, admin, 'POST', '/api/v1/admin/channels', {
        code,
        name,
        placements: [{ code: 'benefits', name: '权益页' }],
      });
      expect(created.statusCode).toBe(201);
    }
    expect((await addKey('shop', shopKey)).statusCode).toBe(201);
    expect((await addKey('maps', mapsKey)).statusCode).toBe(201);
  });
  afterAll(async () => t.close());

  it('signs a channel user in: a borrower session that the borrower routes accept', async () => {
    const response = await signIn('shop', await signTestToken(shopKey, 'shop', { sub: 'alice', now }));
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      token: expect.any(String),
      expiresAt: expect.any(String),
      borrower: { id: expect.any(String) },
    });
    expect(await t.app.services.borrowerSessions.authenticate(body.token)).toEqual({
      borrowerId: body.borrower.id,
      channelCode: 'shop',
    });
    const entry = await t.server.inject({
      method: 'GET',
      url: '/api/v1/borrower/entry',
      headers: auth(body.token),
    });
    expect(entry.statusCode).toBe(200);

    // The same user signing in again is the same borrower; the channel user id is known for them.
    const again = await signIn('shop', await signTestToken(shopKey, 'shop', { sub: 'alice', now }));
    expect(again.json().borrower.id).toBe(body.borrower.id);
    expect(
      await t.app.services.channels.users.channelUserIdOf({
        borrowerId: body.borrower.id,
        channelCode: 'shop',
      }),
    ).toBe('alice');
    // The same user id at another channel is another person.
    const elsewhere = await signIn('maps', await signTestToken(mapsKey, 'maps', { sub: 'alice', now }));
    expect(elsewhere.json().borrower.id).not.toBe(body.borrower.id);
  });

  it('refuses every bad token with CHANNEL_TOKEN_INVALID and its reason, creating nothing', async () => {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const stranger = testKeyPair('ES256', 'shop-1'); // right kid, wrong key
    const cases: [string, string, string][] = [
      [
        'expired',
        'shop',
        await signTestToken(shopKey, 'shop', { iat: nowSeconds - 400, exp: nowSeconds - 60 }),
      ],
      ['wrong_audience', 'shop', await signTestToken(shopKey, 'shop', { aud: 'someone-else', now })],
      ['bad_signature', 'shop', await signTestToken(stranger, 'shop', { now })],
      // A token minted by maps presented at shop: maps' key is unknown to shop…
      ['unknown_key', 'shop', await signTestToken(mapsKey, 'maps', { now })],
      // …and one signed with shop's key but issued as maps is not shop's either.
      ['wrong_issuer', 'shop', await signTestToken(shopKey, 'maps', { now })],
      [
        'lifetime_too_long',
        'shop',
        await signTestToken(shopKey, 'shop', { iat: nowSeconds, exp: nowSeconds + 3600 }),
      ],
      ['malformed', 'shop', 'this-is-not-a-jwt'],
    ];
    const before = await counts();
    for (const [reason, channel, token] of cases) {
      const response = await signIn(channel, token);
      expect(response.statusCode, reason).toBe(401);
      expect(response.json().error, reason).toMatchObject({
        code: 'CHANNEL_TOKEN_INVALID',
        details: { reason },
      });
    }
    const unsigned = `${Buffer.from('{"alg":"none","kid":"shop-1"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    expect((await signIn('shop', unsigned)).json().error.details.reason).toBe('unsupported_algorithm');
    expect(await counts()).toEqual(before);
  });

  it('accepts a token once: a replayed jti is refused and opens no second session', async () => {
    const token = await signTestToken(shopKey, 'shop', { sub: 'bob', jti: 'once-only', now });
    expect((await signIn('shop', token)).statusCode).toBe(201);
    const before = await counts();
    const replay = await signIn('shop', token);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error).toMatchObject({
      code: 'CHANNEL_TOKEN_INVALID',
      details: { reason: 'replayed' },
    });
    expect(await counts()).toEqual(before);
    // The same jti from another channel is that channel's own token id.
    expect(
      (await signIn('maps', await signTestToken(mapsKey, 'maps', { sub: 'bob', jti: 'once-only', now })))
        .statusCode,
    ).toBe(201);
  });

  it('answers NOT_FOUND for an unknown channel and FORBIDDEN for a disabled one, creating nothing', async () => {
    const before = await counts();
    const unknown = await signIn('nobody', await signTestToken(shopKey, 'nobody', { now }));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');

    const disabled = await call(t, admin, 'POST', '/api/v1/admin/channels/maps/disable', {
      reason: 'contract paused',
    });
    expect(disabled.json()).toMatchObject({ status: 'disabled', disabledReason: 'contract paused' });
    const refused = await signIn('maps', await signTestToken(mapsKey, 'maps', { sub: 'carol', now }));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');
    expect(await counts()).toEqual(before);

    await call(t, admin, 'POST', '/api/v1/admin/channels/maps/enable');
    expect(
      (await signIn('maps', await signTestToken(mapsKey, 'maps', { sub: 'carol', now }))).statusCode,
    ).toBe(201);
  });

  it('maps concurrent first sign-ins of one user to one borrower', async () => {
    const before = await counts();
    const tokens = await Promise.all(
      Array.from({ length: 8 }, () => signTestToken(shopKey, 'shop', { sub: 'dana-concurrent', now })),
    );
    const responses = await Promise.all(tokens.map((token) => signIn('shop', token)));
    expect(responses.map((r) => r.statusCode)).toEqual(new Array(8).fill(201));
    expect(new Set(responses.map((r) => r.json().borrower.id)).size).toBe(1);
    const after = await counts();
    expect(after.borrowers).toBe(before.borrowers + 1);
    expect(after.sessions).toBe(before.sessions + 8);
    const mapped = await t.database.db
      .selectFrom('channel_users')
      .selectAll()
      .where('channel_user_id', '=', 'dana-concurrent')
      .execute();
    expect(mapped).toHaveLength(1);
  });

  it('rotates keys with overlap: both verify until the old one retires; a revoked key verifies nothing', async () => {
    const next = testKeyPair('RS256', 'shop-2');
    const retireAt = new Date(now.getTime() + 60_000);
    expect(
      (await addKey('shop', next, { retire: { kid: 'shop-1', at: retireAt.toISOString() } })).statusCode,
    ).toBe(201);
    expect((await signIn('shop', await signTestToken(shopKey, 'shop', { now }))).statusCode).toBe(201);
    expect((await signIn('shop', await signTestToken(next, 'shop', { now }))).statusCode).toBe(201);

    now = new Date(retireAt.getTime() + 1000);
    const old = await signIn('shop', await signTestToken(shopKey, 'shop', { now }));
    expect(old.json().error.details.reason).toBe('unknown_key');
    expect((await signIn('shop', await signTestToken(next, 'shop', { now }))).statusCode).toBe(201);

    const keys = await call(t, admin, 'GET', '/api/v1/admin/channels/shop/keys');
    expect(
      keys
        .json()
        .items.map((k: { kid: string; state: string }) => [k.kid, k.state])
        .sort(),
    ).toEqual([
      ['shop-1', 'expired'],
      ['shop-2', 'valid'],
    ]);
    const revoked = await call(t, admin, 'POST', '/api/v1/admin/channels/shop/keys/shop-2/revoke', {
      reason: 'leaked',
    });
    expect(revoked.json().state).toBe('revoked');
    expect(
      (await signIn('shop', await signTestToken(next, 'shop', { now }))).json().error.details.reason,
    ).toBe('unknown_key');
  });
});

describe('channel administration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('lets admins and operators manage channels, and nobody else', async () => {
    const finance = await t.signIn(['finance']);
    const denied = await call(t, finance, 'GET', '/api/v1/admin/channels');
    expect(denied.statusCode).toBe(403);
    const admin = await t.signIn(['admin']);
    const created = await call(t, admin, 'POST', '/api/v1/admin/channels', { code: 'resale', name: '二手' });
    expect(created.json()).toMatchObject({ code: 'resale', status: 'active', placements: [] });
    const twice = await call(t, admin, 'POST', '/api/v1/admin/channels', { code: 'resale', name: 'again' });
    expect(twice.statusCode).toBe(409);
    const badCode = await call(t, admin, 'POST', '/api/v1/admin/channels', { code: 'Bad-Code', name: 'x' });
    expect(badCode.statusCode).toBe(400);

    const updated = await call(t, admin, 'PATCH', '/api/v1/admin/channels/resale', {
      placements: [
        { code: 'sold', name: '卖出成功页' },
        { code: 'sold', name: 'twice' },
      ],
    });
    expect(updated.statusCode).toBe(400);
    const fixed = await call(t, admin, 'PATCH', '/api/v1/admin/channels/resale', {
      placements: [{ code: 'sold', name: '卖出成功页' }],
    });
    expect(fixed.json().placements).toEqual([{ code: 'sold', name: '卖出成功页' }]);

    const key = testKeyPair('ES256', 'k1');
    const privateJwk = key.privateKey.export({ format: 'jwk' });
    const leaked = await call(t, admin, 'POST', '/api/v1/admin/channels/resale/keys', {
      alg: 'ES256',
      jwk: privateJwk,
    });
    expect(leaked.statusCode).toBe(400);
    expect(leaked.json().error.message).toMatch(/private key/);
    const added = await call(t, admin, 'POST', '/api/v1/admin/channels/resale/keys', {
      alg: 'ES256',
      jwk: key.publicJwk,
    });
    expect(added.statusCode).toBe(201);
    expect(added.json().kid).toBe(added.json().thumbprint);

    const detail = await call(t, admin, 'GET', '/api/v1/admin/channels/resale');
    expect(detail.json().keys).toHaveLength(1);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', 'resale')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['channel.create', 'channel.update', 'channel_key.add']);
  });
});
