import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { auth, bankBody, createLender, productBody, tableCounts } from './testing.ts';

describe('partner products over HTTP', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let finance: string;
  let bank: { id: string };
  let facilitator: { id: string; funders: { id: string }[] };
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.signIn(['admin']);
    operator = await t.signIn(['operator']);
    finance = await t.signIn(['finance']);
    bank = await createLender(t, operator, bankBody({ legalName: '青岚银行', licenseNumber: 'B-QL' }));
    facilitator = await createLender(
      t,
      operator,
      bankBody({
        kind: 'facilitator',
        licenseType: null,
        licenseNumber: null,
        funders: [{ lenderId: bank.id }],
      }),
    );
  });
  afterAll(async () => t.close());

  const url = (lenderId: string, rest = '') => `/api/v1/admin/lenders/${lenderId}/products${rest}`;
  const create = (lenderId: string, body: Record<string, unknown>, token = operator) =>
    t.server.inject({
      method: 'POST',
      url: url(lenderId),
      headers: auth(token),
      payload: body,
    });
  const move = (lenderId: string, productId: string, to: string) =>
    t.server.inject({
      method: 'POST',
      url: url(lenderId, `/${productId}/status`),
      headers: auth(operator),
      payload: { to, reason: 'review' },
    });
  const refusalsFor = async (requestId: string) => {
    const audit = await t.server.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?action=lender_product.apr_refused&limit=500',
      headers: auth(admin),
    });
    return audit.json().items.filter((item: { requestId: string }) => item.requestId === requestId);
  };

  it('creates a draft product with normalized terms; the partner itself is the funder', async () => {
    const response = await create(bank.id, productBody({ dayCount: 'ACT/365' }));
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      status: 'draft',
      aprMin: '0.072000',
      aprMax: '0.180000',
      termsMonths: [3, 6, 12],
      repaymentMethods: ['equal_installment', 'equal_principal'],
      dataCategories: ['name', 'id_number', 'phone', 'bank_card'],
      dayCount: 'ACT/365',
      funder: { funderId: null, legalName: '青岚银行', licenseNumber: 'B-QL' },
    });
  });

  it('accepts exactly 3.6% and exactly 24%', async () => {
    const response = await create(bank.id, productBody({ aprMin: '0.036', aprMax: '0.24' }));
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ aprMin: '0.036000', aprMax: '0.240000' });
  });

  it('refuses a product above 24% with APR_CAP_EXCEEDED, records the refusal, and stores nothing', async () => {
    const before = await tableCounts(t);
    // More than 6 places is refused as malformed before the cap: numeric(8,6) would round it to 0.24.
    const tooPrecise = await create(bank.id, productBody({ aprMax: '0.24000001' }), operator);
    expect(tooPrecise.statusCode).toBe(400);
    expect(tooPrecise.json().error.details.fields[0].field).toBe('body.aprMax');
    const over = await create(bank.id, productBody({ aprMax: '0.360' }), operator);
    // The request id is the server's own: the one the answer carries is the one the audit keeps.
    const overId = String(over.headers['x-request-id']);
    expect(over.statusCode).toBe(422);
    expect(over.json().error).toMatchObject({
      code: 'APR_CAP_EXCEEDED',
      requestId: overId,
      details: { field: 'aprMax', limit: '0.240000', apr: '0.360', fields: [{ field: 'aprMax' }] },
    });
    expect(over.json().error.message).toMatch(/36% is above the 24% all-in cap/);
    const audited = await refusalsFor(overId);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      actorType: 'operator',
      targetType: 'lender',
      targetId: bank.id,
      details: {
        errorCode: 'APR_CAP_EXCEEDED',
        field: 'aprMax',
        apr: '0.360',
        limit: '0.240000',
        operation: 'create',
      },
    });
    const after = await tableCounts(t);
    expect(after).toEqual(before);
  });

  it('refuses a product below 3.6% with APR_BELOW_FLOOR naming aprMin, and records it', async () => {
    const before = await tableCounts(t);
    const response = await create(bank.id, productBody({ aprMin: '0.035' }), operator);
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({
      code: 'APR_BELOW_FLOOR',
      details: { field: 'aprMin', limit: '0.036000', apr: '0.035' },
    });
    expect(await refusalsFor(String(response.headers['x-request-id']))).toHaveLength(1);
    expect(await tableCounts(t)).toEqual(before);
  });

  it('refuses an edit that breaches the cap, records it, and leaves the product as it was', async () => {
    const created = (await create(bank.id, productBody())).json();
    await move(bank.id, created.id, 'in_review');
    const response = await t.server.inject({
      method: 'PATCH',
      url: url(bank.id, `/${created.id}`),
      headers: auth(operator),
      payload: { aprMax: '0.2401', name: 'renamed' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('APR_CAP_EXCEEDED');
    const audited = await refusalsFor(String(response.headers['x-request-id']));
    expect(audited[0]).toMatchObject({
      targetType: 'lender_product',
      targetId: created.id,
      details: { operation: 'update' },
    });
    const now = await t.server.inject({
      method: 'GET',
      url: url(bank.id, `/${created.id}`),
      headers: auth(finance),
    });
    expect(now.json()).toMatchObject({ name: created.name, aprMax: '0.180000', status: 'in_review' });
  });

  it('refuses an inverted APR or amount range, naming the field', async () => {
    const apr = await create(bank.id, productBody({ aprMin: '0.2', aprMax: '0.1' }));
    expect(apr.statusCode).toBe(400);
    expect(apr.json().error.details.fields[0].field).toBe('aprMin');
    const amount = await create(bank.id, productBody({ amountMinFen: 500, amountMaxFen: 100 }));
    expect(amount.json().error.details.fields[0].field).toBe('amountMinFen');
  });

  it('requires a facilitator’s product to name one of its own funders', async () => {
    const before = await tableCounts(t);
    const missing = await create(facilitator.id, productBody());
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details.fields[0].field).toBe('funderId');
    const foreign = await create(
      facilitator.id,
      productBody({ funderId: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(foreign.json().error.details.fields[0]).toEqual({
      field: 'funderId',
      message: 'is not one of this facilitator’s funders',
    });
    const onBank = await create(bank.id, productBody({ funderId: facilitator.funders[0]!.id }));
    expect(onBank.json().error.details.fields[0].field).toBe('funderId');
    expect(await tableCounts(t)).toEqual(before);

    const ok = await create(facilitator.id, productBody({ funderId: facilitator.funders[0]!.id }));
    expect(ok.statusCode).toBe(201);
    expect(ok.json().funder).toEqual({
      funderId: facilitator.funders[0]!.id,
      legalName: '青岚银行',
      licenseNumber: 'B-QL',
    });

    // A funder that a product names cannot be dropped from the facilitator.
    const drop = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/admin/lenders/${facilitator.id}`,
      headers: auth(operator),
      payload: { funders: [{ kind: 'bank', legalName: '另一家银行', licenseNumber: 'B-OTHER' }] },
    });
    expect(drop.statusCode).toBe(409);
    expect(drop.json().error.details.products).toEqual([ok.json().code]);
    expect(await tableCounts(t)).toMatchObject({ lender_funders: before.lender_funders });
  });

  it('reviews a product: draft → in_review → approved → withdrawn; other moves are refused', async () => {
    const product = (await create(bank.id, productBody())).json();
    expect((await move(bank.id, product.id, 'approved')).json().error).toMatchObject({
      code: 'CONFLICT',
      details: { from: 'draft', allowed: ['in_review', 'withdrawn'] },
    });
    expect((await move(bank.id, product.id, 'in_review')).json().status).toBe('in_review');
    expect((await move(bank.id, product.id, 'approved')).json().status).toBe('approved');

    // Editing an approved product sends it back to draft: no unreviewed change reaches borrowers.
    const edited = await t.server.inject({
      method: 'PATCH',
      url: url(bank.id, `/${product.id}`),
      headers: auth(operator),
      payload: { termsMonths: [24] },
    });
    expect(edited.json()).toMatchObject({ status: 'draft', termsMonths: [24] });

    expect((await move(bank.id, product.id, 'withdrawn')).json().status).toBe('withdrawn');
    for (const to of ['draft', 'in_review', 'approved', 'withdrawn']) {
      expect((await move(bank.id, product.id, to)).statusCode).toBe(409);
    }
    const editWithdrawn = await t.server.inject({
      method: 'PATCH',
      url: url(bank.id, `/${product.id}`),
      headers: auth(operator),
      payload: { name: 'back' },
    });
    expect(editWithdrawn.statusCode).toBe(409);

    const audit = await t.server.inject({
      method: 'GET',
      url: `/api/v1/admin/audit?action=lender_product.status_change&targetId=${product.id}`,
      headers: auth(admin),
    });
    expect(audit.json().items).toHaveLength(3);
  });

  it('refuses a duplicate code, an unknown partner or product, and writes by finance', async () => {
    const body = productBody();
    expect((await create(bank.id, body)).statusCode).toBe(201);
    expect((await create(bank.id, body)).statusCode).toBe(409);
    expect((await create('00000000-0000-4000-8000-000000000000', productBody())).statusCode).toBe(404);
    const missing = await t.server.inject({
      method: 'GET',
      url: url(bank.id, '/00000000-0000-4000-8000-000000000000'),
      headers: auth(finance),
    });
    expect(missing.statusCode).toBe(404);
    expect((await create(bank.id, productBody(), finance)).statusCode).toBe(403);
  });

  it('lists by status, newest first, across pages', async () => {
    const lender = await createLender(t, operator, bankBody());
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create(lender.id, productBody())).json().id);
    await move(lender.id, ids[1]!, 'in_review');
    const first = await t.server.inject({
      method: 'GET',
      url: url(lender.id, '?limit=2'),
      headers: auth(finance),
    });
    expect(first.json().items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    const second = await t.server.inject({
      method: 'GET',
      url: url(lender.id, `?limit=2&cursor=${first.json().nextCursor}`),
      headers: auth(finance),
    });
    expect(second.json()).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null });
    const inReview = await t.server.inject({
      method: 'GET',
      url: url(lender.id, '?status=in_review'),
      headers: auth(finance),
    });
    expect(inReview.json().items.map((p: { id: string }) => p.id)).toEqual([ids[1]]);
  });

  it('keeps the price rule in the database too', async () => {
    const product = (await create(bank.id, productBody())).json();
    await expect(
      t.database.db
        .updateTable('lender_products')
        .set({ apr_max: '0.25' })
        .where('id', '=', product.id)
        .execute(),
    ).rejects.toThrow(/lender_products_apr_within_cap/);
  });
});
