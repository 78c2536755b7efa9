/**
 * Request generation for the schema-driven fuzz: valid-ish values from an operation's JSON schemas
 * (fast-check arbitraries), then mutated — wrong types, missing required fields, extra fields,
 * huge strings, NUL bytes, odd unicode, deep nesting, huge arrays, extreme numbers, hostile path
 * and query values, wrong content types, empty and malformed bodies.
 */
import fc from 'fast-check';
import type { JsonSchema, Operation, Parameter } from './openapi.ts';

/** Known-good values by property or parameter name (fixture ids), mixed into generated values. */
export type Hints = Readonly<Record<string, readonly string[]>>;

const MAX_GENERATED_STRING = 40;

function clampLength(schema: JsonSchema): { minLength: number; maxLength: number } {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : MAX_GENERATED_STRING;
  return { minLength: min, maxLength: Math.max(min, Math.min(max, MAX_GENERATED_STRING)) };
}

function stringArb(schema: JsonSchema): fc.Arbitrary<string> {
  const format = schema.format;
  if (format === 'uuid') return fc.uuid();
  if (format === 'date-time') {
    return fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
  }
  if (format === 'date') {
    return fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
  }
  if (format === 'email') return fc.emailAddress();
  if (typeof schema.pattern === 'string') {
    const { minLength, maxLength } = clampLength(schema);
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((s) => s.length >= minLength && s.length <= Math.max(maxLength, minLength, 1) * 4);
  }
  const { minLength, maxLength } = clampLength(schema);
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
  );
}

/** A value that conforms to `schema` (as far as a generator can tell without the server's rules). */
export function valueArb(schema: JsonSchema, hints: Hints, name = '', depth = 0): fc.Arbitrary<unknown> {
  const hinted = hints[name];
  const base = schemaArb(schema, hints, depth);
  if (hinted && hinted.length > 0 && (schema.type === 'string' || schema.type === undefined)) {
    return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...hinted) }, { weight: 1, arbitrary: base });
  }
  return base;
}

function schemaArb(schema: JsonSchema, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  const nullable = schema.nullable === true;
  const inner = nonNullArb(schema, hints, depth);
  return nullable
    ? fc.oneof({ weight: 4, arbitrary: inner }, { weight: 1, arbitrary: fc.constant(null) })
    : inner;
}

function nonNullArb(schema: JsonSchema, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum) && schema.enum.length > 0)
    return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      return fc.oneof(...options.map((option) => schemaArb(option as JsonSchema, hints, depth + 1)));
    }
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const merged = Object.assign({}, ...(schema.allOf as JsonSchema[]));
    return schemaArb(merged, hints, depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArb(schema);
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1_000_000;
      const max = typeof schema.maximum === 'number' ? schema.maximum : 1_000_000;
      return fc.integer({
        min: Math.max(min, Number.MIN_SAFE_INTEGER),
        max: Math.min(max, Number.MAX_SAFE_INTEGER),
      });
    }
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1e6;
      const max = typeof schema.maximum === 'number' ? schema.maximum : 1e6;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = (schema.items as JsonSchema | undefined) ?? {};
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const maxLength = Math.max(
        minLength,
        Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 4, 4),
      );
      return fc.array(schemaArb(items, hints, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectArb(schema, hints, depth);
    default:
      if (schema.properties) return objectArb(schema, hints, depth);
      return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null));
  }
}

function objectArb(schema: JsonSchema, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const record = Object.fromEntries(
    Object.entries(properties).map(([key, value]) => [key, valueArb(value, hints, key, depth + 1)]),
  );
  const keys = Object.keys(record);
  if (keys.length === 0) {
    const extra = schema.additionalProperties;
    if (extra && typeof extra === 'object') {
      return fc.dictionary(
        fc.string({ minLength: 1, maxLength: 8 }),
        schemaArb(extra as JsonSchema, hints, depth + 1),
        {
          maxKeys: 3,
        },
      );
    }
    return fc.constant({});
  }
  return fc.record(record, { requiredKeys: keys.filter((key) => required.has(key)) });
}

// ---- mutations -------------------------------------------------------------------------------

type Path = readonly (string | number)[];

function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) pathsOf(item, [...path, i], out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], out);
  }
  return out;
}

function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[head as number] = setAt(copy[head as number], rest, replacement);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  copy[head as string] = setAt(copy[head as string], rest, replacement);
  return copy;
}

function deleteAt(value: unknown, path: Path): unknown {
  if (path.length === 0) return undefined;
  if (path.length === 1) {
    if (Array.isArray(value)) return value.filter((_, i) => i !== path[0]);
    const { [path[0] as string]: _removed, ...rest } = value as Record<string, unknown>;
    return rest;
  }
  const [head, ...rest] = path;
  const child = (value as Record<string | number, unknown>)[head as string];
  return setAt(value, [head as string], deleteAt(child, rest));
}

