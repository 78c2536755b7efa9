import { describe, expect, it } from 'vitest';
import { decodeIdCursor, decodeTimeCursor, encodeIdCursor, encodeTimeCursor } from './cursor.ts';
import { AppError } from './errors.ts';

const ID = '0b6f2f7e-3c1a-4d2e-9f00-5a6b7c8d9e0f';
const forged = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

function refusal(run: () => unknown): { field: string; message: string } | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError && error.code === 'VALIDATION_FAILED') {
      return (error.details as { fields: { field: string; message: string }[] }).fields[0];
    }
    throw error;
  }
  return undefined;
}

describe('keyset cursors', () => {
  it('gives back the (time, id) position it encoded, to the millisecond', () => {
    const at = new Date('2026-11-29T10:00:00.123Z');
    const cursor = encodeTimeCursor(at, ID);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTimeCursor(cursor)).toEqual({ at, id: ID });
    expect(
      decodeTimeCursor(encodeTimeCursor(at, 'pck_abc.DEF-1'), { isId: (id) => /^[\w.-]+$/.test(id) }),
    ).toEqual({
      at,
      id: 'pck_abc.DEF-1',
    });
  });

  it('refuses what it did not write, naming the field, before anything reaches SQL', () => {
    const cases = [
      'garbage',
      '',
      forged(['2026-11-29T10:00:00Z']),
      forged(['2026-11-29T10:00:00Z', ID, 'extra']),
      forged(['yesterday', ID]),
      forged(['2026-11-29T10:00:00Z', 'not-a-uuid']), // would be a 22P02 on a uuid column
      forged({ at: '2026-11-29T10:00:00Z', id: ID }),
      forged(['2026-11-29T10:00:00Z', 7]),
    ];
    for (const cursor of cases) {
      expect(
        refusal(() => decodeTimeCursor(cursor)),
        cursor,
      ).toEqual({
        field: 'cursor',
        message: 'is not a cursor this list returned',
      });
    }
    expect(refusal(() => decodeTimeCursor('garbage', { field: 'query.cursor' }))?.field).toBe('query.cursor');
    expect(
      refusal(() => decodeTimeCursor(encodeTimeCursor(new Date(), 'x y'), { isId: () => false })),
    ).toBeDefined();
  });

  it('pages serial ids with a cursor of their own', () => {
    expect(decodeIdCursor(encodeIdCursor(0))).toBe(0);
    expect(decodeIdCursor(encodeIdCursor(9_007_199_254_740_991))).toBe(9_007_199_254_740_991);
    for (const text of ['-1', '1.5', '', ' 12', '12abc', '9007199254740993', '0x10']) {
      const cursor = Buffer.from(text).toString('base64url');
      expect(
        refusal(() => decodeIdCursor(cursor)),
        text,
      ).toEqual({
        field: 'cursor',
        message: 'is not a cursor this list returned',
      });
    }
  });
});
