import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../db/transaction.ts';
import { decryptPii } from '../protocol/envelope/index.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import {
  idNumberOf,
  lenderEncryptionKey,
  registeredLender,
  SAMPLE,
  SAMPLE_PLAIN_VALUES,
  shownAgreements,
  signedInBorrower,
} from './testing.ts';

/** Every row of the vault's tables, as text, to search for plain values. */
async function dumpVault(t: TestApp): Promise<string> {
  const tables = [
    'borrower_profiles',
    'borrower_data_keys',
    'borrower_consents',
    'borrower_data_releases',
    'audit_log',
  ];
  const parts: string[] = [];
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(
      t.database.db,
    );
    parts.push(JSON.stringify(rows));
  }
  return parts.join('\n');
}

describe('the borrower vault', () => {
  let t: TestApp;
  let now = new Date('2026-11-29T10:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ clock: () => now });
  });
  afterAll(async () => t.close());

  const principal = async () => {
    const b = await signedInBorrower(t);
    return { borrowerId: b.borrowerId, channelCode: b.channelCode };
  };

  /** A new lender, and a borrower with `profile` stored who consented to all its texts in force. */
  const consentingBorrower = async (profile: Partial<typeof SAMPLE>, platform: 'ios' | 'android' | 'web') => {
    const { vault, consents } = t.app.services.borrowers;
    const lender = await registeredLender(t);
    const me = await principal();
    await vault.update(me, { ...profile });
    const { consent } = await consents.give(me, {
      lenderId: lender.id,
      agreements: await shownAgreements(t, lender.id),
      device: { platform },
    });
    return { lender, me, consent };
  };

  it('stores no plain value anywhere: raw rows hold only ciphertexts and blind indexes', async () => {
    const { vault } = t.app.services.borrowers;
    const me = await principal();
    const view = await vault.update(me, { ...SAMPLE });
    expect(view.idNumber).toBe(`110***********${SAMPLE.idNumber.slice(-4)}`);
    const dump = await dumpVault(t);
    for (const value of SAMPLE_PLAIN_VALUES) expect(dump).not.toContain(value);
    // Not the masked tails in a searchable form either: the id number's digits do not appear in a row.
    expect(dump).not.toContain(SAMPLE.idNumber.slice(0, 10));
  });

  it('finds a borrower by phone or id number through the blind index', async () => {
    const { vault } = t.app.services.borrowers;
    const me = await principal();
    await vault.update(me, { phone: '13511112222', idNumber: SAMPLE.idNumber });
    expect(await vault.findByPhone('135 1111 2222')).toEqual([me.borrowerId]);
    expect(await vault.findByIdNumber(SAMPLE.idNumber.toLowerCase())).toContain(me.borrowerId);
    expect(await vault.findByPhone('13511112223')).toEqual([]);
  });

  it('gives pre-checks HMACs under each partner key, the age band and the province only', async () => {
    const { vault } = t.app.services.borrowers;
    const me = await principal();
    const keyA = { keyId: 'pck_a', secret: randomBytes(32) };
    const keyB = { keyId: 'pck_b', secret: randomBytes(32) };
    expect(await vault.preCheckIdentities(me.borrowerId, [keyA])).toBeNull();
    await vault.update(me, { phone: SAMPLE.phone, idNumber: SAMPLE.idNumber });
    const identities = await vault.preCheckIdentities(me.borrowerId, [keyA, keyB]);
    const a = identities!.get('pck_a')!;
    const b = identities!.get('pck_b')!;
    const hmac = (key: Buffer, value: string) => createHmac('sha256', key).update(value).digest('hex');
    expect(a).toEqual({
      phoneHmac: hmac(keyA.secret, SAMPLE.phone),
      idNumberHmac: hmac(keyA.secret, SAMPLE.idNumber),
      hashKeyId: 'pck_a',
      ageBand: '35-44',
      region: '110000',
    });
    expect(b.hashKeyId).toBe('pck_b');
    expect(b.phoneHmac).not.toBe(a.phoneHmac);
    expect(JSON.stringify([...identities!.values()])).not.toContain(SAMPLE.phone);
    expect(JSON.stringify([...identities!.values()])).not.toContain(SAMPLE.idNumber);
  });

  it('makes no pre-check identity for a borrower under 18', async () => {
    const { vault } = t.app.services.borrowers;
    const me = await principal();
    const year = new Date().getUTCFullYear() - 10;
    await vault.update(me, { phone: '13511113333', idNumber: idNumberOf('310104', `${year}0101`, '123') });
    expect(
      await vault.preCheckIdentities(me.borrowerId, [{ keyId: 'k', secret: randomBytes(32) }]),
    ).toBeNull();
  });

  it('releases exactly the requested categories, encrypted for the lender, and logs it in the same transaction', async () => {
    const { vault, consents, releases } = t.app.services.borrowers;
    const lender = await registeredLender(t, { categories: ['name', 'id_number', 'phone', 'bank_card'] });
    const me = await principal();
    await vault.update(me, { ...SAMPLE });
    const keys = await lenderEncryptionKey();
    const target = { lenderId: lender.id, partnerId: lender.code, requestId: 'apply-1' };

    await expect(
      vault.buildLenderPii(me.borrowerId, ['name', 'phone'], keys.publicKey, target),
    ).rejects.toMatchObject({
      code: 'CONSENT_REQUIRED',
    });
    expect((await releases.list({ borrowerId: me.borrowerId, limit: 10 })).items).toEqual([]);

    const { consent } = await consents.give(me, {
      lenderId: lender.id,
      agreements: await shownAgreements(t, lender.id),
      device: { platform: 'ios' },
    });
    await expect(
      vault.buildLenderPii(me.borrowerId, ['contacts'], keys.publicKey, target),
    ).rejects.toMatchObject({ code: 'CONSENT_REQUIRED', details: { missing: ['contacts'] } });

    const released = await vault.buildLenderPii(me.borrowerId, ['phone', 'name'], keys.publicKey, target);
    const plain = decryptPii(released.pii, keys.privateKey, { partnerId: lender.code, requestId: 'apply-1' });
    expect(plain).toEqual({ name: SAMPLE.name, phone: SAMPLE.phone });
    expect(released.consent).toMatchObject({ consentId: consent.id, version: 'pi_authorization-v1' });
    expect(released.consent.textSha256).toMatch(/^[0-9a-f]{64}$/);
    // Bound to its message: another request id does not open it.
    expect(() =>
      decryptPii(released.pii, keys.privateKey, { partnerId: lender.code, requestId: 'apply-2' }),
    ).toThrow();

    const log = await releases.list({ borrowerId: me.borrowerId, limit: 10 });
    expect(log.items).toEqual([
      expect.objectContaining({
        id: released.release.id,
        seq: 1,
        lenderId: lender.id,
        partnerId: lender.code,
        categories: ['name', 'phone'],
        consentId: consent.id,
        requestId: 'apply-1',
      }),
    ]);

    // The caller's transaction decides: if the apply that carries the data rolls back, so does the entry.
    await expect(
      inTransaction(t.database.db, async (trx) => {
        await vault.buildLenderPii(
          me.borrowerId,
          ['name'],
          keys.publicKey,
          { ...target, requestId: 'apply-x' },
          trx,
        );
        throw new Error('the outbox insert failed');
      }),
    ).rejects.toThrow('the outbox insert failed');
    expect((await releases.list({ borrowerId: me.borrowerId, limit: 10 })).items).toHaveLength(1);
    await expect(
      vault.buildLenderPii(me.borrowerId, ['name'], keys.publicKey, { ...target, partnerId: 'someone-else' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await releases.verify({ borrowerId: me.borrowerId })).ok).toBe(true);
  });

  it('refuses a release the profile cannot fill, and writes no log entry', async () => {
    const { vault, releases } = t.app.services.borrowers;
    const { lender, me } = await consentingBorrower({ name: SAMPLE.name }, 'web');
    const keys = await lenderEncryptionKey();
    await expect(
      vault.buildLenderPii(me.borrowerId, ['name', 'bank_card'], keys.publicKey, {
        lenderId: lender.id,
        partnerId: lender.code,
        requestId: 'r-incomplete',
      }),
    ).rejects.toMatchObject({ code: 'PROFILE_INCOMPLETE', details: { missing: ['bank_card'] } });
    expect((await releases.list({ borrowerId: me.borrowerId, limit: 10 })).items).toEqual([]);
  });

  it('stops releases once the consent is withdrawn', async () => {
    const { vault, consents } = t.app.services.borrowers;
    const { lender, me, consent } = await consentingBorrower(SAMPLE, 'android');
    const keys = await lenderEncryptionKey();
    const target = { lenderId: lender.id, partnerId: lender.code, requestId: 'w-1', consentId: consent.id };
    await vault.buildLenderPii(me.borrowerId, ['phone'], keys.publicKey, target);
    await consents.withdraw(me, consent.id);
    await expect(
      vault.buildLenderPii(me.borrowerId, ['phone'], keys.publicKey, { ...target, requestId: 'w-2' }),
    ).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    expect(await consents.active(me.borrowerId, lender.id)).toBeNull();
  });

  it('keeps one chain per borrower without forks under concurrent releases', async () => {
    const { vault, releases } = t.app.services.borrowers;
    const { lender, me } = await consentingBorrower(SAMPLE, 'ios');
    const keys = await lenderEncryptionKey();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        vault.buildLenderPii(me.borrowerId, ['phone'], keys.publicKey, {
          lenderId: lender.id,
          partnerId: lender.code,
          requestId: `c-${i}`,
        }),
      ),
    );
    const log = await releases.list({ borrowerId: me.borrowerId, limit: 20 });
    expect(log.items.map((e) => e.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await releases.verify({ borrowerId: me.borrowerId })).toMatchObject({
      ok: true,
      entries: 8,
      chains: 1,
    });
  });

  it('detects a release row changed or removed behind the trigger', async () => {
    const { vault, releases } = t.app.services.borrowers;
    const { lender, me } = await consentingBorrower(SAMPLE, 'ios');
    const keys = await lenderEncryptionKey();
    for (const requestId of ['t-1', 't-2', 't-3']) {
      await vault.buildLenderPii(me.borrowerId, ['name', 'phone'], keys.publicKey, {
        lenderId: lender.id,
        partnerId: lender.code,
        requestId,
      });
    }
    expect((await releases.verify()).ok).toBe(true);

    const db = t.database.db;
    // The trigger refuses changes through the normal path.
    await expect(
      sql`UPDATE borrower_data_releases SET categories = '{name}' WHERE borrower_id = ${me.borrowerId}`.execute(
        db,
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`DELETE FROM borrower_data_releases WHERE borrower_id = ${me.borrowerId}`.execute(db),
    ).rejects.toThrow(/append-only/);

    // Someone with the power to disable it edits the second entry: verification names it.
    await sql`ALTER TABLE borrower_data_releases DISABLE TRIGGER borrower_data_releases_no_change`.execute(
      db,
    );
    try {
      await sql`UPDATE borrower_data_releases SET categories = '{name}' WHERE borrower_id = ${me.borrowerId} AND seq = 2`.execute(
        db,
      );
      const report = await releases.verify();
      expect(report.ok).toBe(false);
      expect(report.problems).toContainEqual({ borrowerId: me.borrowerId, seq: 2, reason: 'hash_mismatch' });

      // Removing the last entry is caught by the head.
      await sql`UPDATE borrower_data_releases SET categories = '{name,phone}' WHERE borrower_id = ${me.borrowerId} AND seq = 2`.execute(
        db,
      );
      expect((await releases.verify({ borrowerId: me.borrowerId })).ok).toBe(true);
      await sql`DELETE FROM borrower_data_releases WHERE borrower_id = ${me.borrowerId} AND seq = 3`.execute(
        db,
      );
      expect((await releases.verify({ borrowerId: me.borrowerId })).problems).toEqual([
        { borrowerId: me.borrowerId, seq: 3, reason: 'head_mismatch' },
      ]);
      // Removing all of them is caught too.
      await sql`DELETE FROM borrower_data_releases WHERE borrower_id = ${me.borrowerId}`.execute(db);
      expect((await releases.verify({ borrowerId: me.borrowerId })).problems).toEqual([
        { borrowerId: me.borrowerId, seq: 3, reason: 'head_mismatch' },
      ]);
    } finally {
      await sql`ALTER TABLE borrower_data_releases ENABLE TRIGGER borrower_data_releases_no_change`.execute(
        db,
      );
    }
  });

  it('crypto-shredding: after deletion the old ciphertexts cannot be opened by anything left', async () => {
    const { vault, consents } = t.app.services.borrowers;
    const { lender, me } = await consentingBorrower(SAMPLE, 'ios');
    // A "backup" of the ciphertexts taken before the deletion.
    const backup = await t.database.db
      .selectFrom('borrower_profiles')
      .selectAll()
      .where('borrower_id', '=', me.borrowerId)
      .executeTakeFirstOrThrow();

    expect(await vault.delete(me)).toEqual({ consentsEnded: 1 });
    expect(await vault.view(me.borrowerId)).toMatchObject({ name: null, idNumber: null, phone: null });
    expect(await consents.active(me.borrowerId, lender.id)).toBeNull();
    const key = await t.database.db
      .selectFrom('borrower_data_keys')
      .selectAll()
      .where('borrower_id', '=', me.borrowerId)
      .executeTakeFirst();
    expect(key).toBeUndefined();

    // Restoring the backed-up row: without its data key it is unreadable.
    await t.database.db
      .insertInto('borrower_data_keys')
      .values({ borrower_id: me.borrowerId, wrapped_key: 'v1.AAAA.AAAA.AAAA', created_at: now })
      .execute();
    await t.database.db.insertInto('borrower_profiles').values(backup).execute();
    await expect(vault.view(me.borrowerId)).rejects.toThrow();
    await t.database.db.deleteFrom('borrower_profiles').where('borrower_id', '=', me.borrowerId).execute();
    await t.database.db.deleteFrom('borrower_data_keys').where('borrower_id', '=', me.borrowerId).execute();

    // The release log stays, and the borrower can start a new profile under a new key.
    const view = await vault.update(me, { phone: '13600000000' });
    expect(view.phone).toBe('136****0000');
  });

  it('refuses deletion while a loan needs the data (hasActiveLoans seam)', async () => {
    const { createBorrowerServices, staticLenderDirectory } = await import('./index.ts');
    const services = createBorrowerServices(t.database.db, {
      clock: () => now,
      masterKey: Buffer.alloc(32, 7),
      lenders: staticLenderDirectory([]),
      hasActiveLoans: async () => true,
    });
    const me = await principal();
    await services.vault.update(me, { name: '王五' });
    await expect(services.vault.delete(me)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await services.vault.view(me.borrowerId)).name).toBe('王*');
    now = new Date(now.getTime() + 1000);
  });
});
