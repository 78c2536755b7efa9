import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInTestBorrower } from '../channels/testing.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { rolloutBucket } from './rollout.ts';

describe('whitelist over HTTP: imports, versions, rollout, kill switches and the borrower entry', () => {
  let t: TestApp;
  let operator: string;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    t.server.inject({
      method,
      url: `/api/v1/admin/whitelists${url}`,
      headers: auth(operator),
      ...(payload ? { payload } : {}),
    });
  const entryOf = async (token: string) =>
    (await t.server.inject({ method: 'GET', url: '/api/v1/borrower/entry', headers: auth(token) })).json();
  const importCsv = (
    channel: string,
    body: string | Buffer,
    query = '',
    headers: Record<string, string> = {},
  ) =>
    t.server.inject({
      method: 'POST',
      url: `/api/v1/admin/whitelists/${channel}/imports${query}`,
      headers: { ...auth(operator), 'content-type': 'text/csv', ...headers },
      payload: body,
    });

  // 200 listed users in two segments; "outsider" is not listed.
  const listed = Array.from({ length: 200 }, (_, i) => `user-${i}`);
  const file = [
    'channel_user_id,segment,limit_fen',
    ...listed.map((id, i) => `${id},${i < 100 ? 'prime' : 'standard'},${i < 100 ? 5_000_000 : ''}`),
    'user bad,prime,1',
    'user-x,prime,-3',
  ].join('\r\n');

  beforeAll(async () => {
    t = await createTestApp();
    operator = await t.signIn(['operator']);
  });
  afterAll(async () => t.close());

  it('imports a CSV upload, reports its bad lines, and shows nobody anything until activated', async () => {
    const alice = await signInTestBorrower(t, 'shop', 'user-1');
    expect(await entryOf(alice.token)).toEqual({ visible: false, reason: 'not_whitelisted' });

    const response = await importCsv('shop', file);
    expect(response.statusCode).toBe(201);
    const { version, activated } = response.json();
    expect(activated).toBe(false);
    expect(version).toMatchObject({
      version: 1,
      state: 'ready',
      rowsAccepted: 200,
      rowsRejected: 2,
      active: false,
    });
    expect(version.errors).toEqual([
      { line: 202, message: expect.stringMatching(/channel_user_id/) },
      { line: 203, message: expect.stringMatching(/limit_fen/) },
    ]);
    const status = await admin('GET', '/shop/imports/1');
    expect(status.json()).toMatchObject({ state: 'ready', rowsRead: 202 });
    expect(await entryOf(alice.token)).toEqual({ visible: false, reason: 'not_whitelisted' });

    const activation = await admin('POST', '/shop/versions/1/activate');
    expect(activation.json()).toMatchObject({ active: true, activatedAt: expect.any(String) });
    expect(await entryOf(alice.token)).toEqual({
      visible: true,
      segment: 'prime',
      preApprovedLimitFen: 5_000_000,
    });
    const bob = await signInTestBorrower(t, 'shop', 'user-150');
    expect(await entryOf(bob.token)).toEqual({ visible: true, segment: 'standard' });
    const outsider = await signInTestBorrower(t, 'shop', 'outsider');
    expect(await entryOf(outsider.token)).toEqual({ visible: false, reason: 'not_whitelisted' });
  });

  it('takes gzip uploads, activates on request, and refuses what is not CSV', async () => {
    const clean = `channel_user_id,segment,limit_fen\n${listed.map((id) => `${id},standard,`).join('\n')}\n`;
    const response = await importCsv('shop', gzipSync(clean), '?activate=true', {
      'content-encoding': 'gzip',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      activated: true,
      version: { version: 2, active: true, rowsAccepted: 200 },
    });
    const versions = (await admin('GET', '/shop/versions')).json().items;
    expect(versions.map((v: { version: number; active: boolean }) => [v.version, v.active])).toEqual([
      [2, true],
      [1, false],
    ]);
    const dropLive = await admin('DELETE', '/shop/versions/2');
    expect(dropLive.statusCode).toBe(409);
    expect((await admin('POST', '/shop/versions/1/activate')).statusCode).toBe(200);
    expect((await admin('DELETE', '/shop/versions/2')).json()).toMatchObject({ state: 'dropped' });

    const json = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/whitelists/shop/imports',
      headers: auth(operator),
      payload: { rows: [] },
    });
    expect(json.statusCode).toBe(415);
    const badHeader = await importCsv('shop', 'id,segment\nu,a\n');
    expect(badHeader.statusCode).toBe(400);
    expect(badHeader.json().error.message).toMatch(/header/);
    expect((await importCsv('nobody', file)).statusCode).toBe(404);
    // A body that says gzip and is not: the client's mistake, not a server error.
    const notGzip = await importCsv('shop', file, '', { 'content-encoding': 'gzip' });
    expect(notGzip.statusCode).toBe(400);
    expect(notGzip.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'The body is not valid gzip.',
    });
    // Other whitelist routes still only speak JSON.
    const csvElsewhere = await t.server.inject({
      method: 'PUT',
      url: '/api/v1/admin/whitelists/shop/kill-switch',
      headers: { ...auth(operator), 'content-type': 'text/csv' },
      payload: 'engaged\ntrue\n',
    });
    expect(csvElsewhere.statusCode).toBe(415);
  });

  it('rolls a segment out to a stable share of its users', async () => {
    const tokens = await Promise.all(listed.slice(0, 100).map((id) => signInTestBorrower(t, 'shop', id)));
    expect((await admin('PUT', '/shop/rollouts/prime', { percent: 30 })).json()).toEqual({
      segment: 'prime',
      percent: 30,
    });
    const first = await Promise.all(tokens.map((s) => entryOf(s.token)));
    const again = await Promise.all(tokens.map((s) => entryOf(s.token)));
    expect(again).toEqual(first);
    listed.slice(0, 100).forEach((id, i) => {
      const expected = rolloutBucket('shop', id) < 30;
      expect(first[i].visible).toBe(expected);
      if (!expected) expect(first[i].reason).toBe('rollout');
    });
    const shown = first.filter((e) => e.visible).length;
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(55);
    await admin('PUT', '/shop/rollouts/prime', { percent: 0 });
    expect((await entryOf(tokens[0]!.token)).reason).toBe('rollout');
    await admin('PUT', '/shop/rollouts/prime', { percent: 100 });
    expect((await entryOf(tokens[0]!.token)).visible).toBe(true);
    expect((await admin('GET', '/shop')).json().rollouts).toEqual([{ segment: 'prime', percent: 100 }]);
  });

  it('hides the entry at once with the channel or global kill switch, or when the channel is disabled', async () => {
    const user = await signInTestBorrower(t, 'shop', 'user-2');
    expect((await entryOf(user.token)).visible).toBe(true);

    expect(
      (await admin('PUT', '/shop/kill-switch', { engaged: true, reason: 'incident 42' })).json(),
    ).toMatchObject({
      engaged: true,
      reason: 'incident 42',
    });
    expect(await entryOf(user.token)).toEqual({ visible: false, reason: 'kill_switch' });
    await admin('PUT', '/shop/kill-switch', { engaged: false });
    expect((await entryOf(user.token)).visible).toBe(true);

    await admin('PUT', '/kill-switch', { engaged: true, reason: 'regulator call' });
    expect(await entryOf(user.token)).toEqual({ visible: false, reason: 'kill_switch' });
    expect((await admin('GET', '/kill-switch')).json()).toMatchObject({
      engaged: true,
      reason: 'regulator call',
    });
    await admin('PUT', '/kill-switch', { engaged: false });
    expect((await entryOf(user.token)).visible).toBe(true);

    await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/channels/shop/disable',
      headers: auth(operator),
      payload: { reason: 'paused' },
    });
    expect(await entryOf(user.token)).toEqual({ visible: false, reason: 'channel_disabled' });
    await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/channels/shop/enable',
      headers: auth(operator),
    });

    const finance = await t.signIn(['finance']);
    const denied = await t.server.inject({
      method: 'PUT',
      url: '/api/v1/admin/whitelists/kill-switch',
      headers: auth(finance),
      payload: { engaged: true },
    });
    expect(denied.statusCode).toBe(403);
    const actions = await t.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'whitelist.kill_switch%')
      .execute();
    expect(actions).toHaveLength(4);
  });

  it('needs a borrower session', async () => {
    const response = await t.server.inject({ method: 'GET', url: '/api/v1/borrower/entry' });
    expect(response.statusCode).toBe(401);
  });
});
