/**
 * fast-check arbitraries of message bodies for a schema of the lender contract: valid bodies built
 * from the schema, with at every level a chance of the mistakes lenders make — a member missing or
 * unknown, a value one past a bound, a wrong type, a string one character too long, a date that
 * does not exist, a rate with one decimal too many, terms out of order, a NUL. Used to show that
 * two validators of the contract give the same verdict; both verdicts must be common, so a body
 * has few mistakes (fewer deeper down, where it has more values).
 */
import fc from 'fast-check';
import type { JsonSchema } from '../protocol/envelope/index.ts';

/** Strings that break text, date and time rules in the ways validators tend to disagree on. */
const EDGE_STRINGS = [
  '',
  ' ',
  'x',
  '\u0000',
  'a\ud800',
  '中文',
  '😀',
  '2024-02-29',
  '2023-02-29',
  '2026-04-31',
  '2026-13-01',
  '0000-01-01',
  '2026-05-01T10:00:00Z',
  '2026-05-01T10:00:00+08:00',
  '2026-05-01T10:00:00.123456789Z',
  '2026-05-01T10:00:00.1234567890Z',
  '2026-05-01t10:00:00z',
  '2026-05-01 10:00:00Z',
  '2026-05-01T24:00:00Z',
  '2026-12-31T23:59:60Z',
  '2026-05-01T10:00:00+24:00',
  '2026-05-01T10:00:00+0800',
  '2026-05-01T10:00Z',
  '2026-05-01T10:00:00',
  '2024-02-29T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '0',
  '1',
  '0.18',
  '0.1234567890',
  '0.12345678901',
  '1.0000000000',
  '1.0000000001',
  '1.5',
  '.5',
  '0.',
  '-0.1',
  'equal_installment',
  'approved',
  'a'.repeat(64),
  'a'.repeat(65),
  'f'.repeat(64),
  'F'.repeat(64),
] as const;

/** Values of the wrong type for anything. */
const WRONG_TYPE = fc.constantFrom<unknown>(null, true, 0, -1, 1.5, 'x', [], {}, '100');

