/**
 * One mapping from PostgreSQL types to JavaScript values for both drivers, so that a query returns
 * the same shapes on PGlite and on PostgreSQL.
 * - int8 (fen amounts, counters) → number, refusing values beyond 2^53 instead of losing precision;
 * - numeric (exact rates) → string, never a float;
 * - date → the ISO `YYYY-MM-DD` string, never a Date shifted by the process time zone.
 */
export const PG_TYPE = { INT8: 20, NUMERIC: 1700, DATE: 1082 } as const;

export function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed))
    throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return parsed;
}

export const TYPE_PARSERS: Readonly<Record<number, (value: string) => unknown>> = {
  [PG_TYPE.INT8]: parseInt8,
  [PG_TYPE.NUMERIC]: (value: string) => value,
  [PG_TYPE.DATE]: (value: string) => value,
};
