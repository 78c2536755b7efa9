import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { ensureFirstAdmin } from './bootstrap.ts';
import { OperatorService } from './service.ts';

describe('the first admin', () => {
  let database: DatabaseHandle;
  let operators: OperatorService;
  beforeAll(async () => {
    database = await createTestDatabase();
    operators = new OperatorService(database.db, { clock: () => new Date(), sessionTtlMinutes: 60 });
  });
  afterAll(async () => database?.close());

  it('refuses a weak LENDGATE_ADMIN_PASSWORD as a configuration error, and creates nobody', async () => {
    for (const password of ['password1234', 'qwertyuiop123', 'Chief-Admin-2026!']) {
      const attempt = ensureFirstAdmin(operators, { email: 'chief-admin@example.com', password });
      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(
        ensureFirstAdmin(operators, { email: 'chief-admin@example.com', password }),
      ).rejects.toThrow(/^Invalid configuration:\n {2}- LENDGATE_ADMIN_PASSWORD /);
    }
    expect(await operators.count()).toBe(0);
  });

  it('creates the admin from a strong one, or from a generated one shown once', async () => {
    expect(await ensureFirstAdmin(operators, { email: undefined, password: undefined })).toMatchObject({
      email: 'admin@lendgate.local',
      generatedPassword: expect.stringMatching(/^[A-HJ-NP-Za-km-z2-9]{20}$/),
    });
    expect(
      await ensureFirstAdmin(operators, { email: 'x@example.com', password: 'Quiet-harbour-lantern-42' }),
    ).toBeNull();
  });
});
