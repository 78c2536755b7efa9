import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCKOUT_THRESHOLD } from '../../operators/lockout.ts';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../../testing/app.ts';

describe('operator accounts over HTTP', () => {
  let t: TestApp;
  let adminToken: string;
  beforeAll(async () => {
    t = await createTestApp();
    adminToken = await t.signIn(['admin']);
  });
  afterAll(async () => t.close());

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  it('signs in, shows the operator, and signs out (the token stops working)', async () => {
    const created = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/operators',
      headers: auth(adminToken),
      payload: {
        email: 'Ops@Example.com',
        displayName: 'Ops',
        password: 'ops-password-1234',
        roles: ['operator'],
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).not.toHaveProperty('passwordHash');

    const session = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      payload: { email: 'ops@example.com', password: 'ops-password-1234' },
    });
    expect(session.statusCode).toBe(201);
    const { token, operator } = session.json();
    expect(operator.roles).toEqual(['operator']);

    const me = await t.server.inject({ method: 'GET', url: '/api/v1/admin/me', headers: auth(token) });
    expect(me.json().email).toBe('ops@example.com');

    const out = await t.server.inject({
      method: 'DELETE',
      url: '/api/v1/admin/sessions/current',
      headers: auth(token),
    });
    expect(out.statusCode).toBe(204);
    const after = await t.server.inject({ method: 'GET', url: '/api/v1/admin/me', headers: auth(token) });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('UNAUTHORIZED');
  });

  it('refuses a missing or malformed token with UNAUTHORIZED', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic abc' }]) {
      const response = await t.server.inject({ method: 'GET', url: '/api/v1/admin/me', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('UNAUTHORIZED');
    }
  });

  it('enforces the roles each route declares', async () => {
    const financeToken = await t.signIn(['finance']);
    const list = await t.server.inject({
      method: 'GET',
      url: '/api/v1/admin/operators',
      headers: auth(financeToken),
    });
    expect(list.statusCode).toBe(403);
    expect(list.json().error.code).toBe('FORBIDDEN');
    const audit = await t.server.inject({
      method: 'GET',
      url: '/api/v1/admin/audit',
      headers: auth(financeToken),
    });
    expect(audit.statusCode).toBe(403);
    const complianceToken = await t.signIn(['compliance']);
    const allowed = await t.server.inject({
      method: 'GET',
      url: '/api/v1/admin/audit',
      headers: auth(complianceToken),
    });
    expect(allowed.statusCode).toBe(200);
  });

  it('refuses a duplicate email with CONFLICT and a short password with the field named', async () => {
    const payload = {
      email: 'dup@example.com',
      displayName: 'Dup',
      password: 'dup-password-1234',
      roles: ['finance'],
    };
    const first = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/operators',
      headers: auth(adminToken),
      payload,
    });
    expect(first.statusCode).toBe(201);
    const again = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/operators',
      headers: auth(adminToken),
      payload: { ...payload, email: 'DUP@example.com' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CONFLICT');
    const short = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/operators',
      headers: auth(adminToken),
      payload: { ...payload, email: 'short@example.com', password: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details.fields[0].field).toBe('body.password');
  });

  it('locks the account after repeated failures, even for the right password', async () => {
    await t.app.services.operators.create(
      { email: 'lock@example.com', displayName: 'Lock', password: TEST_PASSWORD, roles: ['operator'] },
      { type: 'system', id: null },
    );
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
      const failed = await t.server.inject({
        method: 'POST',
        url: '/api/v1/admin/sessions',
        payload: { email: 'lock@example.com', password: 'wrong-password' },
      });
      expect(failed.json().error.code).toBe('INVALID_CREDENTIALS');
    }
    const locked = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      payload: { email: 'lock@example.com', password: TEST_PASSWORD },
    });
    expect(locked.statusCode).toBe(423);
    expect(locked.json().error.code).toBe('ACCOUNT_LOCKED');
  });

  it('gives the same answer for an unknown email as for a wrong password', async () => {
    const response = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      payload: { email: 'nobody@example.com', password: 'whatever-password' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a weak password at creation with zxcvbn’s feedback, naming the field', async () => {
    const weak = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/operators',
      headers: auth(adminToken),
      payload: {
        email: 'weak@example.com',
        displayName: 'Weak',
        password: 'password1234',
        roles: ['finance'],
      },
    });
    expect(weak.statusCode).toBe(400);
    const { error } = weak.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.fields).toEqual([
      { field: 'password', message: expect.stringMatching(/too easy to guess/) },
    ]);
    expect(error.details.feedback.suggestions.length).toBeGreaterThan(0);
  });

  it('changes my own password: the current one is checked, the new one must be strong, other sessions end', async () => {
    const email = 'changer@example.com';
    await t.app.services.operators.create(
      { email, displayName: 'Changer', password: TEST_PASSWORD, roles: ['finance'] },
      { type: 'system', id: null },
    );
    const signIn = async (password: string) =>
      t.server.inject({ method: 'POST', url: '/api/v1/admin/sessions', payload: { email, password } });
    const current = (await signIn(TEST_PASSWORD)).json().token as string;
    const other = (await signIn(TEST_PASSWORD)).json().token as string;
    const change = (currentPassword: string, newPassword: string) =>
      t.server.inject({
        method: 'PUT',
        url: '/api/v1/admin/me/password',
        headers: auth(current),
        payload: { currentPassword, newPassword },
      });
    const wrong = await change('not-my-password', 'Quiet-harbour-lantern-42');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    const weak = await change(TEST_PASSWORD, 'qwertyuiop123');
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details.fields[0].field).toBe('newPassword');
    expect(weak.json().error.details.feedback.warning).toMatch(/common/i);
    const done = await change(TEST_PASSWORD, 'Quiet-harbour-lantern-42');
    expect(done.statusCode).toBe(204);
    const me = (token: string) =>
      t.server.inject({ method: 'GET', url: '/api/v1/admin/me', headers: auth(token) });
    expect((await me(current)).statusCode).toBe(200);
    expect((await me(other)).statusCode).toBe(401);
    expect((await signIn(TEST_PASSWORD)).statusCode).toBe(401);
    expect((await signIn('Quiet-harbour-lantern-42')).statusCode).toBe(201);
  });

  it('records who did what in the audit log', async () => {
    const response = await t.server.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?action=operator.create&limit=50',
      headers: auth(adminToken),
    });
    expect(response.statusCode).toBe(200);
    const { items } = response.json();
    const byAdmin = items.filter((item: { actorType: string }) => item.actorType === 'operator');
    expect(byAdmin.length).toBeGreaterThanOrEqual(2);
    expect(byAdmin[0].requestId).toBeTruthy();
    const locked = await t.server.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?action=operator.sign_in_locked',
      headers: auth(adminToken),
    });
    expect(locked.json().items).toHaveLength(1);
  });
});
