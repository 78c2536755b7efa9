import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';

describe('borrower sessions and the borrower route guard', () => {
  let t: TestApp;
  let now = new Date('2026-11-29T10:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ clock: () => now });
    // A borrower route registered for this test only, after the guard: it must be guarded.
  });
  afterAll(async () => t.close());

  it('opens a session for a new borrower and authenticates it until it expires or is revoked', async () => {
    const sessions = t.app.services.borrowerSessions;
    const borrowerId = await sessions.createBorrower();
    const session = await sessions.open({ borrowerId, channelCode: 'shop' });
    expect(await sessions.authenticate(session.token)).toEqual({ borrowerId, channelCode: 'shop' });
    expect(await sessions.authenticate('x'.repeat(43))).toBeNull();

    now = new Date(now.getTime() + 31 * 60_000);
    expect(await sessions.authenticate(session.token)).toBeNull();

    const second = await sessions.open({ borrowerId, channelCode: 'shop' });
    await sessions.revoke(second.token);
    expect(await sessions.authenticate(second.token)).toBeNull();
  });

  it('stores only a hash of the token', async () => {
    const sessions = t.app.services.borrowerSessions;
    const session = await sessions.open({ borrowerId: await sessions.createBorrower(), channelCode: 'maps' });
    const rows = await t.database.db.selectFrom('borrower_sessions').select('token_hash').execute();
    expect(rows.some((row) => row.token_hash === session.token)).toBe(false);
  });
});
