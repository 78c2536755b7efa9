/**
 * A small JSON Schema validator for the subset the contract's schemas use (schemas.ts), so that the
 * SDK keeps depending on nothing but `node:` modules. The platform validates the same schemas with
 * Ajv; a property test (contract-agreement.test.ts) runs generated bodies through both and requires
 * the same verdict.
 *
 * Supported: `type` (object, array, string, integer, number, boolean), `properties`, `required`,
 * `additionalProperties: false`, `enum`, `const`, `pattern`, `minLength`/`maxLength` (in Unicode
 * code points, as Ajv counts them), `minimum`/`maximum`, `items`, `minItems`/`maxItems`,
 * `uniqueItems`, `oneOf`, `anyOf`. `format`, `description`, `title` and `x-rule` are annotations.
 * As in JSON Schema, a keyword applies only to values of its type (`required` to objects…). One
 * rule is not JSON Schema: no text may hold NUL or a lone surrogate ({@link isCleanText}).
 *
 * The rules JSON Schema cannot say (increasing installment numbers, fields required when an
 * approval carries an offer…) are the `x-` keywords of {@link CONTRACT_KEYWORDS}: one
 * implementation, which the platform registers in its Ajv as well.
 *
 * Problems name the field and the rule and never echo a value: they may be logged and returned even
 * when the message carries personal data.
 */

/** A schema of the subset, as data. */
export interface JsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly enum?: readonly (string | number | boolean)[];
  readonly const?: string | number | boolean;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly format?: string;
  readonly description?: string;
  readonly title?: string;
  /** What a valid value is, in words, for problem messages ("lower-case hex SHA-256"). */
  readonly 'x-rule'?: string;
  readonly 'x-increasing'?: boolean;
  readonly 'x-numbered'?: string;
  readonly 'x-required-when'?: RequiredWhen;
  readonly 'x-not-above'?: readonly (readonly [string, string])[];
  readonly 'x-calendar'?: 'date' | 'date-time';
}

/** Fields required when another field has a given value (an approval's offer terms). */
export interface RequiredWhen {
  readonly field: string;
  readonly equals: string;
  readonly required: readonly string[];
}

type JsonType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

/**
 * A rule JSON Schema cannot express, as a keyword both validators run: `check` gets the keyword's
 * value and a value of type `appliesTo`, and returns the problem (without its path) or `undefined`.
 * A problem may point below the value (a member of the object, an item of the array).
 */
export interface ContractKeyword {
  readonly keyword: string;
  readonly appliesTo: 'object' | 'array' | 'string';
  check(rule: unknown, value: unknown): KeywordProblem | readonly KeywordProblem[] | undefined;
}

export interface KeywordProblem {
  readonly message: string;
  /** Where below the value the problem is: `.limitFen`, `[2].period` (the value itself when absent). */
  readonly at?: string;
}

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})/;
const TIME = /T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:Z|([+-])([0-9]{2}):([0-9]{2}))$/;

function realDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const parsed = new Date(Date.UTC(y, m - 1, d));
  return (
    parsed.getUTCFullYear() === y && parsed.getUTCMonth() === m - 1 && parsed.getUTCDate() === d && y > 0
  );
}

function realTime(text: string): boolean {
  const match = TIME.exec(text);
  if (!match) return false;
  const [hh, mm, ss] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const offsetOk = match[4] === undefined || (Number(match[5]) <= 23 && Number(match[6]) <= 59);
  // No leap second: 23:59:60 is valid RFC 3339 but JavaScript's Date cannot hold it.
  return hh <= 23 && mm <= 59 && ss <= 59 && offsetOk;
}

/** Decimal strings or numbers, compared exactly (rates are strings of up to 10 decimals). */
function compareNumeric(a: string | number, b: string | number): number {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) - Number(b);
  const [ai = '', af = ''] = String(a).split('.');
  const [bi = '', bf = ''] = String(b).split('.');
  const width = Math.max(af.length, bf.length);
  const scaled = (int: string, frac: string) => BigInt(int + frac.padEnd(width, '0'));
  const diff = scaled(ai, af) - scaled(bi, bf);
  return diff === 0n ? 0 : diff < 0n ? -1 : 1;
}

function isNumeric(value: unknown): value is string | number {
  return (
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(value))
  );
}

