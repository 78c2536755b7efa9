import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import { afterFailure, isLocked } from './lockout.ts';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';
import { isOperatorRole, type OperatorRole } from './roles.ts';
import type { OperatorRow } from './tables.ts';

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

export const MIN_PASSWORD_LENGTH = 12;

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
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw invalidField('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
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
  readonly #db: Executor;
  readonly #clock: Clock;
  readonly #sessionTtlMinutes: number;
  /** A hash to verify against when the email is unknown, so that timing does not reveal accounts. */
  #decoyHash: Promise<string> | undefined;

  constructor(db: Executor, options: OperatorServiceOptions) {
    this.#db = db;
    this.#clock = options.clock;
    this.#sessionTtlMinutes = options.sessionTtlMinutes;
  }

  async create(input: NewOperator, actor: Actor, requestId?: string): Promise<Operator> {
    validateNewOperator(input);
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

  async signIn(email: string, password: string, requestId?: string): Promise<SignInResult> {
    const now = this.#clock();
    const row = await this.#db
      .selectFrom('operators')
      .selectAll()
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
    if (row?.status !== 'active') {
      this.#decoyHash ??= hashPassword(generatePassword());
      await verifyPassword(password, await this.#decoyHash);
      throw new AppError('INVALID_CREDENTIALS');
    }
    const state = { failedAttempts: row.failed_attempts, lockedUntil: row.locked_until };
    if (isLocked(state, now)) {
      throw new AppError(
        'ACCOUNT_LOCKED',
        'The account is locked after repeated failures; try again later.',
        {
          lockedUntil: state.lockedUntil?.toISOString(),
        },
      );
    }
    const actor: Actor = { type: 'operator', id: row.id };
    if (!(await verifyPassword(password, row.password_hash))) {
      const next = afterFailure(state, now);
      await inTransaction(this.#db, async (trx) => {
        await trx
          .updateTable('operators')
          .set({ failed_attempts: next.failedAttempts, locked_until: next.lockedUntil })
          .where('id', '=', row.id)
          .execute();
        await recordAudit(trx, {
          actor,
          action: isLocked(next, now) ? 'operator.sign_in_locked' : 'operator.sign_in_failed',
          target: { type: 'operator', id: row.id },
          requestId,
        });
      });
      throw new AppError('INVALID_CREDENTIALS');
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.#sessionTtlMinutes * 60_000);
    await inTransaction(this.#db, async (trx) => {
      await trx
        .updateTable('operators')
        .set({ failed_attempts: 0, locked_until: null })
        .where('id', '=', row.id)
        .execute();
      await trx
        .insertInto('operator_sessions')
        .values({
          token_hash: hashToken(token),
          operator_id: row.id,
          expires_at: expiresAt,
          revoked_at: null,
        })
        .execute();
      await recordAudit(trx, {
        actor,
        action: 'operator.sign_in',
        target: { type: 'operator', id: row.id },
        requestId,
      });
    });
    return { token, expiresAt: expiresAt.toISOString(), operator: toOperator(row) };
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
