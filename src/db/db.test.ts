import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, recordAudit, SYSTEM_ACTOR } from '../audit/audit-log.ts';
import type { DatabaseHandle } from './connection.ts';
import { ALL_MIGRATIONS, isFullyMigrated, migrateToLatest, migrationSequenceClashes } from './migrations.ts';
import { createTestDatabase } from './testing.ts';
import { inTransaction } from './transaction.ts';

describe('database', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => handle.close());

  it('starts fully migrated, and migrating again applies nothing', async () => {
    expect(await isFullyMigrated(handle.db)).toBe(true);
    expect((await migrateToLatest(handle.db)).applied).toEqual([]);
    // Every name starts with its own four-digit sequence number: two modules never share one.
    expect(Object.keys(ALL_MIGRATIONS).every((name) => /^\d{4}_[a-z0-9_]+$/.test(name))).toBe(true);
    expect(migrationSequenceClashes()).toEqual([]);
  });

  it('returns the same value shapes on both back ends', async () => {
    const { rows } = await sql<{
      big: number;
      rate: string;
      day: string;
    }>`SELECT 9007199254740991::int8 AS big, 0.240000::numeric AS rate, '2026-01-31'::date AS day`.execute(
      handle.db,
    );
    expect(rows[0]).toEqual({ big: 9007199254740991, rate: '0.240000', day: '2026-01-31' });
    await expect(sql`SELECT 9007199254740993::int8 AS too_big`.execute(handle.db)).rejects.toThrow(
      /safe integer/,
    );
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await inTransaction(handle.db, (trx) => recordAudit(trx, { actor: SYSTEM_ACTOR, action: 'test.kept' }));
    await expect(
      inTransaction(handle.db, async (trx) => {
        await recordAudit(trx, { actor: SYSTEM_ACTOR, action: 'test.dropped' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await listAudit(handle.db, { action: 'test.kept', limit: 10 })).toHaveLength(1);
    expect(await listAudit(handle.db, { action: 'test.dropped', limit: 10 })).toHaveLength(0);
  });

  it('joins an outer transaction instead of opening a nested one', async () => {
    await expect(
      inTransaction(handle.db, async (outer) => {
        await inTransaction(outer, (inner) =>
          recordAudit(inner, { actor: SYSTEM_ACTOR, action: 'test.inner' }),
        );
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await listAudit(handle.db, { action: 'test.inner', limit: 10 })).toHaveLength(0);
  });

  it('keeps the audit log append-only in the database itself', async () => {
    await recordAudit(handle.db, { actor: SYSTEM_ACTOR, action: 'test.immutable' });
    await expect(sql`UPDATE audit_log SET action = 'changed'`.execute(handle.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM audit_log`.execute(handle.db)).rejects.toThrow(/append-only/);
  });

  it('gives each test file its own database', async () => {
    const other = await createTestDatabase();
    try {
      await recordAudit(other.db, { actor: SYSTEM_ACTOR, action: 'test.isolated' });
      expect(await listAudit(handle.db, { action: 'test.isolated', limit: 10 })).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});
