import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chinaDate } from '../shared/china-date.ts';
import { ageBand, ageOn, idNumberCheckCharacter, parseIdNumber } from './id-number.ts';
import { idNumberOf, validIdNumber } from './testing.ts';

const TODAY = '2026-11-29';

describe('resident id numbers (GB 11643)', () => {
  it('accepts the standard worked example and extracts birth date and province', () => {
    // The example of GB 11643-1999 itself: check character X.
    expect(idNumberCheckCharacter('11010519491231002')).toBe('X');
    const parsed = parseIdNumber('11010519491231002x', TODAY);
    expect(parsed).toEqual({
      ok: true,
      value: { normalized: '11010519491231002X', birthDate: '1949-12-31', regionPrefix: '110000' },
    });
  });

  it('refuses a wrong check character, a bad date, a future birth, an unknown province, a bad shape', () => {
    const valid = idNumberOf('310104', '19880229', '456');
    const wrongCheck = `${valid.slice(0, 17)}${valid[17] === '0' ? '1' : '0'}`;
    expect(parseIdNumber(wrongCheck, TODAY)).toEqual({ ok: false, message: 'checksum does not match' });
    expect(parseIdNumber(idNumberOf('310104', '19890229', '456'), TODAY)).toMatchObject({
      message: 'does not contain a valid birth date',
    });
    expect(parseIdNumber(idNumberOf('310104', '20270101', '456'), TODAY)).toMatchObject({
      message: 'contains a birth date in the future',
    });
    expect(parseIdNumber(idNumberOf('990104', '19900101', '456'), TODAY)).toMatchObject({
      message: 'does not start with a known province code',
    });
    for (const shape of ['', '1234', '11010519491231002Y', '1101051949123100211', 'X1010519491231002']) {
      expect(parseIdNumber(shape, TODAY).ok).toBe(false);
    }
  });

  it('never repeats the value in a refusal', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9X]{5,20}$/), (input) => {
        const result = parseIdNumber(input, TODAY);
        if (!result.ok) expect(result.message).not.toContain(input);
      }),
    );
  });

  it('accepts every well-formed number and refuses any single changed character (property)', () => {
    fc.assert(
      fc.property(
        validIdNumber,
        fc.integer({ min: 0, max: 17 }),
        fc.integer({ min: 1, max: 10 }),
        (id, at, shift) => {
          expect(parseIdNumber(id, TODAY).ok).toBe(true);
          const alphabet = '0123456789X';
          const replaced = alphabet[(alphabet.indexOf(id[at]!) + shift) % 11]!;
          const changed = `${id.slice(0, at)}${replaced}${id.slice(at + 1)}`;
          // MOD 11-2 detects every single-character substitution.
          expect(parseIdNumber(changed, TODAY).ok).toBe(false);
        },
      ),
    );
  });

  it('computes ages and the protocol age bands; minors have none', () => {
    expect(ageOn('2000-11-29', TODAY)).toBe(26);
    expect(ageOn('2000-11-30', TODAY)).toBe(25);
    expect(ageOn('2008-11-30', TODAY)).toBe(17);
    expect([17, 18, 24, 25, 34, 35, 44, 45, 54, 55, 90].map(ageBand)).toEqual([
      null,
      '18-24',
      '18-24',
      '25-34',
      '25-34',
      '35-44',
      '35-44',
      '45-54',
      '45-54',
      '55+',
      '55+',
    ]);
  });

  it('reads today in China time', () => {
    expect(chinaDate(new Date('2026-11-28T16:00:00Z'))).toBe('2026-11-29');
    expect(chinaDate(new Date('2026-11-28T15:59:59Z'))).toBe('2026-11-28');
  });
});
