import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInTestBorrower } from '../../channels/testing.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

describe('borrower sign-out', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('revokes the session token: after it the token answers 401 everywhere, other sessions stay', async () => {
    const { token } = await signInTestBorrower(t, 'shop', 'leaving-user');
    const other = await signInTestBorrower(t, 'shop', 'leaving-user');
    const auth = (value: string) => ({ authorization: `Bearer ${value}` });
    const before = await t.server.inject({
      method: 'GET',
      url: '/api/v1/borrower/entry',
      headers: auth(token),
    });
    expect(before.statusCode).toBe(200);

    const out = await t.server.inject({
      method: 'DELETE',
      url: '/api/v1/borrower/session',
      headers: auth(token),
    });
    expect(out.statusCode).toBe(204);
    expect(out.headers['cache-control']).toBe('no-store');

    for (const [method, url] of [
      ['GET', '/api/v1/borrower/entry'],
      ['GET', '/api/v1/borrower/profile'],
      ['DELETE', '/api/v1/borrower/session'],
    ] as const) {
      const after = await t.server.inject({ method, url, headers: auth(token) });
      expect(after.statusCode).toBe(401);
      expect(after.json().error.code).toBe('UNAUTHORIZED');
    }
    const still = await t.server.inject({
      method: 'GET',
      url: '/api/v1/borrower/entry',
      headers: auth(other.token),
    });
    expect(still.statusCode).toBe(200);
  });

  it('needs a session, and is documented with the borrower security scheme', async () => {
    const anonymous = await t.server.inject({ method: 'DELETE', url: '/api/v1/borrower/session' });
    expect(anonymous.statusCode).toBe(401);
    const spec = (await t.server.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operation = spec.paths['/api/v1/borrower/session'].delete;
    expect(operation.tags).toEqual(['borrower']);
    expect(operation.security).toEqual([{ borrowerAuth: [] }]);
    expect(operation.summary).toMatch(/Sign out/);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['204', '401']));
  });
});
