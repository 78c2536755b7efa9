import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { type Actor, recordAudit, SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import { FAILURE_WINDOW_MINUTES, isLocked, LOCKOUT_MINUTES, LOCKOUT_THRESHOLD } from './lockout.ts';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';
import { MIN_PASSWORD_LENGTH, passwordProblem } from './password-policy.ts';
import { isOperatorRole, type OperatorRole } from './roles.ts';
import type { OperatorRow, OperatorTables } from './tables.ts';

/** An operator as the rest of the system sees it: never the password hash. */
export interface Operator {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly roles: OperatorRole[];
  readonly status: 'active' | 'disabled';
  readonly createdAt: string;
}

export interface NewOperator {
  readonly email: string;
  readonly displayName: string;
  readonly password: string;
  readonly roles: readonly string[];
}

export interface SignInResult {
  readonly token: string;
  readonly expiresAt: string;
  readonly operator: Operator;
}

/** A uuid no operator has: the failure statement of an unknown email matches no row. */
const NO_OPERATOR = '00000000-0000-0000-0000-000000000000';

/** Refuses a password the policy refuses, naming `field`, with zxcvbn's feedback in the details. */
async function assertAcceptablePassword(
  field: string,
  password: string,
  account: { email: string; displayName?: string },
): Promise<void> {
  const problem = await passwordProblem(password, account);
  if (!problem) return;
  throw new AppError('VALIDATION_FAILED', `${field}: ${problem.message}`, {
    fields: [{ field, message: problem.message }],
    feedback: { warning: problem.warning ?? null, suggestions: problem.suggestions },
  });
}

function toOperator(row: Selectable<OperatorRow>): Operator {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    roles: row.roles.filter(isOperatorRole),
    status: row.status,
    createdAt: row.created_at.toISOString(),
  };
}

/** Session tokens are random; only their SHA-256 is stored, so a database leak yields no sessions. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function validateNewOperator(input: NewOperator): void {
  if (!/^[^\s@]+@[^\s@]+$/.test(input.email)) throw invalidField('email', 'must be an email address');
  if (input.displayName.trim() === '') throw invalidField('displayName', 'must not be empty');
  if (input.roles.length === 0 || !input.roles.every(isOperatorRole)) {
    throw invalidField('roles', 'must be a non-empty list of admin, operator, finance, compliance');
  }
}

export interface OperatorServiceOptions {
  readonly clock: Clock;
  readonly sessionTtlMinutes: number;
}

/** Operator accounts: creation, sign-in with lock-out, bearer sessions, sign-out. */
export class OperatorService {
  readonly #db: Executor<OperatorTables>;
  readonly #clock: Clock;
  readonly #sessionTtlMinutes: number;
  /** A hash to verify against when the email is unknown, so that timing does not reveal accounts. */
  #decoyHash: Promise<string> | undefined;

  constructor(db: Executor<OperatorTables>, options: OperatorServiceOptions) {
    this.#db = db;
    this.#clock = options.clock;
    this.#sessionTtlMinutes = options.sessionTtlMinutes;
  }

