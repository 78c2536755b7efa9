/**
 * Test support: searches captured log lines and a dump of every database table for the test
 * borrowers' personal data — in plain text and in the encodings a leak usually takes (hex, base64
 * standard and url-safe at every byte alignment, JSON `\uXXXX` escapes, percent-encoding). A test
 * gives it the secrets it planted (names, id numbers, phones, card numbers, contacts) and expects
 * no hit. See src/testing/pii-scan.test.ts for the self-test that plants each form.
 */
import { type Kysely, sql } from 'kysely';

/** One value that must never be stored or logged readably, with a label for the report. */
export interface PiiSecret {
  readonly label: string;
  readonly value: string;
}

/** A body of text to search: a log stream, one table's rows, a sandbox's output… */
export interface ScanSource {
  /** Where the text comes from, for the report (e.g. `log`, `table borrowers`). */
  readonly where: string;
  readonly text: string;
  /** Which row of a table (its first column's value), when the source is one row. */
  readonly row?: string;
}

/** One encoded form of a secret and the string searched for. */
export interface EncodedForm {
  readonly form: string;
  readonly needle: string;
}

export interface PiiHit {
  readonly secret: string;
  readonly form: string;
  readonly where: string;
  readonly row?: string;
  /** Up to 40 characters either side of the hit, the needle itself masked. */
  readonly context: string;
}

export interface PiiScanResult {
  readonly hits: readonly PiiHit[];
  /** Characters searched, per source. */
  readonly scanned: Readonly<Record<string, number>>;
  /** Needles searched for per secret (forms × alignments), to show the scan was not empty. */
  readonly needles: number;
}

/**
 * Base64 of `bytes` as it appears inside a longer base64 text when `bytes` start at offset
 * ≡ `alignment` (mod 3): only the characters that depend on these bytes alone.
 */
function base64Aligned(bytes: Buffer, alignment: 0 | 1 | 2): string {
  const encoded = Buffer.concat([Buffer.alloc(alignment), bytes]).toString('base64');
  const start = Math.ceil((8 * alignment) / 6);
  const end = Math.floor((8 * (alignment + bytes.length)) / 6);
  return encoded.slice(start, end);
}

function toUrlSafe(base64: string): string {
  return base64.replaceAll('+', '-').replaceAll('/', '_');
}

/** `\uXXXX` for every character outside printable ASCII (as JSON.stringify with ASCII output). */
function jsonEscaped(value: string, upper: boolean): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f) {
      out += char;
      continue;
    }
    // Astral characters are two UTF-16 escapes, as JSON writes them.
    for (const unit of char.length === 2 ? [char.charCodeAt(0), char.charCodeAt(1)] : [code]) {
      const hex = unit.toString(16).padStart(4, '0');
      out += `\\u${upper ? hex.toUpperCase() : hex}`;
    }
  }
  return out;
}

/** Every form a secret is searched in. Needles shorter than 4 characters are dropped (noise). */
export function encodedForms(value: string): EncodedForm[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms: EncodedForm[] = [
    { form: 'plain', needle: value },
    { form: 'hex', needle: bytes.toString('hex') },
    { form: 'HEX', needle: bytes.toString('hex').toUpperCase() },
    { form: 'percent-encoded', needle: encodeURIComponent(value) },
    { form: 'base64', needle: bytes.toString('base64') },
    { form: 'base64url', needle: bytes.toString('base64url') },
  ];
  for (const alignment of [0, 1, 2] as const) {
    const aligned = base64Aligned(bytes, alignment);
    forms.push({ form: `base64 (offset ${alignment} mod 3)`, needle: aligned });
    forms.push({ form: `base64url (offset ${alignment} mod 3)`, needle: toUrlSafe(aligned) });
  }
  for (const upper of [false, true]) {
    const escaped = jsonEscaped(value, upper);
    const name = upper ? 'json \\U escape' : 'json \\u escape';
    forms.push({ form: name, needle: escaped });
    // The same inside a JSON string (a serialized body logged or stored as text): backslashes doubled.
    forms.push({ form: `${name} (nested)`, needle: escaped.replaceAll('\\', '\\\\') });
  }
  const seen = new Set<string>();
  return forms.filter(({ form, needle }) => {
    // The secret itself is always searched; a derived form shorter than 4 characters is noise.
    if ((form !== 'plain' && needle.length < 4) || seen.has(needle)) return false;
    seen.add(needle);
    return true;
  });
}

