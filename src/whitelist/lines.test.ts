import { describe, expect, it } from 'vitest';
import { InputTooLargeError, LINE_TOO_LONG, type Line, readLineBatches } from './lines.ts';

async function lines(
  chunks: (string | Uint8Array)[],
  maxLineLength = 100,
  maxBytes?: number,
): Promise<Line[]> {
  const out: Line[] = [];
  const options = { maxLineLength, ...(maxBytes !== undefined ? { maxBytes } : {}) };
  for await (const batch of readLineBatches(chunks, options)) out.push(...batch);
  return out;
}

describe('readLineBatches', () => {
  it('splits on LF and CRLF across chunk borders and keeps a last line without newline', async () => {
    expect(await lines(['a,b\r', '\nc', 'd\ne\n', 'f'])).toEqual(['a,b', 'cd', 'e', 'f']);
    expect(await lines(['x\n\ny\n'])).toEqual(['x', '', 'y']);
    expect(await lines([''])).toEqual([]);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = new TextEncoder().encode('权益页\n二手\n');
    expect(await lines([bytes.slice(0, 2), bytes.slice(2, 7), bytes.slice(7)])).toEqual(['权益页', '二手']);
  });

  it('reports over-long lines without keeping them, and goes on with the next line', async () => {
    const long = 'x'.repeat(50);
    expect(await lines([`ok\n${long.slice(0, 20)}`, long, `\nnext\n${long}`], 30)).toEqual([
      'ok',
      LINE_TOO_LONG,
      'next',
      LINE_TOO_LONG,
    ]);
  });

  it('stops past the byte limit', async () => {
    const chunk = new TextEncoder().encode('a\n'.repeat(10));
    await expect(lines([chunk, chunk], 100, 30)).rejects.toBeInstanceOf(InputTooLargeError);
  });
});
