/** Any RFC 4122 UUID in its canonical textual form, the shape PostgreSQL's `uuid` accepts back. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a caller's id can name a row keyed by a `uuid` column. Ask before querying: PostgreSQL
 * refuses to cast anything else (22P02), which would surface as a 500 for what is only "unknown".
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