function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const WRONG_TYPES: readonly unknown[] = [0, -1, 'text', true, false, null, [], {}, [null], { a: 1 }, 1.5];

const HOSTILE_STRINGS: readonly string[] = [
  'a\u0000b',
  '\u0000',
  '',
  ' ',
  '\u202e\u200b\ufeff',
  '𝕏💥👨‍👩‍👧',
  '\ud800',
  '张三'.repeat(50),
  '../../etc/passwd',
  "'; DROP TABLE borrowers; --",
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style probe, literally
  '${jndi:ldap://x}',
  '%00%2e%2e%2f',
  '\r\nX-Injected: 1',
  '0x7fffffff',
  '-0',
  '1e20',
  'NaN',
  'null',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
];

const EXTREME_NUMBERS: readonly number[] = [
  1e20,
  -1,
  0,
  -0,
  1.5,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 63,
];

/** Raw JSON-ish number tokens JSON.stringify cannot produce. */
const RAW_NUMBER_TOKENS: readonly string[] = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '-1e400',
  '01',
  '1.',
  '.5',
  '0x10',
  '1_000',
];

export interface BodyPlan {
  /** The body text as sent (undefined: no body). */
  readonly text: string | undefined;
  readonly contentType: string | undefined;
  /** What was done, for the report. */
  readonly mutation: string;
}

const CONTENT_TYPES: readonly (string | undefined)[] = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json, text/html',
  'application/vnd.api+json',
  'text/csv',
  undefined,
];

type Mutation =
  | 'valid'
  | 'nul'
  | 'surrogate'
  | 'hostile-string'
  | 'unicode'
  | 'extreme-number'
  | 'wrong-type'
  | 'remove'
  | 'extra'
  | 'huge-string'
  | 'nesting'
  | 'huge-array'
  | 'raw-number'
  | 'other-type'
  | 'malformed'
  | 'content-type'
  | 'empty'
  | 'oversize';

/** How often each mutation is chosen (out of the sum); a quarter of the bodies stay valid. */
const MUTATION_WEIGHTS: readonly [Mutation, number][] = [
  ['valid', 8],
  ['nul', 3],
  ['surrogate', 2],
  ['hostile-string', 2],
  ['unicode', 2],
  ['extreme-number', 3],
  ['wrong-type', 2],
  ['remove', 1],
  ['extra', 2],
  ['huge-string', 1],
  ['nesting', 1],
  ['huge-array', 1],
  ['raw-number', 1],
  ['other-type', 1],
  ['malformed', 1],
  ['content-type', 2],
  ['empty', 1],
  ['oversize', 1],
];
const MUTATION_TABLE: readonly Mutation[] = MUTATION_WEIGHTS.flatMap(([m, n]) =>
  Array.from({ length: n }, () => m),
);

const UNICODE: readonly string[] = [
  '𝕏💥',
  '\ud800',
  '\udfff',
  '\u202e',
  '\u200b\ufeff',
  '张三',
  'é',
  '\u0085',
  '\u2028',
];

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], value);
}

