import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REJECTION_ROWS_PER_MINUTE, recordRejection } from '../../protocol/operations.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

/**
 * Refusals at the edge of the open API are counted, not stored one row each: an anonymous flood
 * of bad callbacks costs a row per minute, source, claimed partner and code, whatever its size.
 */
describe('refused callbacks are counted in bounded rows', () => {
  let t: TestApp;
  let now = new Date('2026-11-29T10:00:05Z');
  let operator: string;
  beforeAll(async () => {
    t = await createTestApp({ clock: () => now });
    operator = await t.signIn(['operator']);
  });
  afterAll(async () => t.close());

  const rows = async () =>
    t.database.db.selectFrom('protocol_rejections').selectAll().orderBy('id').execute();

  it('keeps 1,000 refused anonymous callbacks from one source in one minute as one row counting 1,000', async () => {
    for (let i = 0; i < 1_000; i += 1) {
      const response = await t.server.inject({
        method: 'POST',
        url: '/open/v1/callbacks/loan-status',
        remoteAddress: '203.0.113.7',
        headers: {
          'content-type': 'application/json',
          'x-lendgate-partner': 'p-flood',
          'x-lendgate-request-id': `flood-${i}`,
        },
        payload: '{}',
      });
      expect(response.statusCode).toBe(400);
      now = new Date(now.getTime() + 50); // 1,000 refusals over 50 s: one minute
    }
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      code: 'MALFORMED_ENVELOPE',
      source_ip: '203.0.113.7',
      partner_id: 'p-flood',
      count: 1_000,
      request_id: 'flood-999',
    });
    expect(stored[0]!.at.toISOString()).toBe('2026-11-29T10:00:05.000Z');
    expect(stored[0]!.last_at.toISOString()).toBe('2026-11-29T10:00:54.950Z');

    const listed = await t.server.inject({
      method: 'GET',
      url: '/api/v1/admin/protocol/rejections?partnerId=p-flood',
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([
      expect.objectContaining({
        code: 'MALFORMED_ENVELOPE',
        count: 1_000,
        sourceIp: '203.0.113.7',
        partnerId: 'p-flood',
        requestId: 'flood-999',
        path: '/open/v1/callbacks/loan-status',
        at: '2026-11-29T10:00:05.000Z',
        lastAt: '2026-11-29T10:00:54.950Z',
      }),
    ]);

    // The next minute starts a row of its own.
    now = new Date('2026-11-29T10:01:10Z');
    await t.server.inject({
      method: 'POST',
      url: '/open/v1/callbacks/loan-status',
      remoteAddress: '203.0.113.7',
      headers: { 'content-type': 'application/json', 'x-lendgate-partner': 'p-flood' },
      payload: '{}',
    });
    expect((await rows()).map((row) => row.count)).toEqual([1_000, 1]);
  });

  it('counts made-up partners and sources past the per-minute limit together', async () => {
    const minute = new Date('2026-11-29T11:00:00Z');
    const limit = 5;
    for (let i = 0; i < 50; i += 1) {
      await recordRejection(
        t.database.db,
        {
          sourceIp: `198.51.100.${i}`,
          partnerId: `made-up-${i}`,
          requestId: `r-${i}`,
          path: '/open/v1/callbacks/repayment',
          code: 'UNKNOWN_PARTNER',
          message: `partner made-up-${i} is not known`,
        },
        new Date(minute.getTime() + i * 100),
        limit,
      );
    }
    const stored = (await rows()).filter((row) => row.minute.getTime() === minute.getTime());
    expect(stored).toHaveLength(limit + 1);
    expect(stored.at(-1)).toMatchObject({ source_ip: '*', partner_id: '*', count: 50 - limit });
    expect(stored.reduce((sum, row) => sum + row.count, 0)).toBe(50);
    expect(MAX_REJECTION_ROWS_PER_MINUTE).toBeGreaterThan(limit);
  });
});
