/**
 * Which database failures are transient: the connection is gone (the server restarted, a network
 * cut, the pool could not connect in time) or PostgreSQL aborted the transaction to resolve a
 * conflict. Pure: it looks at the error's SQLSTATE, its errno code or its message, never at I/O.
 */

/** SQLSTATEs of a connection lost or refused by the server (besides the whole class 08). */
const CONNECTION_SQLSTATES: ReadonlySet<string> = new Set([
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up or shutting down
]);

/** Socket errno codes of a database that cannot be reached. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Messages of `pg`, `pg-pool` and PGlite that carry no code: the socket ended, a client broken by
 * an earlier error was used, no connection came within `connectionTimeoutMillis`, or the embedded
 * database was closed under a request (shutdown).
 */
const CONNECTION_MESSAGES: readonly RegExp[] = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^PGlite is closed/,
];

/** SQLSTATEs after which PostgreSQL has rolled the transaction back and a rerun may succeed. */
const SERIALIZATION_SQLSTATES: ReadonlySet<string> = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The error and what it wraps (`cause`, AggregateError's `errors`), a few levels deep. */
function* chain(error: unknown, depth = 0): Generator<object> {
  if (typeof error !== 'object' || error === null || depth > 4) return;
  yield error;
  yield* chain((error as { cause?: unknown }).cause, depth + 1);
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested)) for (const inner of nested) yield* chain(inner, depth + 1);
}

/** True when the database connection was lost, refused or timed out. */
export function isConnectionFailure(error: unknown): boolean {
  for (const link of chain(error)) {
    const code = codeOf(link);
    if (code !== undefined) {
      if (/^08[0-9A-Z]{3}$/.test(code) || CONNECTION_SQLSTATES.has(code) || NETWORK_CODES.has(code))
        return true;
    }
    const message = (link as { message?: unknown }).message;
    if (typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message)))
      return true;
  }
  return false;
}

/**
 * True when no connection came within the pool's `connectionTimeoutMillis` (the database does not
 * answer, or the pool is exhausted): the time budget is spent, so waiting again is not worth it.
 */
export function isConnectTimeout(error: unknown): boolean {
  for (const link of chain(error)) {
    const message = (link as { message?: unknown }).message;
    if (
      typeof message === 'string' &&
      /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout)/.test(
        message,
      )
    )
      return true;
  }
  return false;
}

/** True when PostgreSQL aborted the transaction over a concurrent one (serialization, deadlock). */
export function isSerializationFailure(error: unknown): boolean {
  for (const link of chain(error)) {
    const code = codeOf(link);
    if (code !== undefined && SERIALIZATION_SQLSTATES.has(code)) return true;
  }
  return false;
}

/** A failure that says nothing about the request itself: answered 503, worth trying again later. */
export function isTransientDatabaseFailure(error: unknown): boolean {
  return isConnectionFailure(error) || isSerializationFailure(error);
}