/** A mutated body plan from a valid value: one mutation (or none) chosen by the generator. */
export function bodyPlanArb(
  valid: fc.Arbitrary<unknown>,
  mediaType = 'application/json',
): fc.Arbitrary<BodyPlan> {
  const json = (value: unknown, mutation: string, contentType: string | undefined = mediaType): BodyPlan => ({
    text: value === undefined ? undefined : JSON.stringify(value),
    contentType,
    mutation,
  });
  return fc.tuple(valid, fc.nat(), fc.nat(), fc.nat()).map(([value, a, b, c]): BodyPlan => {
    const paths = pathsOf(value);
    const where = (p: Path) => p.join('.') || '(root)';
    const of = (test: (v: unknown) => boolean) => paths.filter((p) => test(valueAt(value, p)));
    const objectPaths = of((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    const stringPaths = of((v) => typeof v === 'string');
    const numberPaths = of((v) => typeof v === 'number');
    const arrayPaths = of(Array.isArray);
    const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;
    // A mutation aimed at strings (numbers, arrays) falls on any path when the value has none.
    const aim = (list: readonly Path[]) => (list.length > 0 ? pick(list, a) : pick(paths, a));
    const mutation = pick(MUTATION_TABLE, b);
    switch (mutation) {
      case 'valid':
        return json(value, 'valid');
      case 'nul': {
        const at = aim(stringPaths);
        const old = valueAt(value, at);
        const text = typeof old === 'string' ? old : '';
        const cut = text.length === 0 ? 0 : c % (text.length + 1);
        const nul = pick(['\u0000', '\u0000\u0000', 'x\u0000'], c);
        return json(
          setAt(value, at, `${text.slice(0, cut)}${nul}${text.slice(cut)}`),
          `NUL byte in ${where(at)}`,
        );
      }
      case 'surrogate': {
        // A lone UTF-16 surrogate: valid in a JSON escape, not valid Unicode (nor in PostgreSQL).
        const at = aim(stringPaths);
        const old = valueAt(value, at);
        const text = typeof old === 'string' ? old : '';
        const lone = pick(['\ud800', '\udfff', '\ud83d', 'a\udc00b'], c);
        return json(
          setAt(value, at, `${text.slice(0, 3)}${lone}`),
          `lone surrogate ${JSON.stringify(lone)} in ${where(at)}`,
        );
      }
      case 'hostile-string': {
        const at = aim(stringPaths);
        const hostile = pick(HOSTILE_STRINGS, c);
        return json(
          setAt(value, at, hostile),
          `hostile string ${JSON.stringify(hostile).slice(0, 30)} at ${where(at)}`,
        );
      }
      case 'unicode': {
        const at = aim(stringPaths);
        const old = valueAt(value, at);
        const text = typeof old === 'string' ? old : '';
        const odd = pick(UNICODE, c);
        return json(
          setAt(value, at, `${text.slice(0, Math.max(0, text.length - 2))}${odd}`),
          `unicode ${JSON.stringify(odd)} in ${where(at)}`,
        );
      }
      case 'extreme-number': {
        const at = aim(numberPaths);
        const n = pick(EXTREME_NUMBERS, c);
        return json(setAt(value, at, n), `number ${n} at ${where(at)}`);
      }
      case 'wrong-type': {
        const at = pick(paths, a);
        return json(setAt(value, at, pick(WRONG_TYPES, c)), `wrong type at ${where(at)}`);
      }
      case 'remove': {
        const removable = paths.filter((p) => p.length > 0);
        if (removable.length === 0) return json(undefined, 'no body', undefined);
        const at = pick(removable, c);
        return json(deleteAt(value, at), `removed ${where(at)}`);
      }
      case 'extra': {
        const target = objectPaths.length > 0 ? pick(objectPaths, c) : [];
        const base = valueAt(value, target);
        const own = base !== null && typeof base === 'object' && !Array.isArray(base) ? (base as object) : {};
        const kind = a % 5;
        if (kind === 0 || kind === 1) {
          // A literal "__proto__" (or constructor.prototype) key only survives as JSON text.
          const key =
            kind === 0 ? '"__proto__":{"polluted":true}' : '"constructor":{"prototype":{"polluted":true}}';
          const text = (JSON.stringify(setAt(value, target, { ...own, zzMarker: 1 })) ?? '').replace(
            '"zzMarker":1',
            key,
          );
          return {
            text,
            contentType: mediaType,
            mutation: `${kind === 0 ? '__proto__' : 'constructor'} key at ${where(target)}`,
          };
        }
        const extra =
          kind === 2
            ? { zzExtra: 1 }
            : kind === 3
              ? { ['x'.repeat(300)]: 'long key' }
              : Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]));
        return json(
          setAt(value, target, { ...own, ...extra }),
          `extra field${kind === 4 ? 's (500)' : ''} at ${where(target)}`,
        );
      }
      case 'huge-string': {
        const at = aim(stringPaths);
        return json(
          setAt(value, at, pick(['A'.repeat(100_000), '字'.repeat(50_000), 'x'.repeat(2_000)], c)),
          `huge string at ${where(at)}`,
        );
      }
      case 'nesting': {
        const at = pick(paths, a);
        const text = JSON.stringify(setAt(value, at, '__DEEP__')) ?? '"__DEEP__"';
        const depth = pick([64, 1_000, 10_000, 100_000], c);
        return {
          text: text.replace('"__DEEP__"', nested(depth, a % 2 === 0 ? 'array' : 'object')),
          contentType: mediaType,
          mutation: `nesting ${depth} deep at ${where(at)}`,
        };
      }
      case 'huge-array': {
        const at = aim(arrayPaths);
        const length = pick([1_000, 100_000], c);
        const item = Array.isArray(valueAt(value, at)) ? ((valueAt(value, at) as unknown[])[0] ?? 1) : 1;
        return json(
          setAt(
            value,
            at,
            Array.from({ length }, () => item),
          ),
          `array of ${length} at ${where(at)}`,
        );
      }
      case 'raw-number': {
        const at = aim(numberPaths);
        const token = pick(RAW_NUMBER_TOKENS, c);
        const text = (JSON.stringify(setAt(value, at, '__NUM__')) ?? '"__NUM__"').replace('"__NUM__"', token);
        return { text, contentType: mediaType, mutation: `raw number ${token} at ${where(at)}` };
      }
      case 'other-type':
        return json(pick([[], 'string', 42, null, true, [value]], c), 'body of another type');
      case 'malformed':
        return {
          text: pick(
            [
              '',
              '{',
              '{"a":',
              '{"a":1,"a":2}',
              '\ufeff{}',
              '\u0000',
              'null',
              '[',
              '{"a":"\\ud800"}',
              '"\\u0000"',
            ],
            c,
          ),
          contentType: mediaType,
          mutation: 'malformed or degenerate JSON text',
        };
      case 'content-type': {
        const contentType = pick(CONTENT_TYPES, c);
        return {
          text: JSON.stringify(value),
          contentType,
          mutation: `content-type ${contentType ?? '(none)'}`,
        };
      }
      case 'empty':
        return { text: undefined, contentType: pick([mediaType, undefined], c), mutation: 'empty body' };
      default:
        // 'oversize'
        return {
          text: 'x'.repeat(pick([1_100_000, 3_000_000], c)),
          contentType: mediaType,
          mutation: 'body over the size limit',
        };
    }
  });
}

