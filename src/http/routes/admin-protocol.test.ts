import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueMessages, enqueueLenderCall, markFailed } from '../../protocol/outbox.ts';
import { AppError } from '../../shared/errors.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

describe('operator view of the lender protocol', () => {
  let t: TestApp;
  let operator: string;
  let finance: string;
  beforeAll(async () => {
    t = await createTestApp({
      callbackHandlers: {
        'loan-status': async () => {
          throw new AppError('FORBIDDEN', 'This loan is not yours.');
        },
      },
    });
    operator = await t.signIn(['operator']);
    finance = await t.signIn(['finance']);
  });
  afterAll(async () => t.close());

  const get = (url: string, token = operator) =>
    t.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it('lists dead letters and requeues one with an audit entry; finance may not', async () => {
    const now = new Date();
    await enqueueLenderCall(
      t.database.db,
      { partnerId: 'p-dead', call: 'apply', path: '/x', body: {}, requestId: 'dead-1' },
      now,
    );
    const [claimed] = await claimDueMessages(t.database.db, 'w', now, new Date(now.getTime() + 60_000), 10);
    await markFailed(
      t.database.db,
      claimed!,
      'w',
      { error: 'lender answered 400', status: 400, final: true, retryAt: now },
      now,
    );

    const listed = await get('/api/v1/admin/protocol/dead-letters?partnerId=p-dead');
    expect(listed.statusCode).toBe(200);
    const [letter] = listed.json().items;
    expect(letter).toMatchObject({
      requestId: 'dead-1',
      responseStatus: 400,
      lastError: 'lender answered 400',
    });
    expect((await get('/api/v1/admin/protocol/dead-letters', finance)).statusCode).toBe(403);

    const requeued = await t.server.inject({
      method: 'POST',
      url: `/api/v1/admin/protocol/dead-letters/${letter.id}/requeue`,
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(requeued.statusCode).toBe(204);
    expect((await get('/api/v1/admin/protocol/dead-letters?partnerId=p-dead')).json().items).toEqual([]);
    const again = await t.server.inject({
      method: 'POST',
      url: `/api/v1/admin/protocol/dead-letters/${letter.id}/requeue`,
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(again.json().error.code).toBe('NOT_FOUND');
    const admin = await t.signIn(['admin']);
    const audit = await get('/api/v1/admin/audit?action=protocol.dead_letter.requeue', admin);
    expect(audit.json().items).toHaveLength(1);
  });

  it('lists envelope refusals and refused callbacks', async () => {
    const unsigned = await t.server.inject({
      method: 'POST',
      url: '/open/v1/callbacks/loan-status',
      headers: { 'content-type': 'application/json', 'x-lendgate-partner': 'p-x' },
      payload: '{}',
    });
    expect(unsigned.statusCode).toBe(400);
    const rejections = (await get('/api/v1/admin/protocol/rejections')).json().items;
    expect(rejections[0]).toMatchObject({
      code: 'MALFORMED_ENVELOPE',
      path: '/open/v1/callbacks/loan-status',
    });

    const refused = await t.app.services.inbound.ingest({
      partnerId: 'p-y',
      requestId: 'r-1',
      kind: 'loan-status',
      businessId: 'L-1:1',
      bodySha256: 'x',
      body: {},
    });
    expect(refused.httpStatus).toBe(403);
    const callbacks = (await get('/api/v1/admin/protocol/callbacks?status=refused&partnerId=p-y')).json()
      .items;
    expect(callbacks).toEqual([
      expect.objectContaining({
        kind: 'loan-status',
        businessId: 'L-1:1',
        responseStatus: 403,
        status: 'refused',
      }),
    ]);
    const bad = await get('/api/v1/admin/protocol/callbacks?status=lost');
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });
});