/** Searches every source for every encoded form of every secret. */
export function scanForPii(sources: readonly ScanSource[], secrets: readonly PiiSecret[]): PiiScanResult {
  const hits: PiiHit[] = [];
  const scanned: Record<string, number> = {};
  let needles = 0;
  const unique = new Map(secrets.filter((s) => s.value.length > 0).map((s) => [s.value, s]));
  const prepared = [...unique.values()].map((secret) => ({ secret, forms: encodedForms(secret.value) }));
  for (const { forms } of prepared) needles += forms.length;
  for (const source of sources) {
    scanned[source.where] = (scanned[source.where] ?? 0) + source.text.length;
    for (const { secret, forms } of prepared) {
      for (const { form, needle } of forms) {
        let at = source.text.indexOf(needle);
        while (at !== -1) {
          const before = source.text.slice(Math.max(0, at - 40), at);
          const after = source.text.slice(at + needle.length, at + needle.length + 40);
          hits.push({
            secret: secret.label,
            form,
            where: source.where,
            ...(source.row === undefined ? {} : { row: source.row }),
            context: `${before}«…»${after}`,
          });
          if (hits.length > 1000) return { hits, scanned, needles };
          at = source.text.indexOf(needle, at + 1);
        }
      }
    }
  }
  return { hits, scanned, needles };
}

/** Binary columns are searched as their UTF-8 text (plain leaks) and their hex (hex leaks). */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) {
    const buffer = Buffer.from(value);
    return `utf8:${buffer.toString('utf8')} hex:${buffer.toString('hex')}`;
  }
  if (
    value !== null &&
    typeof value === 'object' &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  ) {
    const buffer = Buffer.from((value as { data: number[] }).data);
    return `utf8:${buffer.toString('utf8')} hex:${buffer.toString('hex')}`;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * Every table of the `public` schema, sorted: plain and partitioned tables, not their partitions
 * (a partitioned table's rows include its partitions', whose names come and go with the data).
 */
export async function publicTables<DB>(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    ORDER BY c.relname`.execute(db);
  return rows.map((row) => row.name);
}

/**
 * One scan source per row of every table of the schema, as JSON (bytea as its UTF-8 text and its
 * hex), named by table and first column, so that a hit says which row leaked.
 */
export async function dumpDatabase<DB>(db: Kysely<DB>): Promise<ScanSource[]> {
  const sources: ScanSource[] = [];
  for (const table of await publicTables(db)) {
    const { rows } = await sql
      .raw<Record<string, unknown>>(`SELECT * FROM "${table.replaceAll('"', '""')}"`)
      .execute(db);
    for (const row of rows) {
      const first = Object.values(row)[0];
      sources.push({
        where: `table ${table}`,
        row:
          typeof first === 'object' && first !== null ? JSON.stringify(first, jsonReplacer) : String(first),
        text: JSON.stringify(row, jsonReplacer),
      });
    }
    // An empty table still counts as searched.
    if (rows.length === 0) sources.push({ where: `table ${table}`, text: '' });
  }
  return sources;
}

/** Log lines as one source (each line as written, JSON). */
export function logSource(where: string, lines: readonly string[]): ScanSource {
  return { where, text: lines.join('') };
}

/** A printable summary of a scan, for test output. */
export function describeScan(result: PiiScanResult, secrets: readonly PiiSecret[]): string {
  const characters = Object.values(result.scanned).reduce((sum, n) => sum + n, 0);
  const head =
    `PII scan: ${secrets.length} secrets × forms = ${result.needles} needles over ` +
    `${Object.keys(result.scanned).length} sources (${characters} characters): ${result.hits.length} hits`;
  return [
    head,
    ...result.hits
      .slice(0, 50)
      .map(
        (hit) =>
          `  ${hit.secret} as ${hit.form} in ${hit.where}${hit.row === undefined ? '' : ` row ${hit.row}`}: ${hit.context}`,
      ),
  ].join('\n');
}
