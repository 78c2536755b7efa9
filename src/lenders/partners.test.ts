import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { auth, bankBody, createLender, moveLender, patchLender, tableCounts, uniqueCode } from './testing.ts';

const URL = '/api/v1/admin/lenders';

describe('partner registry over HTTP', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let finance: string;
  let compliance: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.signIn(['admin']);
    operator = await t.signIn(['operator']);
    finance = await t.signIn(['finance']);
    compliance = await t.signIn(['compliance']);
  });
  afterAll(async () => t.close());

  it('registers a partner as applied, normalized, with its first history entry and an audit entry', async () => {
    const response = await t.server.inject({
      method: 'POST',
      url: URL,
      headers: auth(operator),
      payload: bankBody({
        ipAllowList: ['203.0.113.0/24', '2001:DB8::/32', '203.0.113.0/24', '198.51.100.7'],
      }),
    });
    expect(response.statusCode).toBe(201);
    const requestId = String(response.headers['x-request-id']);
    const lender = response.json();
    expect(lender.status).toBe('applied');
    expect(lender.ipAllowList).toEqual(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32']);
    expect(lender.callbackBaseUrl).toBe('https://api.bank.example/lendgate');
    expect(lender.timeouts).toEqual({
      preCheckMs: 1000,
      applyMs: 10000,
      drawdownMs: 10000,
      repayMs: 10000,
      statusQueryMs: 5000,
    });
    expect(lender.funders).toEqual([]);

    const history = await t.server.inject({
      method: 'GET',
      url: `${URL}/${lender.id}/status-history`,
      headers: auth(finance),
    });
    expect(history.json().items).toMatchObject([{ from: null, to: 'applied', requestId }]);

    const audit = await t.server.inject({
      method: 'GET',
      url: `/api/v1/admin/audit?action=lender.create&targetId=${lender.id}`,
      headers: auth(admin),
    });
    expect(audit.json().items).toMatchObject([{ actorType: 'operator', requestId }]);
    // Contact data of the partner's staff is personal data: the audit log names no contact values.
    expect(JSON.stringify(audit.json().items)).not.toContain('王经理');
  });

  it('refuses a bad CIDR, URL or missing license with each field named, leaving nothing behind', async () => {
    const before = await tableCounts(t);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ ipAllowList: ['10.0.0.0/8', '10.0.0.1/8'] }, ['ipAllowList.1']],
      [{ ipAllowList: ['2001:db8::/129'] }, ['ipAllowList.0']],
      [{ callbackBaseUrl: 'ftp://files.bank.example' }, ['callbackBaseUrl']],
      [{ callbackBaseUrl: 'https://user:pw@bank.example' }, ['callbackBaseUrl']],
      [{ callbackBaseUrl: 'not a url at all' }, ['callbackBaseUrl']],
      [{ licenseType: undefined, licenseNumber: null }, ['licenseType', 'licenseNumber']],
      [{ contact: { name: 'A', email: 'nope', phone: 'abc123' } }, ['contact.email', 'contact.phone']],
      [
        { securityCertification: { level: '等保三级', certificateNumber: 'X', expiresOn: '2026-02-30' } },
        ['body.securityCertification.expiresOn'],
      ],
      [{ timeouts: { preCheckMs: 10_000 } }, ['body.timeouts.preCheckMs']],
      [{ dailyApplicationQuota: -1 }, ['body.dailyApplicationQuota']],
      [{ code: 'Bad Code' }, ['body.code']],
    ];
    for (const [overrides, fields] of cases) {
      const response = await t.server.inject({
        method: 'POST',
        url: URL,
        headers: auth(operator),
        payload: bankBody(overrides),
      });
      expect(response.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
      // Every named field is reported (a nullable object's schema may add its own line too).
      expect(response.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(
        expect.arrayContaining(fields),
      );
    }
    expect(await tableCounts(t)).toEqual(before);
  });

  it('refuses a second partner with the same code', async () => {
    const body = bankBody();
    await createLender(t, operator, body);
    const again = await t.server.inject({
      method: 'POST',
      url: URL,
      headers: auth(operator),
      payload: { ...body },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CONFLICT');
  });

  describe('facilitators and their funders', () => {
    it('refuses a facilitator without a funder, and a licensed partner that names one', async () => {
      const before = await tableCounts(t);
      const none = await t.server.inject({
        method: 'POST',
        url: URL,
        headers: auth(operator),
        payload: bankBody({ kind: 'facilitator', licenseType: null, licenseNumber: null, funders: [] }),
      });
      expect(none.statusCode).toBe(400);
      expect(none.json().error.details.fields).toEqual([
        { field: 'funders', message: 'a facilitator must name at least one licensed funder' },
      ]);
      const bankWithFunder = await t.server.inject({
        method: 'POST',
        url: URL,
        headers: auth(operator),
        payload: bankBody({ funders: [{ kind: 'bank', legalName: 'X 银行', licenseNumber: 'L1' }] }),
      });
      expect(bankWithFunder.statusCode).toBe(400);
      expect(bankWithFunder.json().error.details.fields[0].field).toBe('funders');
      expect(await tableCounts(t)).toEqual(before);
    });

    it('refuses a funder that is unknown, a facilitator, or incomplete, leaving nothing behind', async () => {
      const other = await createLender(
        t,
        operator,
        bankBody({
          kind: 'facilitator',
          licenseType: null,
          licenseNumber: null,
          funders: [{ kind: 'micro_loan', legalName: '某小贷', licenseNumber: 'ML-1' }],
        }),
      );
      const before = await tableCounts(t);
      const cases: [unknown[], string][] = [
        [[{ lenderId: '00000000-0000-4000-8000-000000000000' }], 'funders.0.lenderId'],
        [[{ lenderId: other.id }], 'funders.0.lenderId'],
        [[{ kind: 'bank', legalName: '某银行' }], 'funders.0.licenseNumber'],
        [
          [
            { kind: 'bank', legalName: 'A', licenseNumber: 'L' },
            { kind: 'bank', legalName: 'B', licenseNumber: 'L' },
          ],
          'funders.1',
        ],
      ];
      for (const [funders, field] of cases) {
        const response = await t.server.inject({
          method: 'POST',
          url: URL,
          headers: auth(operator),
          payload: bankBody({ kind: 'facilitator', licenseType: null, licenseNumber: null, funders }),
        });
        expect(response.statusCode, JSON.stringify(funders)).toBe(400);
        expect(response.json().error.details.fields[0].field).toBe(field);
      }
      expect(await tableCounts(t)).toEqual(before);
    });

    it('registers a facilitator funded by a registered bank and by a named funder', async () => {
      const bank = await createLender(
        t,
        operator,
        bankBody({ legalName: '星辰银行', licenseNumber: 'B-STAR' }),
      );
      const facilitator = await createLender(
        t,
        operator,
        bankBody({
          kind: 'facilitator',
          licenseType: null,
          licenseNumber: null,
          funders: [
            { lenderId: bank.id },
            { kind: 'consumer_finance', legalName: '某消费金融', licenseNumber: 'CF-9' },
          ],
        }),
      );
      expect(facilitator.funders).toMatchObject([
        { lenderId: bank.id, kind: 'bank', legalName: '星辰银行', licenseNumber: 'B-STAR' },
        { lenderId: null, kind: 'consumer_finance', legalName: '某消费金融', licenseNumber: 'CF-9' },
      ]);
      // Replacing the list keeps a funder still named (same id) and drops the other.
      const updated = await patchLender(t, operator, facilitator.id, { funders: [{ lenderId: bank.id }] });
      expect(updated.statusCode).toBe(200);
      expect(updated.json().funders).toEqual([facilitator.funders[0]]);
    });
  });

  describe('the life cycle', () => {
    it('walks applied → under_review → sandbox, refuses active without a passed run, then activates', async () => {
      const lender = await createLender(t, operator, bankBody());
      expect((await moveLender(t, operator, lender.id, 'active')).json().error).toMatchObject({
        code: 'CONFLICT',
        details: { from: 'applied', to: 'active', allowed: ['under_review'] },
      });
      expect(
        (await moveLender(t, operator, lender.id, 'under_review', 'documents received')).statusCode,
      ).toBe(200);
      expect((await moveLender(t, operator, lender.id, 'sandbox', 'review passed')).statusCode).toBe(200);

      const notRun = await moveLender(t, operator, lender.id, 'active');
      expect(notRun.statusCode).toBe(409);
      expect(notRun.json().error).toMatchObject({
        code: 'LENDER_NOT_CONFORMANT',
        details: { latestConformancePassed: null },
      });

      const partners = t.app.services.lenders.partners;
      const startedAt = new Date(Date.now() - 60_000);
      await partners.recordConformanceRun(
        {
          lenderId: lender.id,
          startedAt,
          finishedAt: new Date(),
          passed: false,
          report: { failed: ['callback-retry'] },
        },
        SYSTEM_ACTOR,
      );
      const failed = await moveLender(t, operator, lender.id, 'active');
      expect(failed.json().error).toMatchObject({
        code: 'LENDER_NOT_CONFORMANT',
        details: { latestConformancePassed: false },
      });

      await partners.recordConformanceRun(
        {
          lenderId: lender.id,
          startedAt,
          finishedAt: new Date(Date.now() + 1),
          passed: true,
          report: { checks: 42 },
        },
        SYSTEM_ACTOR,
      );
      const active = await moveLender(t, operator, lender.id, 'active', 'conformance passed');
      expect(active.statusCode).toBe(200);
      expect(active.json().status).toBe('active');
      expect(await partners.acceptsApplications(lender.id)).toBe(true);

      // Suspension stops new applications at once.
      expect(
        (await moveLender(t, operator, lender.id, 'suspended', 'complaint under investigation')).statusCode,
      ).toBe(200);
      expect(await partners.acceptsApplications(lender.id)).toBe(false);
      expect((await moveLender(t, operator, lender.id, 'active', 'resolved')).statusCode).toBe(200);
      expect(await partners.acceptsApplications(lender.id)).toBe(true);
      expect((await moveLender(t, operator, lender.id, 'terminated', 'contract ended')).statusCode).toBe(200);
      expect(await partners.acceptsApplications(lender.id)).toBe(false);

      const history = await t.server.inject({
        method: 'GET',
        url: `${URL}/${lender.id}/status-history`,
        headers: auth(compliance),
      });
      expect(
        history
          .json()
          .items.map((h: { from: string | null; to: string; reason: string }) => [h.from, h.to, h.reason]),
      ).toEqual([
        [null, 'applied', 'application registered'],
        ['applied', 'under_review', 'documents received'],
        ['under_review', 'sandbox', 'review passed'],
        ['sandbox', 'active', 'conformance passed'],
        ['active', 'suspended', 'complaint under investigation'],
        ['suspended', 'active', 'resolved'],
        ['active', 'terminated', 'contract ended'],
      ]);

      const firstPage = await t.server.inject({
        method: 'GET',
        url: `${URL}/${lender.id}/status-history?limit=4`,
        headers: auth(compliance),
      });
      expect(firstPage.json().items).toHaveLength(4);
      const secondPage = await t.server.inject({
        method: 'GET',
        url: `${URL}/${lender.id}/status-history?limit=4&cursor=${firstPage.json().nextCursor}`,
        headers: auth(compliance),
      });
      expect(secondPage.json().items.map((h: { to: string }) => h.to)).toEqual([
        'suspended',
        'active',
        'terminated',
      ]);
      expect(secondPage.json().nextCursor).toBeNull();

      const runs = await t.server.inject({
        method: 'GET',
        url: `${URL}/${lender.id}/conformance-runs`,
        headers: auth(finance),
      });
      expect(runs.json().items.map((r: { passed: boolean }) => r.passed)).toEqual([true, false]);
      expect(runs.json().items[1].report).toEqual({ failed: ['callback-retry'] });

      const audit = await t.server.inject({
        method: 'GET',
        url: `/api/v1/admin/audit?action=lender.status_change&targetId=${lender.id}`,
        headers: auth(admin),
      });
      expect(audit.json().items).toHaveLength(6);
    });

    it('refuses every move out of terminated and writes no history for a refusal', async () => {
      const lender = await createLender(t, operator, bankBody());
      await moveLender(t, operator, lender.id, 'under_review');
      await moveLender(t, operator, lender.id, 'terminated', 'withdrew application');
      const before = await tableCounts(t);
      for (const to of ['applied', 'under_review', 'sandbox', 'active', 'suspended', 'terminated']) {
        const response = await moveLender(t, operator, lender.id, to);
        expect(response.statusCode).toBe(409);
        expect(response.json().error.details).toMatchObject({ from: 'terminated', allowed: [] });
      }
      expect(await tableCounts(t)).toEqual(before);
      const edit = await patchLender(t, operator, lender.id, { dailyApplicationQuota: 5 });
      expect(edit.statusCode).toBe(409);
      await expect(
        t.app.services.lenders.partners.recordConformanceRun(
          { lenderId: lender.id, startedAt: new Date(), finishedAt: new Date(), passed: true, report: {} },
          SYSTEM_ACTOR,
        ),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('refuses activation without a contract or with an expired certification', async () => {
      const lender = await createLender(
        t,
        operator,
        bankBody({
          contractReference: null,
          securityCertification: { level: '等保三级', certificateNumber: 'OLD', expiresOn: '2020-01-01' },
        }),
      );
      await moveLender(t, operator, lender.id, 'under_review');
      await moveLender(t, operator, lender.id, 'sandbox');
      await t.app.services.lenders.partners.recordConformanceRun(
        { lenderId: lender.id, startedAt: new Date(), finishedAt: new Date(), passed: true, report: {} },
        SYSTEM_ACTOR,
      );
      const refused = await moveLender(t, operator, lender.id, 'active');
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.details.missing).toEqual(['contractReference', 'securityCertification']);
      await patchLender(t, operator, lender.id, {
        contractReference: 'HT-2026-001',
        securityCertification: { level: '等保三级', certificateNumber: 'NEW', expiresOn: '2099-01-01' },
      });
      expect((await moveLender(t, operator, lender.id, 'active')).statusCode).toBe(200);
    });

    it('refuses a blank reason and an unknown partner', async () => {
      const lender = await createLender(t, operator, bankBody());
      const blank = await moveLender(t, operator, lender.id, 'under_review', '   ');
      expect(blank.statusCode).toBe(400);
      expect(blank.json().error.details.fields[0].field).toBe('reason');
      const unknown = await moveLender(t, operator, '00000000-0000-4000-8000-000000000000', 'under_review');
      expect(unknown.statusCode).toBe(404);
      const notUuid = await t.server.inject({
        method: 'GET',
        url: `${URL}/not-a-uuid`,
        headers: auth(operator),
      });
      expect(notUuid.statusCode).toBe(400);
    });
  });

  describe('updates', () => {
    it('changes the record, keeps what was not sent, and refuses clearing a required license', async () => {
      const lender = await createLender(t, operator, bankBody());
      const response = await patchLender(t, operator, lender.id, {
        dailyApplicationQuota: 0,
        ipAllowList: [],
        timeouts: { applyMs: 20_000 },
        contact: { phone: '400-800-1234' },
      });
      expect(response.statusCode).toBe(200);
      const updated = response.json();
      expect(updated).toMatchObject({
        dailyApplicationQuota: 0,
        ipAllowList: [],
        timeouts: { preCheckMs: 1000, applyMs: 20_000 },
        contact: { name: '王经理', phone: '400-800-1234' },
        licenseType: '金融许可证',
      });

      const before = await tableCounts(t);
      const clear = await patchLender(t, operator, lender.id, {
        licenseNumber: null,
        callbackBaseUrl: 'https://bank.example/cb?x=1',
      });
      expect(clear.statusCode).toBe(400);
      expect(clear.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual([
        'licenseNumber',
        'callbackBaseUrl',
      ]);
      const after = await t.server.inject({
        method: 'GET',
        url: `${URL}/${lender.id}`,
        headers: auth(finance),
      });
      expect(after.json()).toEqual(updated);
      expect(await tableCounts(t)).toEqual(before);

      const empty = await patchLender(t, operator, lender.id, {});
      expect(empty.statusCode).toBe(400);
      const kind = await patchLender(t, operator, lender.id, { kind: 'micro_loan' });
      expect(kind.json().error.details.fields[0].field).toBe('body.kind');
    });
  });

  describe('roles', () => {
    it('lets every staff role read, and only admins and operators write', async () => {
      const body = bankBody();
      for (const token of [finance, compliance]) {
        const created = await t.server.inject({
          method: 'POST',
          url: URL,
          headers: auth(token),
          payload: body,
        });
        expect(created.statusCode).toBe(403);
        expect(created.json().error.code).toBe('FORBIDDEN');
      }
      const lender = await createLender(t, admin, body);
      for (const token of [finance, compliance]) {
        expect((await moveLender(t, token, lender.id, 'under_review')).statusCode).toBe(403);
        const patch = await patchLender(t, token, lender.id, { dailyApplicationQuota: 1 });
        expect(patch.statusCode).toBe(403);
        for (const path of ['', '/status-history', '/conformance-runs', '/products', '/keys']) {
          const read = await t.server.inject({
            method: 'GET',
            url: `${URL}/${lender.id}${path}`,
            headers: auth(token),
          });
          expect(read.statusCode, path).toBe(200);
        }
      }
      expect((await t.server.inject({ method: 'GET', url: URL })).statusCode).toBe(401);
    });
  });

  describe('listing', () => {
    it('pages newest first with a cursor, filters by kind and status, and refuses a forged cursor', async () => {
      const prefix = uniqueCode('page');
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        created.push(
          (await createLender(t, operator, bankBody({ code: `${prefix}-${i}`, kind: 'micro_loan' }))).id,
        );
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `kind=micro_loan&status=applied&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await t.server.inject({ method: 'GET', url: `${URL}?${query}`, headers: auth(finance) });
        expect(page.statusCode).toBe(200);
        const json = page.json();
        expect(json.items.length).toBeLessThanOrEqual(2);
        seen.push(...json.items.map((item: { id: string; kind: string }) => item.id));
        for (const item of json.items) expect(item.kind).toBe('micro_loan');
        cursor = json.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual([...created].reverse());

      const forged = await t.server.inject({
        method: 'GET',
        url: `${URL}?cursor=garbage`,
        headers: auth(finance),
      });
      expect(forged.statusCode).toBe(400);
      expect(forged.json().error.details.fields[0].field).toBe('cursor');
    });
  });
});
