import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { signInTestBorrower } from '../channels/testing.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';

describe('entry for a whitelist keyed by salted phone hash', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('opens the entry once the borrower’s phone is in their profile, without the phone leaving the vault', async () => {
    const { token } = await signInTestBorrower(t, 'phonechan', 'user-77');
    const { service, importer } = t.app.services.whitelist;
    await service.setPhoneSalt('phonechan', 'salt-for-tests', SYSTEM_ACTOR);
    const hash = createHash('sha256').update('salt-for-tests13600001111').digest('hex');
    await importer.import('phonechan', [`phone_sha256,segment,limit_fen\n${hash},prime,3000000\n`], {
      actor: SYSTEM_ACTOR,
      source: 'seed',
      activate: true,
    });
    const entry = () =>
      t.server.inject({
        method: 'GET',
        url: '/api/v1/borrower/entry',
        headers: { authorization: `Bearer ${token}` },
      });

    expect((await entry()).json()).toMatchObject({ visible: false, reason: 'not_whitelisted' });
    const put = await t.server.inject({
      method: 'PUT',
      url: '/api/v1/borrower/profile',
      headers: { authorization: `Bearer ${token}` },
      payload: { phone: '13600001111' },
    });
    expect(put.statusCode).toBe(200);
    const answer = await entry();
    expect(answer.json()).toMatchObject({ visible: true, segment: 'prime', preApprovedLimitFen: 3_000_000 });
    expect(answer.body).not.toContain('13600001111');
  });
});
