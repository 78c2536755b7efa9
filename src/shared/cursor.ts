/**
 * Keyset pagination cursors: the sort key of the last row of a page, opaque to callers. Keyset
 * (not offset) so that a row inserted while someone pages never shifts or repeats what they see.
 * A cursor that does not decode is the caller's mistake (VALIDATION_FAILED on `field`), never a
 * query: an id is checked before it reaches SQL, so a forged one cannot become a 500.
 */
import { invalidField } from './errors.ts';
import { isUuid } from './ids.ts';

/** A (timestamp, id) position, for tables ordered newest first by creation time, then id. */
export interface TimeCursor {
  readonly at: Date;
  readonly id: string;
}

export interface CursorOptions {
  /** The request field named in the refusal (default `cursor`). */
  readonly field?: string;
  /** Which ids the list's id column holds (default: UUIDs). */
  readonly isId?: (id: string) => boolean;
}

const NOT_OURS = 'is not a cursor this list returned';

export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

export function decodeTimeCursor(cursor: string, options: CursorOptions = {}): TimeCursor {
  const isId = options.isId ?? isUuid;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    ) {
      const at = new Date(parsed[0]);
      if (!Number.isNaN(at.getTime()) && isId(parsed[1])) return { at, id: parsed[1] };
    }
  } catch {
    // fall through to the refusal below
  }
  throw invalidField(options.field ?? 'cursor', NOT_OURS);
}

/** A serial-id position, for append-only tables ordered by their bigserial id. */
export function encodeIdCursor(id: number): string {
  return Buffer.from(String(id)).toString('base64url');
}

export function decodeIdCursor(cursor: string, options: Pick<CursorOptions, 'field'> = {}): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = /^(0|[1-9][0-9]*)$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw invalidField(options.field ?? 'cursor', NOT_OURS);
  return id;
}
