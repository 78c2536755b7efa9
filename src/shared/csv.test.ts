import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, InputTooLargeError, parseCsv, readCsvRecords, toCsv } from './csv.ts';

const fields = (text: string) => parseCsv(text).map((record) => record.fields);

function refusal(text: string): { line: number; message: string } {
  try {
    parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { line: error.line, message: error.message };
    throw error;
  }
  throw new Error(`parsed: ${JSON.stringify(text)}`);
}

async function streamed(
  chunks: (string | Uint8Array)[],
  options: { maxBytes?: number; maxRecordSize?: number } = {},
) {
  const out: { line: number; fields: string[] }[] = [];
  for await (const batch of readCsvRecords(chunks, options)) out.push(...batch);
  return out;
}

describe('CSV reading', () => {
  it('parses quotes, embedded commas, quotes and line breaks, CRLF or LF, and a BOM', () => {
    expect(fields('\ufeffa,"b,c","d""e"\r\n"f\ng",,h\n')).toEqual([
      ['a', 'b,c', 'd"e'],
      ['f\ng', '', 'h'],
    ]);
    expect(fields('')).toEqual([]);
    expect(fields('a,b\r\nc,d\ne,f')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ]);
  });

  it('numbers each record by the line it starts on, blank lines and quoted line breaks counted', () => {
    expect(parseCsv('h\n\n"x\ny",1\n   \nz,2\n').map((r) => [r.line, r.fields])).toEqual([
      [1, ['h']],
      [3, ['x\ny', '1']],
      [6, ['z', '2']],
    ]);
    expect(parseCsv('h\r\n"a\r\nb",c\r\nd\r\n"e\nf"\r\ng\r\n').map((r) => [r.line, r.fields])).toEqual([
      [1, ['h']],
      [2, ['a\r\nb', 'c']],
      [4, ['d']],
      [5, ['e\nf']],
      [7, ['g']],
    ]);
    expect(refusal('h\r\n"a\r\nb",c\r\nd"e\r\n')).toMatchObject({ line: 4 });
  });

  // The cases the whitelist's line splitter and the settlement parser used to answer differently.
  it('reads the quoting cases the two old parsers disagreed on one way', () => {
    // Spaces around a quoted field (spreadsheets): the whitelist accepted them, settlement refused.
    expect(fields('a, "b" ,c\n')).toEqual([['a', 'b', 'c']]);
    // Spaces inside quotes: the whitelist trimmed them away, settlement kept them. Kept.
    expect(fields('" a ",b\n')).toEqual([[' a ', 'b']]);
    // A quoted line break: settlement read one field; the whitelist saw two broken lines.
    expect(fields('"u-1\nu-2",b\n')).toEqual([['u-1\nu-2', 'b']]);
    // Text after a closing quote: the whitelist glued it on ("ab"), settlement refused. Refused.
    expect(refusal('ok,1\n"a"b,1\n')).toEqual({
      line: 2,
      message: 'line 2: a closing quote must end the field',
    });
    // A quote inside an unquoted field: refused by both, still refused.
    expect(refusal('ok,1\nx"y",1\n')).toMatchObject({
      line: 2,
      message: expect.stringMatching(/quote inside/),
    });
    // A quote never closed swallows the rest of the file: refused at the line it opens on.
    expect(refusal('ok,1\n\n"open,1\nu-2,1\nu-3,1\n')).toEqual({
      line: 3,
      message: 'line 3: a quoted field is not closed',
    });
  });

  it('property: what toCsv writes, parseCsv reads back', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'Z', '1', ',', '"', '\r\n', '\n', ' ', '元'),
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        (rows) => {
          expect(parseCsv(toCsv(rows)).map((r) => r.fields)).toEqual(rows);
        },
      ),
    );
  });
});

describe('CSV writing', () => {
  it('writes CRLF, quotes only where needed, booleans and null as text', () => {
    expect(
      toCsv([
        ['a', 1, true, false, null],
        ['b,c', 'd"e', ' f', 'g\nh', '元'],
      ]),
    ).toBe('a,1,true,false,\r\n"b,c","d""e"," f","g\nh",元\r\n');
    expect(toCsv([])).toBe('');
  });
});

describe('CSV streaming', () => {
  it('streams records in batches across chunk borders, UTF-8 split across chunks included', async () => {
    const bytes = new TextEncoder().encode('权益页,1\n二手,"2\n3"\n');
    expect(
      await streamed([bytes.slice(0, 2), bytes.slice(2, 7), bytes.slice(7, 15), bytes.slice(15)]),
    ).toEqual([
      { line: 1, fields: ['权益页', '1'] },
      { line: 2, fields: ['二手', '2\n3'] },
    ]);
    expect(await streamed(['a,b\r', '\nc', 'd\ne\n', 'f'])).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['cd'] },
      { line: 3, fields: ['e'] },
      { line: 4, fields: ['f'] },
    ]);
  });

  it('refuses a malformed record by its line, a record past the size bound, and input past the byte limit', async () => {
    await expect(streamed(['a,1\nb,1\n', 'c"d,1\n'])).rejects.toMatchObject({
      name: 'CsvSyntaxError',
      line: 3,
    });
    await expect(streamed([`ok\n${'x'.repeat(50)}\nnext\n`], { maxRecordSize: 30 })).rejects.toMatchObject({
      name: 'CsvSyntaxError',
      line: 2,
      message: 'line 2: a record longer than 30 characters',
    });
    const chunk = new TextEncoder().encode('a\n'.repeat(10));
    await expect(streamed([chunk, chunk], { maxBytes: 30 })).rejects.toBeInstanceOf(InputTooLargeError);
  });
});
