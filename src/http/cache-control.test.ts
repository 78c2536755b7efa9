import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { signInTestBorrower, signTestToken, testKeyPair } from '../channels/testing.ts';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../testing/app.ts';

describe('Cache-Control: no-store on answers that carry tokens or personal data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LENDGATE_DEMO: 'true' } });
  });
  afterAll(async () => t?.close());

  const noStore = (response: LightMyRequestResponse) => {
    expect(response.headers['cache-control'], `${response.statusCode} ${response.body.slice(0, 80)}`).toBe(
      'no-store',
    );
  };

  it('on operator sign-in, admin routes (operators, borrower consents) and errors under /api/', async () => {
    await t.app.services.operators.create(
      { email: 'cache@example.com', displayName: 'Cache', password: TEST_PASSWORD, roles: ['admin'] },
      SYSTEM_ACTOR,
    );
    const session = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      payload: { email: 'cache@example.com', password: TEST_PASSWORD },
    });
    expect(session.statusCode).toBe(201);
    noStore(session);
    const auth = { authorization: `Bearer ${session.json().token}` };
    for (const url of ['/api/v1/admin/me', '/api/v1/admin/operators', '/api/v1/admin/compliance/consents']) {
      const response = await t.server.inject({ method: 'GET', url, headers: auth });
      expect(response.statusCode).toBe(200);
      noStore(response);
    }
    noStore(await t.server.inject({ method: 'GET', url: '/api/v1/admin/me' }));
    noStore(await t.server.inject({ method: 'GET', url: '/api/v1/no-such-route' }));
  });

  it('on borrower sessions, borrower routes, dev token minting and the open API', async () => {
    const { token } = await signInTestBorrower(t, 'shop', 'cache-user');
    const key = testKeyPair('EdDSA', 'cache-key');
    await t.app.services.channels.keys.add(
      'shop',
      { kid: key.kid, alg: key.alg, jwk: key.publicJwk },
      SYSTEM_ACTOR,
    );
    const session = await t.server.inject({
      method: 'POST',
      url: '/api/v1/channels/shop/sessions',
      payload: { token: await signTestToken(key, 'shop', { sub: 'cache-user' }) },
    });
    expect(session.statusCode).toBe(201);
    noStore(session);
    const minted = await t.server.inject({
      method: 'POST',
      url: '/api/v1/dev/channels/shop/tokens',
      payload: { channelUserId: 'cache-user' },
    });
    noStore(minted);
    const auth = { authorization: `Bearer ${token}` };
    for (const url of [
      '/api/v1/borrower/profile',
      '/api/v1/borrower/entry',
      '/api/v1/borrower/applications',
    ]) {
      noStore(await t.server.inject({ method: 'GET', url, headers: auth }));
    }
    noStore(await t.server.inject({ method: 'GET', url: '/open/v1/keys' }));
  });

  it('leaves the H5 and the API description alone', async () => {
    const spec = await t.server.inject({ method: 'GET', url: '/openapi.json' });
    expect(spec.headers['cache-control']).toBeUndefined();
    const h5 = await t.server.inject({ method: 'GET', url: '/h5/' });
    expect(h5.headers['cache-control']).not.toBe('no-store');
  });
});