  /**
   * Creates an operator. `options.generatedPassword` says the password came from
   * `generatePassword()` (20 random symbols, ~117 bits): the guessability estimate is skipped, so
   * that a server creating its first admin or the demo accounts never loads the dictionaries.
   */
  async create(
    input: NewOperator,
    actor: Actor,
    requestId?: string,
    options: { readonly generatedPassword?: boolean } = {},
  ): Promise<Operator> {
    validateNewOperator(input);
    if (!options.generatedPassword) {
      await assertAcceptablePassword('password', input.password, {
        email: input.email,
        displayName: input.displayName,
      });
    } else if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw invalidField('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const passwordHash = await hashPassword(input.password);
    return inTransaction(this.#db, async (trx) => {
      const row = await trx
        .insertInto('operators')
        .values({
          id: randomUUID(),
          email: input.email.toLowerCase(),
          display_name: input.displayName.trim(),
          password_hash: passwordHash,
          roles: [...new Set(input.roles)],
          status: 'active',
          locked_until: null,
        })
        .onConflict((oc) => oc.column('email').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new AppError('CONFLICT', 'An operator with this email already exists.');
      await recordAudit(trx, {
        actor,
        action: 'operator.create',
        target: { type: 'operator', id: row.id },
        requestId,
        details: { roles: row.roles },
      });
      return toOperator(row);
    });
  }

  async list(): Promise<Operator[]> {
    const rows = await this.#db.selectFrom('operators').selectAll().orderBy('created_at').execute();
    return rows.map(toOperator);
  }

  async count(): Promise<number> {
    const row = await this.#db
      .selectFrom('operators')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Signs an operator in. Every attempt does the same work whatever the outcome — one scrypt
   * verification (against a decoy hash for an unknown or disabled email), one write — and an
   * unknown email, a wrong password and a wrong password on a locked account all give the same
   * INVALID_CREDENTIALS: only someone who knows the password learns that the account is locked.
   */
  async signIn(email: string, password: string, requestId?: string): Promise<SignInResult> {
    const now = this.#clock();
    const row = await this.#db
      .selectFrom('operators')
      .selectAll()
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
    const account = row?.status === 'active' ? row : undefined;
    const passwordRight = await verifyPassword(password, account?.password_hash ?? (await this.#decoy()));
    if (!account || !passwordRight) {
      await this.#recordFailure(account?.id, now, requestId);
      throw new AppError('INVALID_CREDENTIALS');
    }
    const actor: Actor = { type: 'operator', id: account.id };
    if (isLocked({ lockedUntil: account.locked_until }, now)) {
      await recordAudit(this.#db, {
        actor,
        action: 'operator.sign_in_refused_locked',
        target: { type: 'operator', id: account.id },
        requestId,
      });
      throw new AppError(
        'ACCOUNT_LOCKED',
        'The account is locked after repeated failures; try again later.',
        {
          lockedUntil: account.locked_until?.toISOString(),
        },
      );
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.#sessionTtlMinutes * 60_000);
    await inTransaction(this.#db, async (trx) => {
      await trx
        .updateTable('operators')
        .set({ failed_attempts: 0, locked_until: null, failure_window_started_at: null })
        .where('id', '=', account.id)
        .execute();
      await trx
        .insertInto('operator_sessions')
        .values({
          token_hash: hashToken(token),
          operator_id: account.id,
          expires_at: expiresAt,
          revoked_at: null,
        })
        .execute();
      await recordAudit(trx, {
        actor,
        action: 'operator.sign_in',
        target: { type: 'operator', id: account.id },
        requestId,
      });
    });
    return { token, expiresAt: expiresAt.toISOString(), operator: toOperator(account) };
  }

  /**
   * Changes an operator's own password: the current one must be right (a wrong one counts towards
   * the lock-out like a failed sign-in), the new one must pass the password policy. Every other
   * session of the operator is revoked; `keepToken`'s stays.
   */
  async changePassword(
    operatorId: string,
    change: { readonly currentPassword: string; readonly newPassword: string },
    options: { readonly keepToken?: string; readonly requestId?: string } = {},
  ): Promise<void> {
    const now = this.#clock();
    const row = await this.#db
      .selectFrom('operators')
      .selectAll()
      .where('id', '=', operatorId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (!row) throw new AppError('UNAUTHORIZED');
    if (!(await verifyPassword(change.currentPassword, row.password_hash))) {
      await this.#recordFailure(row.id, now, options.requestId);
      throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong.', {
        fields: [{ field: 'currentPassword', message: 'is wrong' }],
      });
    }
    if (change.newPassword === change.currentPassword) {
      throw invalidField('newPassword', 'must differ from the current password');
    }
    await assertAcceptablePassword('newPassword', change.newPassword, {
      email: row.email,
      displayName: row.display_name,
    });
    const passwordHash = await hashPassword(change.newPassword);
    await inTransaction(this.#db, async (trx) => {
      await trx
        .updateTable('operators')
        .set({ password_hash: passwordHash, password_changed_at: now })
        .where('id', '=', row.id)
        .execute();
      let others = trx
        .updateTable('operator_sessions')
        .set({ revoked_at: now })
        .where('operator_id', '=', row.id)
        .where('revoked_at', 'is', null);
      if (options.keepToken !== undefined)
        others = others.where('token_hash', '<>', hashToken(options.keepToken));
      await others.execute();
      await recordAudit(trx, {
        actor: { type: 'operator', id: row.id },
        action: 'operator.password_change',
        target: { type: 'operator', id: row.id },
        requestId: options.requestId,
      });
    });
  }

  /** The hash to verify against when there is no account, so that timing does not reveal accounts. */
  #decoy(): Promise<string> {
    this.#decoyHash ??= hashPassword(generatePassword());
    return this.#decoyHash;
  }

