/**
 * CSV in and out, one dialect for every file the platform reads or writes (whitelists,
 * reconciliation files, statements, reports): RFC 4180 through `csv-parse` and `csv-stringify`.
 *
 * Reading: LF or CRLF (mixed too), a BOM ignored, blank lines skipped, spaces around a field
 * ignored (` "a b" ` is `a b`; spaces inside quotes are kept), quoted fields may hold commas,
 * quotes (`""`) and line breaks. Anything else with a quote is malformed and refused with the
 * line it is on: a quote inside an unquoted field (`a"b`), text after a closing quote (`"a"b`),
 * a quote never closed. Records may differ in length; callers check their own columns.
 *
 * Writing: CRLF line ends, quotes only where needed (and around a field with spaces at either end,
 * so that reading it back keeps them).
 */
import { CsvError, type InfoRecord, type Options, Parser } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** One record and the line it starts on (1-based; a quoted line break makes a record span lines). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

export class InputTooLargeError extends Error {
  constructor(maxBytes: number) {
    super(`The input is larger than ${maxBytes} bytes.`);
    this.name = 'InputTooLargeError';
  }
}

/** A stream of file chunks: a Node stream, a web stream, or an array of strings in tests. */
export type ChunkSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface ReadOptions {
  /** A longer record is malformed (memory stays bounded whatever the input). */
  readonly maxRecordSize?: number;
}

const DIALECT = {
  bom: true,
  record_delimiter: ['\r\n', '\n'],
  relax_column_count: true,
  trim: true,
  skip_empty_lines: true,
} as const satisfies Options;

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * Where the reader stands: the last record's end line, the blank lines skipped so far, and how many
 * lines csv-parse counted twice (it counts a CRLF inside quotes as two lines, outside as one).
 */
interface Position {
  endLine: number;
  emptyLines: number;
  overcount: number;
}

const CRLF = /\r\n/g;
const count = (fields: readonly string[], pattern: RegExp) =>
  fields.reduce((n, field) => n + (field.match(pattern)?.length ?? 0), 0);

/**
 * csv-parse's options, each record turned into a CsvRecord (the typings expect string[] out) —
 * or, given a sink, handed to it as it is parsed instead of queued on the stream.
 */
function parserOptions(
  options: ReadOptions,
  position: Position,
  sink?: (record: CsvRecord) => void,
): Options {
  const onRecord = (fields: string[], context: InfoRecord): CsvRecord | null => {
    position.overcount += count(fields, CRLF);
    position.endLine = context.lines - position.overcount;
    position.emptyLines = context.empty_lines;
    const record = { line: position.endLine - count(fields, LINE_BREAK), fields };
    if (!sink) return record;
    sink(record);
    return null;
  };
  return {
    ...DIALECT,
    ...(options.maxRecordSize !== undefined ? { max_record_size: options.maxRecordSize } : {}),
    on_record: onRecord as unknown as Options['on_record'],
  };
}

const MESSAGES: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field, doubling its quotes)',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote must end the field',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a closing quote must end the field',
};

/** csv-parse's error as a CsvSyntaxError naming the line; anything else unchanged. */
function syntaxError(error: unknown, position: Position, options: ReadOptions): unknown {
  if (!(error instanceof CsvError)) return error;
  const info = error as CsvError & { lines?: number; empty_lines?: number };
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    // Reported at the end of the input; the quote opened on the first line of the record.
    const skipped = (info.empty_lines ?? position.emptyLines) - position.emptyLines;
    return new CsvSyntaxError(position.endLine + 1 + skipped, MESSAGES[error.code]!);
  }
  const line = info.lines === undefined ? position.endLine + 1 : info.lines - position.overcount;
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    return new CsvSyntaxError(line, `a record longer than ${options.maxRecordSize} characters`);
  }
  return new CsvSyntaxError(line, MESSAGES[error.code] ?? error.message.replace(/ at line \d+.*$/, ''));
}

/** Parses a whole CSV text (throws CsvSyntaxError). */
export function parseCsv(text: string, options: ReadOptions = {}): CsvRecord[] {
  const position: Position = { endLine: 0, emptyLines: 0, overcount: 0 };
  try {
    return parse(text, parserOptions(options, position)) as unknown as CsvRecord[];
  } catch (error) {
    throw syntaxError(error, position, options);
  }
}

/**
 * Streams a CSV through csv-parse (a stream Transform), one source chunk at a time: the records of
 * each chunk come as one batch, memory holds a chunk and one record in progress, and the source is
 * read no further ahead than the consumer. Throws CsvSyntaxError on a malformed record (after the
 * records before it) and InputTooLargeError past `maxBytes`.
 */
export async function* readCsvRecords(
  source: ChunkSource,
  options: ReadOptions & { readonly maxBytes?: number } = {},
): AsyncGenerator<CsvRecord[]> {
  const position: Position = { endLine: 0, emptyLines: 0, overcount: 0 };
  let records: CsvRecord[] = [];
  const parser = new Parser(parserOptions(options, position, (record) => records.push(record)));
  // Errors arrive through the write and end callbacks below.
  parser.on('error', () => {});
  const write = (chunk: Uint8Array | string) =>
    new Promise<void>((resolve, reject) =>
      parser.write(chunk, (error) => (error ? reject(error) : resolve())),
    );
  const end = () =>
    new Promise<void>((resolve, reject) =>
      parser.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  const take = () => {
    const batch = records;
    records = [];
    return batch;
  };
  let failure: unknown;
  let bytes = 0;
  try {
    for await (const chunk of source) {
      if (options.maxBytes !== undefined && typeof chunk !== 'string') {
        bytes += chunk.byteLength;
        if (bytes > options.maxBytes) throw new InputTooLargeError(options.maxBytes);
      }
      if (chunk.length === 0) continue;
      await write(chunk);
      if (records.length > 0) yield take();
    }
    await end();
  } catch (error) {
    failure = syntaxError(error, position, options);
  } finally {
    parser.destroy();
  }
  if (records.length > 0) yield take();
  if (failure !== undefined) throw failure;
}

export type CsvValue = string | number | boolean | null;

/** CSV text of the rows: CRLF line ends, quotes only where needed. */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return stringify(rows as CsvValue[][], {
    record_delimiter: '\r\n',
    // csv-stringify quotes the record delimiter (CRLF) but not a lone LF or CR; both are quoted here.
    quoted_match: /^\s|\s$|[\r\n]/,
    cast: { boolean: (value) => String(value) },
  });
}
