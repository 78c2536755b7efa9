/**
 * Splits a byte stream into text lines without holding more than one chunk and one partial line
 * in memory, so that a file of any size can be read. Lines come in batches (one per chunk) to
 * keep the per-line cost of async iteration away from a 10-million-line import.
 */

/** A line longer than the limit: reported by its line number, never kept in memory. */
export const LINE_TOO_LONG = null;
export type Line = string | typeof LINE_TOO_LONG;

export class InputTooLargeError extends Error {
  constructor(maxBytes: number) {
    super(`The input is larger than ${maxBytes} bytes.`);
    this.name = 'InputTooLargeError';
  }
}

/** A stream of file chunks: a Node stream, a web stream, or an array of strings in tests. */
export type ChunkSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface LineOptions {
  /** Longer lines come out as LINE_TOO_LONG. */
  readonly maxLineLength: number;
  /** Stop with InputTooLargeError past this many bytes (undefined: no limit). */
  readonly maxBytes?: number;
}

/** Lines of a UTF-8 stream (LF or CRLF), in batches; a last line without a newline is kept. */
export async function* readLineBatches(source: ChunkSource, options: LineOptions): AsyncGenerator<Line[]> {
  const decoder = new TextDecoder('utf-8');
  const max = options.maxLineLength;
  let carry = '';
  // Inside a line already known to be too long: drop text until its newline.
  let skipping = false;
  let bytes = 0;
  const take = (text: string, batch: Line[]): void => {
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      if (skipping) {
        skipping = false;
        batch.push(LINE_TOO_LONG);
      } else {
        let line = carry === '' ? text.slice(start, newline) : carry + text.slice(start, newline);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        batch.push(line.length > max ? LINE_TOO_LONG : line);
      }
      carry = '';
      start = newline + 1;
    }
    if (!skipping) {
      carry += text.slice(start);
      if (carry.length > max + 1) {
        skipping = true;
        carry = '';
      }
    }
  };
  for await (const chunk of source) {
    const batch: Line[] = [];
    if (typeof chunk === 'string') take(chunk, batch);
    else {
      bytes += chunk.byteLength;
      if (options.maxBytes !== undefined && bytes > options.maxBytes)
        throw new InputTooLargeError(options.maxBytes);
      take(decoder.decode(chunk, { stream: true }), batch);
    }
    if (batch.length > 0) yield batch;
  }
  const last: Line[] = [];
  take(decoder.decode(), last);
  if (skipping) last.push(LINE_TOO_LONG);
  else if (carry !== '') {
    const line = carry.endsWith('\r') ? carry.slice(0, -1) : carry;
    last.push(line.length > max ? LINE_TOO_LONG : line);
  }
  if (last.length > 0) yield last;
}