  /**
   * Counts one failed sign-in of an account in one atomic UPDATE — `lockout.ts`'s `afterFailure`
   * in SQL — so that parallel failures are all counted (a read-then-write loses all but one of
   * them). An unknown email runs the same statement matching no row, and is audited without a target.
   */
  async #recordFailure(operatorId: string | undefined, now: Date, requestId?: string): Promise<void> {
    const windowStart = new Date(now.getTime() - FAILURE_WINDOW_MINUTES * 60_000);
    const lockedUntil = new Date(now.getTime() + LOCKOUT_MINUTES * 60_000);
    await inTransaction(this.#db, async (trx) => {
      const inWindow = sql<boolean>`(failure_window_started_at IS NOT NULL AND failure_window_started_at > ${windowStart})`;
      const attempts = sql<number>`(CASE WHEN ${inWindow} THEN failed_attempts + 1 ELSE 1 END)`;
      const reached = sql<boolean>`(${attempts} >= ${LOCKOUT_THRESHOLD})`;
      const counted = await trx
        .updateTable('operators')
        .set({
          failed_attempts: sql<number>`CASE WHEN ${reached} THEN 0 ELSE ${attempts} END`,
          locked_until: sql<Date | null>`CASE WHEN ${reached} THEN ${lockedUntil}::timestamptz ELSE locked_until END`,
          failure_window_started_at: sql<Date | null>`CASE WHEN ${reached} THEN NULL WHEN ${inWindow} THEN failure_window_started_at ELSE ${now}::timestamptz END`,
        })
        .where('id', '=', operatorId ?? NO_OPERATOR)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .returning(['locked_until'])
        .executeTakeFirst();
      const lockedNow = counted !== undefined && isLocked({ lockedUntil: counted.locked_until }, now);
      await recordAudit(trx, {
        actor: operatorId ? { type: 'operator', id: operatorId } : SYSTEM_ACTOR,
        action: lockedNow ? 'operator.sign_in_locked' : 'operator.sign_in_failed',
        ...(operatorId ? { target: { type: 'operator', id: operatorId } } : {}),
        requestId,
      });
    });
  }

  /** The operator behind a bearer token, or null when the token is unknown, expired or revoked. */
  async authenticate(token: string): Promise<Operator | null> {
    const row = await this.#db
      .selectFrom('operator_sessions as s')
      .innerJoin('operators as o', 'o.id', 's.operator_id')
      .selectAll('o')
      .where('s.token_hash', '=', hashToken(token))
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', this.#clock())
      .where('o.status', '=', 'active')
      .executeTakeFirst();
    return row ? toOperator(row) : null;
  }

  async signOut(token: string, actor: Actor, requestId?: string): Promise<void> {
    await inTransaction(this.#db, async (trx) => {
      await trx
        .updateTable('operator_sessions')
        .set({ revoked_at: this.#clock() })
        .where('token_hash', '=', hashToken(token))
        .where('revoked_at', 'is', null)
        .execute();
      await recordAudit(trx, { actor, action: 'operator.sign_out', requestId });
    });
  }
}