/** The chance of a mistake at this depth, as weights: [valid, mistaken]. */
function weights(depth: number): [number, number] {
  return depth === 0 ? [10, 1] : depth === 1 ? [25, 1] : [100, 1];
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Real dates and instants in the contract's formats (offsets and fractions varied). */
const realDate = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const realDateTime = fc
  .tuple(
    fc.date({
      min: new Date('1990-01-01T00:00:00Z'),
      max: new Date('2099-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom('Z', '+08:00', '-05:30', '+00:00'),
    fc.constantFrom('', '.5', '.123', '.123456789'),
  )
  .map(([d, offset, fraction]) => {
    const t = d.toISOString();
    return `${t.slice(0, 10)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction}${offset}`;
  });

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.enum !== undefined) return fc.constantFrom(...(schema.enum as string[]));
  if (schema['x-calendar'] === 'date') return realDate;
  if (schema['x-calendar'] === 'date-time') return realDateTime;
  if (schema.pattern !== undefined) return fc.stringMatching(new RegExp(schema.pattern, 'u'));
  const unit = fc.constantFrom('a', 'Z', '9', ' ', '中', '😀');
  return fc.string({
    unit,
    minLength: schema.minLength ?? 0,
    maxLength: Math.min(schema.maxLength ?? 40, 40),
  });
}

function mistakenString(schema: JsonSchema): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [fc.constantFrom(...EDGE_STRINGS), WRONG_TYPE];
  if (schema.pattern !== undefined) {
    // A valid value with one character changed or added.
    options.push(
      fc
        .tuple(
          fc.stringMatching(new RegExp(schema.pattern, 'u')),
          fc.constantFrom('x', 'A', '.', '\u0000', '1'),
        )
        .map(([text, extra]) => text + extra),
    );
  }
  if (schema.maxLength !== undefined && schema.maxLength <= 2_000) {
    // At the bound in characters of two UTF-16 units, and one past it.
    options.push(fc.constantFrom('😀'.repeat(schema.maxLength), 'a'.repeat(schema.maxLength + 1)));
  }
  return fc.oneof(...options);
}

function validInteger(schema: JsonSchema): fc.Arbitrary<number> {
  const min = Math.max(schema.minimum ?? -1_000_000, Number.MIN_SAFE_INTEGER);
  const max = Math.min(schema.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER);
  return fc.oneof(
    fc.integer({ min, max }),
    fc.integer({ min, max: Math.min(max, min + 40) }),
    fc.constantFrom(min, max),
  );
}

function mistakenInteger(schema: JsonSchema): fc.Arbitrary<unknown> {
  const min = schema.minimum ?? -1_000_000;
  const max = schema.maximum ?? 1_000_000;
  return fc.oneof(fc.constantFrom(min - 1, max + 1, 0.5, 1e21, String(min)), WRONG_TYPE);
}

function arrayArbitrary(schema: JsonSchema, depth: number): fc.Arbitrary<unknown[]> {
  const items = schema.items ?? {};
  const minLength = schema.minItems ?? 0;
  const maxLength = Math.min(schema.maxItems ?? 6, 6);
  const plain = fc.array(arbitraryFor(items, depth + 1), { minLength, maxLength });
  const [valid, mistaken] = weights(depth);
  const shaped = (arbitrary: fc.Arbitrary<unknown[]>) =>
    fc.oneof(
      { weight: valid, arbitrary },
      // One item too few or too many, or the order broken.
      {
        weight: mistaken,
        arbitrary: fc.oneof(
          fc.array(arbitraryFor(items, depth + 1), {
            minLength: Math.max(0, minLength - 1),
            maxLength: Math.min(maxLength + 1, 7),
          }),
          arbitrary.map((values) => [...values].reverse()),
          arbitrary.map((values) => [...values, ...values.slice(0, 1)]),
        ),
      },
    );
  if (schema['x-increasing'] === true) {
    return shaped(plain.map((values) => [...new Set(values)].sort((a, b) => Number(a) - Number(b))));
  }
  const numbered = schema['x-numbered'];
  if (numbered !== undefined) {
    return shaped(
      plain.map((rows) =>
        rows.map((row, i) =>
          typeof row === 'object' && row !== null && !Array.isArray(row)
            ? { ...row, [numbered]: i + 1 }
            : row,
        ),
      ),
    );
  }
  if (schema.uniqueItems === true) return shaped(plain.map((values) => [...new Set(values)]));
  return shaped(plain);
}

function objectArbitrary(schema: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const conditional = new Set(schema['x-required-when']?.required ?? []);
  const [valid, mistaken] = weights(depth);
  const missRequired = mistaken / (valid + mistaken) / 2;
  const members = Object.entries(properties).map(([name, member]) => {
    // Required members are nearly always there, conditional ones mostly, others half the time.
    const presence = required.has(name) ? 1 - missRequired : conditional.has(name) ? 0.85 : 0.5;
    return fc
      .tuple(fc.double({ min: 0, max: 1, noNaN: true }), arbitraryFor(member, depth + 1))
      .map(([roll, value]) => (roll < presence ? ([[name, value]] as [string, unknown][]) : []));
  });
  const extra = fc.oneof(
    { weight: valid * 2, arbitrary: fc.constant([] as [string, unknown][]) },
    {
      weight: mistaken,
      arbitrary: fc.constantFrom<[string, unknown][]>([['note', 'x']], [['limitfen', 1]], [['a\u0000', 1]]),
    },
  );
  return fc
    .tuple(fc.tuple(...members), extra)
    .map(([present, more]) => Object.fromEntries([...present.flat(), ...more]));
}

/** Bodies for `schema`: valid ones and near misses. */
export function arbitraryFor(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const [valid, mistaken] = weights(depth);
  const either = (good: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: valid, arbitrary: good }, { weight: mistaken, arbitrary: bad });
  if (schema.oneOf !== undefined)
    return fc.oneof(...schema.oneOf.map((option) => arbitraryFor(option, depth)));
  if (schema.const !== undefined) return either(fc.constant(schema.const), WRONG_TYPE);
  switch (schema.type) {
    case 'string':
      return either(validString(schema), mistakenString(schema));
    case 'integer':
    case 'number':
      return either(validInteger(schema), mistakenInteger(schema));
    case 'boolean':
      return either(fc.boolean(), WRONG_TYPE);
    case 'array':
      return either(arrayArbitrary(schema, depth), WRONG_TYPE);
    default:
      return either(objectArbitrary(schema, depth), WRONG_TYPE);
  }
}

/** A body as it arrives: through JSON (no `undefined`, no `-0`). */
export function asReceived(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
