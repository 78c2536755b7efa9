import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { AppError } from '../shared/errors.ts';
import { afterFailure, LOCKOUT_THRESHOLD, type LockState, UNLOCKED } from './lockout.ts';
import { OperatorService } from './service.ts';

const PASSWORD = 'Lendgate-operator-test-2026!';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe('operator lock-out under concurrency', { timeout: 60_000 }, () => {
  let database: DatabaseHandle;
  let operators: OperatorService;
  beforeAll(async () => {
    database = await createTestDatabase();
    operators = new OperatorService(database.db, { clock: () => new Date(), sessionTtlMinutes: 60 });
  });
  afterAll(async () => database.close());

  it(`counts every one of ${LOCKOUT_THRESHOLD} parallel wrong passwords, so the account locks`, async () => {
    const email = 'parallel@example.com';
    await operators.create(
      { email, displayName: 'Parallel', password: PASSWORD, roles: ['operator'] },
      { type: 'system', id: null },
    );
    const spans: { start: number; end: number }[] = [];
    const codes = await Promise.all(
      Array.from({ length: LOCKOUT_THRESHOLD }, async (_, i) => {
        const start = performance.now();
        const code = await codeOf(operators.signIn(email, `wrong-password-${i}`));
        spans.push({ start, end: performance.now() });
        return code;
      }),
    );
    expect(codes).toEqual(Array(LOCKOUT_THRESHOLD).fill('INVALID_CREDENTIALS'));
    // The attempts really overlapped: every one started before the first one finished.
    const firstEnd = Math.min(...spans.map((span) => span.end));
    expect(spans.every((span) => span.start < firstEnd)).toBe(true);

    const row = await database.db
      .selectFrom('operators')
      .select(['locked_until'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(row.locked_until).not.toBeNull();
    expect(await codeOf(operators.signIn(email, PASSWORD))).toBe('ACCOUNT_LOCKED');
  });
});

// Dozens of scrypt verifications one after another: slow on a small, busy machine.
describe('operator sign-in: the SQL lock-out follows the pure policy, and gives nothing away', {
  timeout: 120_000,
}, () => {
  let database: DatabaseHandle;
  let operators: OperatorService;
  let now = new Date('2026-11-29T10:00:00Z');
  const system = { type: 'system', id: null } as const;
  beforeAll(async () => {
    database = await createTestDatabase();
    operators = new OperatorService(database.db, { clock: () => now, sessionTtlMinutes: 60 });
  });
  afterAll(async () => database.close());

  const stateOf = async (email: string): Promise<LockState> => {
    const row = await database.db
      .selectFrom('operators')
      .select(['failed_attempts', 'locked_until', 'failure_window_started_at'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    return {
      failedAttempts: row.failed_attempts,
      lockedUntil: row.locked_until,
      failureWindowStartedAt: row.failure_window_started_at,
    };
  };

  it('moves the stored state exactly as afterFailure does, window by window', async () => {
    const email = 'model@example.com';
    await operators.create({ email, displayName: 'Model', password: PASSWORD, roles: ['finance'] }, system);
    // Minutes between failures: a window that ends unlocked, a new one that locks, failures during
    // the lock (not counted) and after it.
    const steps = [0, 1, 1, 1, 1, 1, 1, 1, 1, 16, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 5, 20, 1];
    let model: LockState = UNLOCKED;
    for (const step of steps) {
      now = new Date(now.getTime() + step * 60_000);
      model = afterFailure(model, now);
      expect(await codeOf(operators.signIn(email, 'not-the-password'))).toBe('INVALID_CREDENTIALS');
      expect(await stateOf(email)).toEqual(model);
    }
  });

  it('answers an unknown email, a wrong password and a locked account alike; only the right password learns of the lock', async () => {
    const email = 'locked@example.com';
    await operators.create({ email, displayName: 'Locked', password: PASSWORD, roles: ['finance'] }, system);
    const answer = async (who: string, password: string) => {
      try {
        await operators.signIn(who, password);
        return { code: 'OK' };
      } catch (error) {
        const { code, message, details } = error as AppError;
        return { code, message, details };
      }
    };
    const unknown = await answer('nobody@example.com', 'wrong-password');
    const wrong = await answer(email, 'wrong-password');
    expect(wrong).toEqual(unknown);
    expect(unknown).toEqual({ code: 'INVALID_CREDENTIALS', message: 'The email or password is wrong.' });
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) await answer(email, 'wrong-password');
    expect((await stateOf(email)).lockedUntil).not.toBeNull();
    expect(await answer(email, 'wrong-password')).toEqual(unknown);
    const locked = await answer(email, PASSWORD);
    expect(locked.code).toBe('ACCOUNT_LOCKED');
  });

  it('takes as long for an unknown email as for a wrong password (the decoy hash is verified)', async () => {
    const email = 'timing@example.com';
    await operators.create({ email, displayName: 'Timing', password: PASSWORD, roles: ['finance'] }, system);
    const time = async (who: string) => {
      const start = performance.now();
      await codeOf(operators.signIn(who, 'wrong-password'));
      return performance.now() - start;
    };
    await time('warm-up@example.com');
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push(await time(`nobody-${i}@example.com`));
      wrong.push(await time(email));
    }
    // Without the decoy an unknown email costs a single SELECT: a few ms against ~100 ms of scrypt.
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(1 / 3);
    expect(ratio).toBeLessThan(3);
  });

  it('refuses weak passwords on creation and on change, naming the field, with zxcvbn’s feedback', async () => {
    const weak = await codeOf(
      operators.create(
        { email: 'weak@example.com', displayName: 'Weak', password: 'password1234', roles: ['finance'] },
        system,
      ),
    );
    expect(weak).toBe('VALIDATION_FAILED');
    try {
      await operators.create(
        {
          email: 'kim.lee@example.com',
          displayName: 'Kim',
          password: 'kim.lee@example.com!',
          roles: ['finance'],
        },
        system,
      );
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).details?.fields).toEqual([
        { field: 'password', message: 'must not contain the account’s email address or its name part' },
      ]);
    }
    try {
      await operators.create(
        { email: 'common@example.com', displayName: 'Common', password: 'qwertyuiop123', roles: ['finance'] },
        system,
      );
      expect.unreachable();
    } catch (error) {
      const { details, message } = error as AppError;
      expect(message).toMatch(/^password: is too easy to guess/);
      expect(details?.feedback).toMatchObject({ warning: expect.stringMatching(/common/i) });
    }

    const email = 'changer@example.com';
    const operator = await operators.create(
      { email, displayName: 'Changer', password: PASSWORD, roles: ['finance'] },
      system,
    );
    const kept = await operators.signIn(email, PASSWORD);
    const other = await operators.signIn(email, PASSWORD);
    const change = (currentPassword: string, newPassword: string) =>
      codeOf(
        operators.changePassword(operator.id, { currentPassword, newPassword }, { keepToken: kept.token }),
      );
    expect(await change('wrong-password', 'Another-strong-passphrase-77')).toBe('INVALID_CREDENTIALS');
    expect((await stateOf(email)).failedAttempts).toBe(1);
    expect(await change(PASSWORD, 'changer-2026-password')).toBe('VALIDATION_FAILED');
    expect(await change(PASSWORD, PASSWORD)).toBe('VALIDATION_FAILED');
    expect(await change(PASSWORD, 'Another-strong-passphrase-77')).toBe('OK');
    expect(await codeOf(operators.signIn(email, PASSWORD))).toBe('INVALID_CREDENTIALS');
    expect(await codeOf(operators.signIn(email, 'Another-strong-passphrase-77'))).toBe('OK');
    expect(await operators.authenticate(kept.token)).not.toBeNull();
    expect(await operators.authenticate(other.token)).toBeNull();
  });
});
