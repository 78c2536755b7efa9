import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unseal } from '../crypto/seal.ts';
import { createLogger } from '../shared/logger.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeScan, dumpDatabase, logSource, type PiiSecret, scanForPii } from '../testing/pii-scan.ts';
import { auth, bankBody } from './testing.ts';

interface KeyAnswer {
  keyId: string;
  lenderId: string;
  state: string;
  createdAt: string;
  retiresAt: string | null;
  secret?: string;
  replaced?: KeyAnswer[];
}

/**
 * Partners' pre-check keys over the operator API: issued at registration, rotated with an overlap,
 * retired for good, and their secret answered once and found nowhere else — not in a list, the
 * audit log, a log line or any readable database column.
 */
describe('pre-check keys', () => {
  let t: TestApp;
  let operator: string;
  let finance: string;
  let now = new Date('2026-06-01T08:00:00Z');
  const logLines: string[] = [];
  /** Every secret answered, to search for everywhere else. */
  const secrets: PiiSecret[] = [];
  const answered: string[] = [];

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({
      clock: () => now,
      env: { LOG_LEVEL: 'debug' },
      logger: createLogger('debug', stream),
    });
    operator = await t.signIn(['operator']);
    finance = await t.signIn(['finance']);
  });
  afterAll(async () => t.close());

  const remember = (key: KeyAnswer) => {
    const bytes = Buffer.from(key.secret!, 'base64');
    secrets.push(
      { label: `${key.keyId} base64`, value: key.secret! },
      { label: `${key.keyId} hex`, value: bytes.toString('hex') },
      { label: `${key.keyId} base64url`, value: bytes.toString('base64url') },
    );
  };

  async function register(): Promise<{ id: string; preCheckKey: KeyAnswer }> {
    const response = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/lenders',
      headers: auth(operator),
      payload: bankBody(),
    });
    expect(response.statusCode).toBe(201);
    const created = response.json() as { id: string; preCheckKey: KeyAnswer };
    remember(created.preCheckKey);
    return created;
  }

  async function rotate(lenderId: string, body: Record<string, unknown> = {}, token = operator) {
    // A rotation comes some time after the key it replaces ("newest first" is then unambiguous).
    now = new Date(now.getTime() + 1_000);
    const response = await t.server.inject({
      method: 'POST',
      url: `/api/v1/admin/lenders/${lenderId}/pre-check-keys`,
      headers: auth(token),
      payload: body,
    });
    if (response.statusCode === 201) remember(response.json() as KeyAnswer);
    return response;
  }

  async function list(lenderId: string, token = operator): Promise<KeyAnswer[]> {
    const response = await t.server.inject({
      method: 'GET',
      url: `/api/v1/admin/lenders/${lenderId}/pre-check-keys?limit=50`,
      headers: auth(token),
    });
    expect(response.statusCode).toBe(200);
    answered.push(response.body);
    return (response.json() as { items: KeyAnswer[] }).items;
  }

  const code = async (lenderId: string) => (await t.app.services.lenders.partners.get(lenderId)).code;
  const valid = async (lenderId: string) =>
    (await t.app.services.lenders.preCheckKeys.validSecrets([await code(lenderId)])).get(
      await code(lenderId),
    )!;

  it('issues a 32-byte key at registration, shows its secret in that answer only, and seals it at rest', async () => {
    const created = await register();
    const key = created.preCheckKey;
    expect(key).toMatchObject({ lenderId: created.id, state: 'current', retiresAt: null, replaced: [] });
    expect(key.keyId).toMatch(/^pck_[A-Za-z0-9_-]{16}$/);
    expect(Buffer.from(key.secret!, 'base64')).toHaveLength(32);

    // The partner record read again carries no key; the list carries no secret.
    const lender = await t.server.inject({
      method: 'GET',
      url: `/api/v1/admin/lenders/${created.id}`,
      headers: auth(operator),
    });
    answered.push(lender.body);
    expect(lender.json()).not.toHaveProperty('preCheckKey');
    const listed = await list(created.id, finance);
    expect(listed).toEqual([
      {
        keyId: key.keyId,
        lenderId: created.id,
        state: 'current',
        createdAt: now.toISOString(),
        retiresAt: null,
      },
    ]);

    // Sealed by the master key, bound to its partner and key id.
    const row = await t.database.db
      .selectFrom('lender_pre_check_keys')
      .selectAll()
      .where('key_id', '=', key.keyId)
      .executeTakeFirstOrThrow();
    expect(row.secret_sealed).not.toContain(key.secret);
    const purpose = `lendgate/pre-check-key/v1/${created.id}/${key.keyId}`;
    expect(unseal(t.masterKey, purpose, row.secret_sealed!)).toBe(key.secret);
    expect(() =>
      unseal(t.masterKey, `lendgate/pre-check-key/v1/${created.id}/other`, row.secret_sealed!),
    ).toThrow();

    // The platform hashes under it.
    const [secret] = await valid(created.id);
    expect(secret).toMatchObject({ keyId: key.keyId, retiresAt: null });
    expect(secret!.secret.toString('base64')).toBe(key.secret);
  });

  it('rotates with an overlap: the new key is current, the replaced one valid until its retirement, then unusable', async () => {
    const { id, preCheckKey: first } = await register();
    const retireAt = new Date(now.getTime() + 3_600_000);
    const response = await rotate(id, { previousKeyRetiresAt: retireAt.toISOString() });
    expect(response.statusCode).toBe(201);
    const second = response.json() as KeyAnswer;
    expect(second).toMatchObject({ state: 'current', retiresAt: null });
    expect(second.keyId).not.toBe(first.keyId);
    expect(second.secret).not.toBe(first.secret);
    expect(second.replaced).toEqual([
      {
        keyId: first.keyId,
        lenderId: id,
        state: 'retiring',
        createdAt: first.createdAt,
        retiresAt: retireAt.toISOString(),
      },
    ]);

    // During the overlap both are valid, the current one first.
    expect((await valid(id)).map((k) => [k.keyId, k.secret.toString('base64')])).toEqual([
      [second.keyId, second.secret],
      [first.keyId, first.secret],
    ]);
    expect((await list(id)).map((k) => [k.keyId, k.state])).toEqual([
      [second.keyId, 'current'],
      [first.keyId, 'retiring'],
    ]);

    // At its retirement time the replaced key is refused: no hash is computed under it again.
    now = new Date(retireAt.getTime());
    expect((await valid(id)).map((k) => k.keyId)).toEqual([second.keyId]);
    expect((await list(id)).map((k) => [k.keyId, k.state])).toEqual([
      [second.keyId, 'current'],
      [first.keyId, 'retired'],
    ]);

    // The next rotation wipes the retired secret; the key stays listed, retired.
    now = new Date(now.getTime() + 60_000);
    expect((await rotate(id)).statusCode).toBe(201);
    const wiped = await t.database.db
      .selectFrom('lender_pre_check_keys')
      .select('secret_sealed')
      .where('key_id', '=', first.keyId)
      .executeTakeFirstOrThrow();
    expect(wiped.secret_sealed).toBeNull();
    // Default overlap: a week.
    const [third, previous] = await list(id);
    expect(third!.state).toBe('current');
    expect(previous).toMatchObject({
      keyId: second.keyId,
      state: 'retiring',
      retiresAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
    });
  });

  it('retires every earlier key at once when a leaked key is rotated out now', async () => {
    const { id, preCheckKey: first } = await register();
    expect(
      (await rotate(id, { previousKeyRetiresAt: new Date(now.getTime() + 86_400_000).toISOString() }))
        .statusCode,
    ).toBe(201);
    const leaked = await rotate(id, { previousKeyRetiresAt: now.toISOString() });
    expect(leaked.statusCode).toBe(201);
    const current = leaked.json() as KeyAnswer;
    expect(current.replaced!.map((k) => [k.state, k.retiresAt])).toEqual([
      ['retired', now.toISOString()],
      ['retired', now.toISOString()],
    ]);
    expect((await valid(id)).map((k) => k.keyId)).toEqual([current.keyId]);
    const rows = await t.database.db
      .selectFrom('lender_pre_check_keys')
      .select(['key_id', 'secret_sealed'])
      .where('lender_id', '=', id)
      .where('key_id', '!=', current.keyId)
      .execute();
    expect(rows.map((r) => r.secret_sealed)).toEqual([null, null]);
    expect(rows.map((r) => r.key_id)).toContain(first.keyId);
  });

  it('refuses a retirement in the past or more than 30 days ahead, an unknown partner and a terminated one', async () => {
    const { id } = await register();
    const before = await list(id);
    for (const at of [new Date(now.getTime() - 3_600_000), new Date(now.getTime() + 31 * 86_400_000)]) {
      const refused = await rotate(id, { previousKeyRetiresAt: at.toISOString() });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.details.fields[0].field).toBe('previousKeyRetiresAt');
    }
    expect((await rotate(id, { secret: 'mine' })).statusCode).toBe(400);
    expect(await list(id)).toEqual(before);
    expect((await rotate(id, {}, finance)).statusCode).toBe(403);
    expect((await rotate('00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    for (const to of ['under_review', 'terminated']) {
      await t.app.services.lenders.partners.transition(
        id,
        { to: to as 'terminated', reason: 'test' },
        {
          type: 'system',
          id: null,
        },
      );
    }
    expect((await rotate(id)).statusCode).toBe(409);
  });

  it('never shows a secret again: not in a list, a partner record, the audit log, a log line or a readable column', async () => {
    const audit = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'lender_pre_check_key.issue')
      .execute();
    // Every issue is audited, with ids and times only.
    expect(audit.length).toBeGreaterThanOrEqual(secrets.length / 3);
    for (const entry of audit) expect(Object.keys(entry.details).sort()).toEqual(['keyId', 'replaced']);
    const auditAnswer = await t.server.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?limit=200',
      headers: auth(await t.signIn(['compliance'])),
    });
    expect(auditAnswer.statusCode).toBe(200);
    const sources = [
      logSource('log', logLines),
      { where: 'answers (lists, records)', text: answered.join('\n') },
      { where: 'audit answer', text: auditAnswer.body },
      ...(await dumpDatabase(t.database.db)),
    ];
    expect(logLines.length).toBeGreaterThan(10);
    const result = scanForPii(sources, secrets);
    expect(result.needles).toBeGreaterThan(secrets.length);
    expect(result.hits, describeScan(result, secrets)).toEqual([]);
  });
});
