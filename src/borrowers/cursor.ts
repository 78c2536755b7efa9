/**
 * Keyset cursors over (time, id), opaque to callers: a row added while someone pages never shifts
 * or repeats what they see.
 */
import { invalidField } from '../shared/errors.ts';

export interface TimeCursor {
  readonly at: Date;
  readonly id: string;
}

export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function decodeTimeCursor(cursor: string, field = 'query.cursor'): TimeCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const at = new Date(parsed[0]);
      if (!Number.isNaN(at.getTime()) && UUID.test(parsed[1])) return { at, id: parsed[1] };
    }
  } catch {
    // fall through to the refusal below
  }
  throw invalidField(field, 'is not a cursor this list returned');
}
