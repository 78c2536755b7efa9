import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { columnName, writeXlsx } from './xlsx.ts';

/** Reads a zip through its central directory, checking each entry's CRC-32. */
function unzip(buffer: Buffer): Map<string, string> {
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const files = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    expect(buffer.readUInt32LE(at)).toBe(0x02014b50);
    const crc = buffer.readUInt32LE(at + 16);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const offset = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    const localName = buffer.readUInt16LE(offset + 26);
    const localExtra = buffer.readUInt16LE(offset + 28);
    const start = offset + 30 + localName + localExtra;
    const data = inflateRawSync(buffer.subarray(start, start + size));
    expect(crc32(data)).toBe(crc);
    files.set(name, data.toString('utf8'));
    at += 46 + nameLength;
  }
  return files;
}

describe('xlsx writer', () => {
  it('names columns like a spreadsheet', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });

  it('writes a zip of the parts a workbook needs, with escaped text and yuan amounts', () => {
    const workbook = writeXlsx([
      {
        name: 'Lines',
        rows: [
          ['loan', 'fee'],
          ['L-1 <&> "x"', { fen: 225_050 }],
          ['count', 3],
          [null, 'b'],
        ],
      },
      { name: 'a/b:c', rows: [['分润']] },
    ]);
    const files = unzip(workbook);
    expect([...files.keys()]).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/workbook.xml',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/worksheets/sheet1.xml',
      'xl/worksheets/sheet2.xml',
    ]);
    const sheet = files.get('xl/worksheets/sheet1.xml')!;
    expect(sheet).toContain(
      '<c r="A2" t="inlineStr"><is><t xml:space="preserve">L-1 &lt;&amp;&gt; &quot;x&quot;</t></is></c>',
    );
    expect(sheet).toContain('<c r="B2" s="1"><v>2250.50</v></c>');
    expect(sheet).toContain('<c r="B3"><v>3</v></c>');
    expect(sheet).toContain('<row r="4"><c r="B4" t="inlineStr">');
    expect(files.get('xl/workbook.xml')).toContain('<sheet name="a b c" sheetId="2" r:id="rId2"/>');
    expect(files.get('xl/worksheets/sheet2.xml')).toContain('分润');
    // Same content, same bytes.
    expect(writeXlsx([{ name: 'S', rows: [['x']] }]).equals(writeXlsx([{ name: 'S', rows: [['x']] }]))).toBe(
      true,
    );
  });
});