/** The contract's own keywords (the `x-` members of its schemas). */
export const CONTRACT_KEYWORDS: readonly ContractKeyword[] = [
  {
    // Installment numbers and terms: distinct, in increasing order.
    keyword: 'x-increasing',
    appliesTo: 'array',
    check(rule, value) {
      if (rule !== true) return undefined;
      const items = value as readonly unknown[];
      const ordered = items.every(
        (item, i) =>
          i === 0 ||
          (typeof item === 'number' && typeof items[i - 1] === 'number' && item > (items[i - 1] as number)),
      );
      return ordered ? undefined : { message: 'must be in increasing order, without repeats' };
    },
  },
  {
    // Schedule rows numbered 1, 2, 3… in order by the named member.
    keyword: 'x-numbered',
    appliesTo: 'array',
    check(rule, value) {
      if (typeof rule !== 'string') return undefined;
      const items = value as readonly unknown[];
      return items.flatMap((item, i) =>
        typeof item !== 'object' ||
        item === null ||
        Array.isArray(item) ||
        (item as Record<string, unknown>)[rule] === i + 1
          ? []
          : [{ message: `must be ${i + 1}: rows are numbered 1, 2, 3… in order`, at: `[${i}].${rule}` }],
      );
    },
  },
  {
    // An approval carries its offer: the fields the offer needs are required exactly then.
    keyword: 'x-required-when',
    appliesTo: 'object',
    check(rule, value) {
      const { field, equals, required } = rule as RequiredWhen;
      const o = value as Readonly<Record<string, unknown>>;
      if (o[field] !== equals) return undefined;
      return required
        .filter((name) => o[name] === undefined)
        .map((name) => ({ message: `is required when ${field} is ${equals}`, at: `.${name}` }));
    },
  },
  {
    // Bands: the lower end must not exceed the upper one (aprMin ≤ aprMax, min ≤ max).
    keyword: 'x-not-above',
    appliesTo: 'object',
    check(rule, value) {
      const o = value as Readonly<Record<string, unknown>>;
      for (const [low, high] of rule as readonly (readonly [string, string])[]) {
        const a = o[low];
        const b = o[high];
        // Only two of a kind compare; a member of the wrong type is reported by its own schema.
        if (isNumeric(a) && isNumeric(b) && typeof a === typeof b && compareNumeric(a, b) > 0)
          return { message: `must not exceed ${high}`, at: `.${low}` };
      }
      return undefined;
    },
  },
  {
    // A date that exists (no 31 April), and for instants a time of day that exists (no 24:00).
    keyword: 'x-calendar',
    appliesTo: 'string',
    check(rule, value) {
      const text = value as string;
      if (rule === 'date') return realDate(text) ? undefined : { message: 'must be a real calendar date' };
      if (rule === 'date-time')
        return realDate(text) && realTime(text) ? undefined : { message: 'must be a real date and time' };
      return undefined;
    },
  },
];

const keywordsByName = new Map(CONTRACT_KEYWORDS.map((k) => [k.keyword, k]));

function typeOf(value: unknown): JsonType | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  if (t === 'object' || t === 'string' || t === 'boolean') return t;
  if (t === 'number') return Number.isFinite(value) ? 'number' : 'other';
  return 'other';
}

function typeMatches(expected: NonNullable<JsonSchema['type']>, value: unknown): boolean {
  const actual = typeOf(value);
  if (expected === 'integer') return actual === 'number' && Number.isInteger(value);
  return actual === expected;
}

const codePoints = (text: string) => {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
};

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeOf(a) !== typeOf(b) || typeof a !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b as object, k) && deepEqual((a as never)[k], (b as never)[k]))
  );
}

/**
 * Every text of a message — values and member names — is well-formed Unicode without NUL: the
 * platform stores messages in PostgreSQL, which refuses both in text and jsonb ("\ud800" in JSON
 * is not a character).
 */
export const TEXT_RULE = 'must be well-formed Unicode without NUL (\\u0000) or lone surrogates';

export function isCleanText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

const patterns = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let compiled = patterns.get(source);
  if (!compiled) {
    // The `u` flag, as Ajv compiles patterns.
    compiled = new RegExp(source, 'u');
    patterns.set(source, compiled);
  }
  return compiled;
}

/** Words for what a value of this schema must be, for a problem message. */
export function expectation(schema: JsonSchema): string {
  if (schema['x-rule'] !== undefined) return schema['x-rule'];
  if (schema.const !== undefined) return `${JSON.stringify(schema.const)}`;
  if (schema.enum !== undefined) return `one of ${schema.enum.join(', ')}`;
  switch (schema.type) {
    case 'integer':
      return `an integer from ${schema.minimum ?? '-∞'} to ${schema.maximum ?? '∞'}`;
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'string':
      return schema.pattern !== undefined
        ? `a string matching ${schema.pattern}`
        : `a${(schema.minLength ?? 0) > 0 ? ' non-empty' : ''} string of at most ${schema.maxLength ?? '∞'} characters`;
    case 'array':
      return `an array of ${schema.minItems ?? 0} to ${schema.maxItems ?? '∞'} items`;
    case 'object':
      return 'an object';
    default:
      return 'a value of another shape';
  }
}

/** Collects the problems of one value; stops adding after `limit` of them. */
class Walk {
  readonly problems: string[] = [];
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  get full(): boolean {
    return this.problems.length >= this.limit;
  }

  add(path: string, message: string): void {
    if (!this.full) this.problems.push(`${path}: ${message}`);
  }