/** Values for one path parameter: fixture ids, schema values, and hostile segments. */
export function pathValueArb(
  parameter: Parameter,
  hints: Hints,
): fc.Arbitrary<{ value: string; note: string }> {
  const hinted = hints[parameter.name] ?? [];
  const fromSchema = schemaArb(parameter.schema, hints, 0).map((v) => encodeURIComponent(String(v)));
  const hostile = fc.constantFrom(
    '..%2f..%2fetc%2fpasswd',
    '..%2F..%2F..%2Fopenapi.json',
    '%2e%2e',
    '%00',
    'a%00b',
    '%ZZ',
    '%',
    '%E4%B8%AD%E6%96%87',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-4fff-bfff-ffffffffffff',
    'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
    'not-a-uuid',
    'x'.repeat(3_000),
    '1e20',
    '-1',
    '0',
    '99999999999999999999',
    '1.5',
    'NaN',
    '%27%3B%20DROP%20TABLE%20x%3B--',
    '%20',
    '__proto__',
    'constructor',
  );
  const arbitraries: fc.WeightedArbitrary<{ value: string; note: string }>[] = [
    { weight: 2, arbitrary: fromSchema.map((value) => ({ value, note: 'schema value' })) },
    { weight: 2, arbitrary: hostile.map((value) => ({ value, note: 'hostile segment' })) },
    { weight: 1, arbitrary: fc.uuid().map((value) => ({ value, note: 'random uuid' })) },
  ];
  if (hinted.length > 0) {
    arbitraries.push({
      weight: 4,
      arbitrary: fc
        .constantFrom(...hinted)
        .map((value) => ({ value: encodeURIComponent(value), note: 'fixture id' })),
    });
  }
  return fc.oneof(...arbitraries);
}

/**
 * A query string: half the time every parameter valid (optional ones now and then left out), else
 * one parameter out of range or odd, repeated, or an unknown parameter added.
 */
export function queryArb(parameters: readonly Parameter[], hints: Hints): fc.Arbitrary<string> {
  const query = parameters.filter((p) => p.in === 'query');
  const hostile = fc.constantFrom(
    '-1',
    '0',
    '1e20',
    '99999999999999999999',
    'NaN',
    'Infinity',
    '1.5',
    '',
    'x'.repeat(5_000),
    '%00',
    'a%00b',
    'true',
    '%E4%B8%AD',
    '%ZZ',
    '2026-13-45',
    '..%2f..%2f',
  );
  const valid = (p: Parameter) => valueArb(p.schema, hints, p.name).map((v) => encodeURIComponent(String(v)));
  const validEntries = fc.tuple(
    ...query.map((p) =>
      fc.tuple(fc.boolean(), valid(p)).map(([include, v]) => (include || p.required ? `${p.name}=${v}` : '')),
    ),
  );
  const join = (parts: readonly string[]) => parts.filter((part) => part !== '').join('&');
  const extra = fc.constantFrom('zz=1', '__proto__[polluted]=1', 'a[b][c]=1', `pad=${'p'.repeat(3_000)}`);
  const mutated = fc
    .tuple(validEntries, fc.nat(), hostile, hostile, extra, fc.nat(3))
    .map(([parts, i, h1, h2, e, kind]) => {
      if (query.length === 0 || kind === 0) return join([...parts, e]);
      const at = i % query.length;
      const name = query[at]!.name;
      const changed = [...parts];
      changed[at] =
        kind === 1 ? `${name}=${h1}` : kind === 2 ? `${name}=${h1}&${name}=${h2}` : `${name}[]=${h1}`;
      return join(changed);
    });
  return fc.oneof(validEntries.map(join), mutated);
}

/** A valid value for the body of `operation` (schema only). */
export function bodyArb(operation: Operation, hints: Hints): fc.Arbitrary<unknown> {
  return operation.body ? valueArb(operation.body.schema, hints) : fc.constant(undefined);
}
