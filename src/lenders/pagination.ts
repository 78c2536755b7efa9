/**
 * Keyset pagination cursors: the sort key of the last row of a page, opaque to callers. Keyset
 * (not offset) so that a row inserted while someone pages never shifts or repeats what they see.
 */
import { invalidField } from '../shared/errors.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** A (timestamp, id) position, for tables ordered newest first by creation time. */
export interface TimeCursor {
  readonly at: Date;
  readonly id: string;
}

export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

export function decodeTimeCursor(cursor: string): TimeCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    ) {
      const at = new Date(parsed[0]);
      if (!Number.isNaN(at.getTime())) return { at, id: parsed[1] };
    }
  } catch {
    // fall through to the refusal below
  }
  throw invalidField('cursor', 'is not a cursor this list returned');
}

/** A serial-id position, for append-only tables ordered by their bigserial id. */
export function encodeIdCursor(id: number): string {
  return Buffer.from(String(id)).toString('base64url');
}

export function decodeIdCursor(cursor: string): number {
  const id = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(id) || id < 0) throw invalidField('cursor', 'is not a cursor this list returned');
  return id;
}

/** Fetch `limit + 1` rows; the extra one only tells whether there is a next page. */
export function pageOf<R, T>(
  rows: readonly R[],
  limit: number,
  toItem: (row: R) => T,
  cursorOf: (row: R) => string,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null,
  };
}