  value(schema: JsonSchema, value: unknown, path: string): void {
    if (this.full) return;
    if (schema.type !== undefined && !typeMatches(schema.type, value)) {
      this.add(path, `must be ${expectation(schema)}`);
      return;
    }
    if (
      (schema.const !== undefined && value !== schema.const) ||
      (schema.enum !== undefined && !schema.enum.some((option) => option === value))
    ) {
      this.add(path, `must be ${expectation(schema)}`);
      return;
    }
    const kind = typeOf(value);
    const before = this.problems.length;
    if (kind === 'string') this.#string(schema, value as string, path);
    else if (kind === 'number') this.#number(schema, value as number, path);
    else if (kind === 'array') this.#array(schema, value as readonly unknown[], path);
    else if (kind === 'object') this.#object(schema, value as Readonly<Record<string, unknown>>, path);
    if (schema.oneOf !== undefined) this.#oneOf(schema.oneOf, value, path);
    if (
      schema.anyOf !== undefined &&
      !schema.anyOf.some((option) => problemsOf(option, value, path, 1).length === 0)
    )
      this.add(
        path,
        schema['x-rule'] !== undefined
          ? `must be ${schema['x-rule']}`
          : 'must match one of the allowed shapes',
      );
    // A string already wrong in shape gets one problem, not a second about its calendar.
    if (kind === 'string' && this.problems.length > before) return;
    for (const [name, rule] of Object.entries(schema)) {
      const keyword = keywordsByName.get(name);
      if (keyword === undefined || keyword.appliesTo !== kind) continue;
      const found = keyword.check(rule, value);
      for (const problem of found === undefined
        ? []
        : Array.isArray(found)
          ? found
          : [found as KeywordProblem])
        this.add(path + (problem.at ?? ''), problem.message);
    }
  }

  #string(schema: JsonSchema, value: string, path: string): void {
    if (!isCleanText(value)) {
      this.add(path, TEXT_RULE);
      return;
    }
    const length = codePoints(value);
    if (
      (schema.minLength !== undefined && length < schema.minLength) ||
      (schema.maxLength !== undefined && length > schema.maxLength) ||
      (schema.pattern !== undefined && !regex(schema.pattern).test(value))
    )
      this.add(path, `must be ${expectation(schema)}`);
  }

  #number(schema: JsonSchema, value: number, path: string): void {
    if (
      (schema.minimum !== undefined && value < schema.minimum) ||
      (schema.maximum !== undefined && value > schema.maximum)
    )
      this.add(path, `must be ${expectation(schema)}`);
  }

  #array(schema: JsonSchema, value: readonly unknown[], path: string): void {
    if (
      (schema.minItems !== undefined && value.length < schema.minItems) ||
      (schema.maxItems !== undefined && value.length > schema.maxItems)
    ) {
      this.add(path, `must be ${expectation(schema)}`);
      return;
    }
    if (
      schema.uniqueItems === true &&
      value.some((item, i) => value.slice(0, i).some((other) => deepEqual(item, other)))
    )
      this.add(path, 'must not repeat an item');
    if (schema.items !== undefined)
      value.forEach((item, i) => {
        this.value(schema.items!, item, `${path}[${i}]`);
      });
  }

  #object(schema: JsonSchema, value: Readonly<Record<string, unknown>>, path: string): void {
    // A member whose value is `undefined` (possible in JavaScript, not in JSON) counts as absent, as in Ajv.
    for (const name of schema.required ?? [])
      if (value[name] === undefined) this.add(`${path}.${name}`, 'is required');
    for (const [name, member] of Object.entries(value)) {
      if (member === undefined) continue;
      if (!isCleanText(name)) {
        this.add(`${path}.${name}`, `(its name) ${TEXT_RULE}`);
        continue;
      }
      const memberSchema =
        schema.properties !== undefined && Object.hasOwn(schema.properties, name)
          ? schema.properties[name]
          : undefined;
      if (memberSchema !== undefined) this.value(memberSchema, member, `${path}.${name}`);
      else if (schema.additionalProperties === false)
        this.add(`${path}.${name}`, 'is not a field of this message');
    }
  }

  #oneOf(options: readonly JsonSchema[], value: unknown, path: string): void {
    const verdicts = options.map((option) => problemsOf(option, value, path, this.limit));
    const passing = verdicts.filter((problems) => problems.length === 0).length;
    if (passing === 1) return;
    if (passing > 1) {
      this.add(path, 'matches more than one of the allowed shapes');
      return;
    }
    // None matches: report the problems of the closest shape (the one with the fewest).
    const closest = verdicts.reduce((best, problems) => (problems.length < best.length ? problems : best));
    for (const problem of closest) if (!this.full) this.problems.push(problem);
  }
}

/**
 * The problems of `value` against `schema` (empty when valid), each `path: message`, at most
 * `limit` of them. Never echoes a value.
 */
export function problemsOf(schema: JsonSchema, value: unknown, path = 'body', limit = 20): readonly string[] {
  const walk = new Walk(limit);
  walk.value(schema, value, path);
  return walk.problems;
}
