import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import {
  lenderEncryptionKey,
  registeredLender,
  SAMPLE,
  shownAgreements,
  signedInBorrower,
} from './testing.ts';

type Headers = Record<string, string>;

describe('borrower API: profile, consents, releases, agreements', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const put = (headers: Headers, payload: unknown) =>
    t.server.inject({ method: 'PUT', url: '/api/v1/borrower/profile', headers, payload: payload as object });
  const get = (headers: Headers, url: string) => t.server.inject({ method: 'GET', url, headers });
  const postConsent = (headers: Headers, payload: object) =>
    t.server.inject({ method: 'POST', url: '/api/v1/borrower/consents', headers, payload });
  /** Consents to every text the lender has in force, in the version in force now. */
  const consentToAll = async (headers: Headers, lenderId: string, platform: string) =>
    postConsent(headers, { lenderId, agreements: await shownAgreements(t, lenderId), device: { platform } });
  /** Releases the borrower's `categories` to the lender, as an application's submission does. */
  const releaseTo = async (
    borrowerId: string,
    categories: readonly string[],
    lender: { readonly id: string; readonly code: string },
    requestId: string,
  ) => {
    const keys = await lenderEncryptionKey();
    return t.app.services.borrowers.vault.buildLenderPii(borrowerId, categories, keys.publicKey, {
      lenderId: lender.id,
      partnerId: lender.code,
      requestId,
    });
  };

  async function profileRowCount(borrowerId: string): Promise<number> {
    const rows = await t.database.db
      .selectFrom('borrower_profiles')
      .select('borrower_id')
      .where('borrower_id', '=', borrowerId)
      .execute();
    return rows.length;
  }

  it('refuses invalid fields naming each, and stores nothing', async () => {
    const me = await signedInBorrower(t);
    const badId = `${SAMPLE.idNumber.slice(0, 17)}${SAMPLE.idNumber[17] === '1' ? '2' : '1'}`;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ idNumber: badId }, 'body.idNumber', 'checksum does not match'],
      [{ idNumber: '110105199002301234' }, 'body.idNumber', 'does not contain a valid birth date'],
      [{ bankCard: '4111111111111112' }, 'body.bankCard', 'checksum (Luhn) does not match'],
      [
        { phone: '12812345678' },
        'body.phone',
        'must be an 11-digit mainland mobile number starting with 13–19',
      ],
      [
        { contacts: [{ name: '李四', phone: '139', relation: 'spouse' }] },
        'body.contacts.0.phone',
        'must be',
      ],
      [
        { contacts: [{ name: '李四', phone: '13900001111', relation: 'boss' }] },
        'body.contacts.0.relation',
        'must be',
      ],
      [{ name: '张三', extra: 1 }, 'body.extra', 'is not a known field'],
    ];
    for (const [payload, field, message] of cases) {
      const response = await put(me.headers, { name: SAMPLE.name, ...payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const { error } = response.json();
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details.fields).toContainEqual({ field, message: expect.stringContaining(message) });
      // The refusal never echoes a value.
      for (const value of Object.values(payload)) {
        if (typeof value === 'string' && value.length > 4) expect(response.body).not.toContain(value);
      }
    }
    expect(await profileRowCount(me.borrowerId)).toBe(0);
    expect((await put(me.headers, {})).statusCode).toBe(400);
  });

  it('stores a valid profile and answers masked, on PUT and GET; partial updates keep the rest', async () => {
    const me = await signedInBorrower(t);
    const response = await put(me.headers, { ...SAMPLE, phone: '138 1234 5678' });
    expect(response.statusCode).toBe(200);
    const masked = {
      name: '张**',
      idNumber: `110***********${SAMPLE.idNumber.slice(-4)}`,
      phone: '138****5678',
      bankCard: `6222 **** **** ${SAMPLE.bankCard.slice(-4)}`,
      contacts: [{ name: '李*', phone: '139****1111', relation: 'spouse' }],
    };
    expect(response.json()).toMatchObject(masked);
    for (const value of [SAMPLE.idNumber, SAMPLE.phone, SAMPLE.bankCard, SAMPLE.name]) {
      expect(response.body).not.toContain(value);
    }
    expect((await get(me.headers, '/api/v1/borrower/profile')).json()).toMatchObject(masked);

    const partial = await put(me.headers, { bankCard: null, phone: '13700001234' });
    expect(partial.json()).toMatchObject({ ...masked, bankCard: null, phone: '137****1234' });

    // Nothing in any raw row of the vault's tables.
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM borrower_profiles`.execute(
      t.database.db,
    );
    const dump = JSON.stringify(rows);
    for (const value of [
      SAMPLE.idNumber,
      SAMPLE.phone,
      '13700001234',
      SAMPLE.bankCard,
      SAMPLE.name,
      '李四',
      '13900001111',
    ]) {
      expect(dump).not.toContain(value);
    }
  });

  it('shows an empty profile as nulls, and needs a borrower session', async () => {
    const me = await signedInBorrower(t);
    expect((await get(me.headers, '/api/v1/borrower/profile')).json()).toEqual({
      name: null,
      idNumber: null,
      phone: null,
      bankCard: null,
      contacts: null,
      updatedAt: null,
    });
    expect((await get({}, '/api/v1/borrower/profile')).statusCode).toBe(401);
  });

  it('publishes agreement texts publicly; consent, list, withdraw; only one’s own', async () => {
    const lender = await registeredLender(t, { loanAgreement: true });
    const texts = await t.server.inject({ method: 'GET', url: `/api/v1/agreements?lenderId=${lender.id}` });
    expect(texts.statusCode).toBe(200);
    const items = texts.json().items as {
      id: string;
      kind: string;
      version: number;
      text: string;
      textSha256: string;
    }[];
    expect(items.map((i) => i.kind)).toEqual([
      'platform_service',
      'pi_authorization',
      'lender_loan_agreement',
    ]);
    const authorization = items.find((i) => i.kind === 'pi_authorization')!;
    expect(authorization.text).toContain(lender.legalName);
    expect(authorization.text).toContain('王经理');
    expect(authorization.text).toContain('保存期限');

    const me = await signedInBorrower(t, 'maps');
    const other = await signedInBorrower(t);
    const shown = items.map((i) => ({ id: i.id, version: i.version }));

    // Every text in force must be accepted, in the version shown.
    const missing = await postConsent(me.headers, {
      lenderId: lender.id,
      agreements: shown.slice(0, 2),
      device: { platform: 'ios' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details.fields).toContainEqual({
      field: 'body.agreements',
      message: 'must include the lender_loan_agreement in force (v1)',
    });
    const stale = await postConsent(me.headers, {
      lenderId: lender.id,
      agreements: [...shown.slice(0, 2), { ...shown[2]!, version: 2 }],
      device: { platform: 'ios' },
    });
    expect(stale.json().error.details.fields[0].field).toBe('body.agreements.2.version');

    const given = await t.server.inject({
      method: 'POST',
      url: '/api/v1/borrower/consents',
      headers: { ...me.headers, 'user-agent': 'HostApp/1.0' },
      payload: {
        lenderId: lender.id,
        agreements: shown,
        device: { platform: 'ios', model: 'iPhone 15', appVersion: '3.2.1' },
      },
    });
    expect(given.statusCode).toBe(201);
    const consent = given.json();
    expect(consent).toMatchObject({
      lenderId: lender.id,
      lenderName: lender.legalName,
      partnerId: lender.code,
      channel: 'maps',
      status: 'active',
      categories: ['name', 'id_number', 'phone', 'bank_card', 'contacts'],
      device: { platform: 'ios', model: 'iPhone 15', appVersion: '3.2.1', userAgent: 'HostApp/1.0' },
    });
    expect(consent.agreements.find((a: { kind: string }) => a.kind === 'pi_authorization')).toEqual({
      agreementId: authorization.id,
      kind: 'pi_authorization',
      version: 1,
      textSha256: authorization.textSha256,
    });
    // The same consent again is not a second one.
    const again = await postConsent(me.headers, {
      lenderId: lender.id,
      agreements: shown,
      device: { platform: 'ios' },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(consent.id);

    // Another borrower sees none of it and cannot withdraw it.
    expect((await get(other.headers, '/api/v1/borrower/consents')).json().items).toEqual([]);
    const foreign = await t.server.inject({
      method: 'DELETE',
      url: `/api/v1/borrower/consents/${consent.id}`,
      headers: other.headers,
    });
    expect(foreign.statusCode).toBe(404);
    expect((await get(me.headers, '/api/v1/borrower/consents')).json().items[0].status).toBe('active');

    const withdrawn = await t.server.inject({
      method: 'DELETE',
      url: `/api/v1/borrower/consents/${consent.id}`,
      headers: me.headers,
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toMatchObject({ id: consent.id, status: 'withdrawn' });
    const twice = await t.server.inject({
      method: 'DELETE',
      url: `/api/v1/borrower/consents/${consent.id}`,
      headers: me.headers,
    });
    expect(twice.json().status).toBe('withdrawn');

    // A consent row is evidence: the database lets it end once and change in no other way.
    await expect(
      sql`UPDATE borrower_consents SET channel_code = 'x' WHERE id = ${consent.id}`.execute(t.database.db),
    ).rejects.toThrow(/ended, once/);
  });

  it('a new text version supersedes the consent when given again', async () => {
    const lender = await registeredLender(t);
    const me = await signedInBorrower(t);
    const give = () => consentToAll(me.headers, lender.id, 'web');
    const first = (await give()).json();
    await t.app.services.borrowers.agreements.publishPiAuthorization(
      lender.id,
      { categories: ['name', 'phone'], purpose: '贷款审核（第二版）', retention: '3年' },
      { type: 'system', id: null },
    );
    const second = await give();
    expect(second.statusCode).toBe(201);
    expect(second.json().categories).toEqual(['name', 'phone']);
    const list = (await get(me.headers, '/api/v1/borrower/consents')).json().items;
    expect(list.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      [second.json().id, 'active'],
      [first.id, 'superseded'],
    ]);
  });

  it('lists what was shared with whom, only one’s own; deletion keeps the log and shreds the profile', async () => {
    const lender = await registeredLender(t);
    const me = await signedInBorrower(t);
    const other = await signedInBorrower(t);
    await put(me.headers, { ...SAMPLE });
    await consentToAll(me.headers, lender.id, 'android');
    await releaseTo(me.borrowerId, ['name', 'id_number'], lender, 'apply-http-1');
    const mine = await get(me.headers, '/api/v1/borrower/data-releases');
    expect(mine.json()).toMatchObject({
      items: [{ lenderId: lender.id, lenderName: lender.legalName, categories: ['name', 'id_number'] }],
      nextCursor: null,
    });
    expect((await get(other.headers, '/api/v1/borrower/data-releases')).json().items).toEqual([]);

    const deleted = await t.server.inject({
      method: 'DELETE',
      url: '/api/v1/borrower/profile',
      headers: me.headers,
    });
    expect(deleted.json()).toEqual({ deleted: true, consentsEnded: 1 });
    expect((await get(me.headers, '/api/v1/borrower/profile')).json().idNumber).toBeNull();
    expect((await get(me.headers, '/api/v1/borrower/data-releases')).json().items).toHaveLength(1);
    expect((await get(me.headers, '/api/v1/borrower/consents')).json().items[0].status).toBe(
      'profile_deleted',
    );
  });

  it('compliance staff search consents and releases, verify the chain, publish texts; others may not', async () => {
    const lender = await registeredLender(t);
    const me = await signedInBorrower(t);
    await put(me.headers, { ...SAMPLE });
    await consentToAll(me.headers, lender.id, 'ios');
    await releaseTo(me.borrowerId, ['phone'], lender, 'apply-ops-1');

    const compliance = { authorization: `Bearer ${await t.signIn(['compliance'])}` };
    const operator = { authorization: `Bearer ${await t.signIn(['operator'])}` };
    expect((await get(operator, '/api/v1/admin/compliance/consents')).statusCode).toBe(403);

    const consents = await get(compliance, `/api/v1/admin/compliance/consents?borrowerId=${me.borrowerId}`);
    expect(consents.json().items).toHaveLength(1);
    expect(consents.json().items[0]).toMatchObject({
      borrowerId: me.borrowerId,
      lenderId: lender.id,
      status: 'active',
    });
    const byLender = await get(compliance, `/api/v1/admin/compliance/data-releases?lenderId=${lender.id}`);
    expect(byLender.json().items).toEqual([
      expect.objectContaining({
        borrowerId: me.borrowerId,
        seq: 1,
        categories: ['phone'],
        requestId: 'apply-ops-1',
      }),
    ]);
    for (const body of [consents.body, byLender.body]) {
      for (const value of [SAMPLE.phone, SAMPLE.idNumber, SAMPLE.name, SAMPLE.bankCard])
        expect(body).not.toContain(value);
    }

    const verify = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/compliance/release-chain/verify',
      headers: compliance,
      payload: {},
    });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ ok: true, problems: [] });
    expect(verify.json().entries).toBeGreaterThanOrEqual(1);
    // The run is audited in the operator's name, with its outcome and under the request's id.
    const audited = await get(compliance, '/api/v1/admin/audit?action=release_chain.verify');
    expect(audited.json().items).toEqual([
      expect.objectContaining({
        actorType: 'operator',
        requestId: verify.headers['x-request-id'],
        details: { borrowerId: null, ok: true, chains: verify.json().chains, entries: verify.json().entries },
      }),
    ]);

    const published = await t.server.inject({
      method: 'POST',
      url: `/api/v1/admin/compliance/lenders/${lender.id}/pi-authorization`,
      headers: compliance,
      payload: { categories: ['phone', 'name'], purpose: '贷款审核', retention: '5年' },
    });
    expect(published.statusCode).toBe(201);
    expect(published.json()).toMatchObject({
      kind: 'pi_authorization',
      version: 2,
      categories: ['name', 'phone'],
    });
    const platform = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/compliance/agreements',
      headers: compliance,
      payload: { kind: 'lender_loan_agreement', title: 't', text: 'x' },
    });
    expect(platform.statusCode).toBe(400);
    expect(platform.json().error.details.fields).toEqual([
      { field: 'lenderId', message: 'is required for a lender_loan_agreement' },
    ]);
  });

  it('a borrower who consented to one lender is refused for another', async () => {
    const a = await registeredLender(t);
    const b = await registeredLender(t);
    const me = await signedInBorrower(t);
    await put(me.headers, { ...SAMPLE });
    await consentToAll(me.headers, a.id, 'ios');
    // The texts of lender A do not make a consent to lender B.
    const cross = await postConsent(me.headers, {
      lenderId: b.id,
      agreements: await shownAgreements(t, a.id),
      device: { platform: 'ios' },
    });
    expect(cross.statusCode).toBe(400);
    await expect(releaseTo(me.borrowerId, ['phone'], b, 'x')).rejects.toMatchObject({
      code: 'CONSENT_REQUIRED',
    });
  });
});
