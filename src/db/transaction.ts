import type { Kysely, Transaction } from 'kysely';
import { AppError } from '../shared/errors.ts';
import { isConnectionFailure, isConnectTimeout, isSerializationFailure } from './failures.ts';

/**
 * A handle over the tables `DB`, usable both outside and inside a transaction. Each module types
 * its handle over its own tables (`Executor<LoanTables>`): the one `Kysely<Database>` the wiring
 * opens is assignable to it, and a query of another module's table then fails to type-check.
 */
export type Executor<DB> = Kysely<DB> | Transaction<DB>;

/**
 * A handle passed from one module to another so that the work of both runs on one connection —
 * a port call inside a callback's transaction, an audit record beside the change it records. Any
 * module's executor is one, but it shows nothing but whether it is a transaction: the module that
 * receives it opens its own tables on it (`ownTables`), so handing a transaction over gives no
 * module a view of another's tables.
 */
export interface SharedExecutor {
  readonly isTransaction: boolean;
}

/** A `SharedExecutor` that is a transaction (a port that must join the caller's). */
export interface SharedTransaction extends SharedExecutor {
  readonly isTransaction: true;
}

/**
 * The receiving module's view of a handle another module passed in: its own tables `DB`, nothing
 * else. Only a module's own tables may be named here (src/module-boundaries.test.ts checks it).
 */
export function ownTables<DB>(handle: SharedTransaction): Transaction<DB>;
export function ownTables<DB>(handle: SharedExecutor): Executor<DB>;
export function ownTables<DB>(handle: SharedExecutor): Executor<DB> {
  return handle as Executor<DB>;
}

/** How often, and how patiently, a transaction that failed for a transient reason is run again. */
export interface RetryPolicy {
  /** Runs in all, the first included; 1 turns retries off. */
  readonly attempts: number;
  /** Backoff before the n-th rerun: a random wait up to `baseDelayMs · 2^(n-1)` ("full jitter"). */
  readonly baseDelayMs: number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Three runs, the reruns after at most 25 ms and 50 ms: enough to ride out a reconnect. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 25 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Raised when the connection failed while COMMIT was in flight: the transaction may or may not
 * have committed, so it is never run again; the caller gets 503 and must check before repeating.
 */
export class CommitOutcomeUnknown extends AppError {
  constructor(cause: unknown) {
    super(
      'UNAVAILABLE',
      'The database connection was lost while saving; the change may or may not have been saved.',
    );
    this.cause = cause;
  }
}

/**
 * A lost connection or a conflict abort, rolled back by the server: a rerun may succeed. Not a
 * connect timeout — the request has already waited the pool's whole budget for a connection.
 */
function worthRerunning(failure: unknown): boolean {
  if (isSerializationFailure(failure)) return true;
  return isConnectionFailure(failure) && !isConnectTimeout(failure);
}

/**
 * Runs `work` in one transaction; commits if it resolves, rolls back if it throws. Nested calls
 * join the outer transaction, so a service can be called alone or as part of a larger unit.
 *
 * A transaction that fails for a transient reason (a lost connection, a serialization failure or
 * deadlock) while `work` is running — before COMMIT was sent — has been rolled back by the server,
 * so it is run again, up to `retry.attempts` runs in all, after a short random wait. So is one
 * that failed in BEGIN or in getting a connection (nothing ran), except after a connect timeout.
 * `work` must therefore do nothing but database work through `trx` (and pure computation): it may
 * run more than once. Two cases are never rerun:
 * - a failure during COMMIT: the server may have committed before the connection went, so a rerun
 *   could apply the change twice; it surfaces as `CommitOutcomeUnknown` (503 UNAVAILABLE);
 * - a nested call: only the outermost transaction can be rerun as a whole.
 */
export async function inTransaction<DB, T>(
  db: Executor<DB>,
  work: (trx: Transaction<DB>) => Promise<T>,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<DB>);
  for (let attempt = 1; ; attempt += 1) {
    // What `work` itself threw, if it did: Kysely may replace it by the error of its ROLLBACK.
    let workFailure: { error: unknown } | undefined;
    let workDone = false;
    try {
      return await db.transaction().execute(async (trx) => {
        try {
          const result = await work(trx);
          workDone = true;
          return result;
        } catch (error) {
          workFailure = { error };
          throw error;
        }
      });
    } catch (error) {
      // Kysely sends COMMIT right after `work` resolves: a failure after that is of the COMMIT.
      if (workDone) throw isConnectionFailure(error) ? new CommitOutcomeUnknown(error) : error;
      // Failed in BEGIN (nothing ran) or in `work` (rolled back): report what `work` threw.
      const failure = workFailure ? workFailure.error : error;
      if (attempt >= retry.attempts || !worthRerunning(failure)) throw failure;
      const ceiling = retry.baseDelayMs * 2 ** (attempt - 1);
      await (retry.sleep ?? sleep)(Math.floor((retry.random ?? Math.random)() * ceiling));
    }
  }
}
