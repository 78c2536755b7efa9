import { describe, expect, it } from 'vitest';
import { parseCsv } from '../shared/csv.ts';
import { parseHeader as headerOf, parseRow as rowOf } from './csv.ts';
import type { WhitelistKeyType } from './tables.ts';

// Each line goes through the CSV reader the importer uses, then the whitelist's rules.
const fieldsOf = (line: string) => parseCsv(line)[0]?.fields ?? [];
const parseHeader = (line: string) => headerOf(fieldsOf(line));
const parseRow = (line: string, keyType: WhitelistKeyType) => rowOf(fieldsOf(line), keyType);

describe('whitelist CSV', () => {
  it('reads either header, with a BOM, spaces or capitals', () => {
    expect(parseHeader('channel_user_id,segment,limit_fen')).toEqual({
      ok: true,
      keyType: 'channel_user_id',
    });
    expect(parseHeader('\uFEFFPhone_SHA256, segment ,limit_fen')).toEqual({
      ok: true,
      keyType: 'phone_sha256',
    });
    expect(parseHeader('user,segment,limit_fen').ok).toBe(false);
    expect(parseHeader('channel_user_id,segment').ok).toBe(false);
  });

  it('reads quoted fields as spreadsheets write them', () => {
    expect(fieldsOf('a, b ,c')).toEqual(['a', 'b', 'c']);
    expect(fieldsOf('"a,1","b""q",')).toEqual(['a,1', 'b"q', '']);
    expect(parseRow('"u-1", "prime" ,""', 'channel_user_id')).toEqual({
      ok: true,
      entry: { key: 'u-1', segment: 'prime', limitFen: null },
    });
    // Spaces inside quotes are the field's own: not a valid key.
    expect(parseRow('" u-1 ",prime,', 'channel_user_id').ok).toBe(false);
    expect(() => fieldsOf('"open,b,c')).toThrow(/not closed/);
    expect(() => fieldsOf('x"y",b,c')).toThrow(/quote inside/);
  });

  it('accepts good rows and normalises phone hashes to lower case', () => {
    expect(parseRow('u-1,prime,500000', 'channel_user_id')).toEqual({
      ok: true,
      entry: { key: 'u-1', segment: 'prime', limitFen: 500000 },
    });
    expect(parseRow('u-2,std,', 'channel_user_id')).toEqual({
      ok: true,
      entry: { key: 'u-2', segment: 'std', limitFen: null },
    });
    const hash = 'A'.repeat(64);
    expect(parseRow(`${hash},a,1`, 'phone_sha256')).toEqual({
      ok: true,
      entry: { key: 'a'.repeat(64), segment: 'a', limitFen: 1 },
    });
  });

  it('explains each bad row', () => {
    const message = (line: string, type: 'channel_user_id' | 'phone_sha256' = 'channel_user_id') => {
      const result = parseRow(line, type);
      return result.ok ? 'ok' : result.message;
    };
    expect(message('u-1,prime')).toMatch(/expected 3 fields/);
    expect(message('u 1,prime,1')).toMatch(/channel_user_id/);
    expect(message('u-1,pr ime,1')).toMatch(/segment/);
    expect(message('u-1,prime,0')).toMatch(/limit_fen/);
    expect(message('u-1,prime,-5')).toMatch(/limit_fen/);
    expect(message('u-1,prime,1.5')).toMatch(/limit_fen/);
    expect(message('u-1,prime,99999999999')).toMatch(/limit_fen/);
    expect(message('abc,prime,1', 'phone_sha256')).toMatch(/64 hexadecimal/);
    expect(message('u-1,prime,1,extra')).toMatch(/expected 3 fields/);
  });
});
