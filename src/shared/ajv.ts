import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { CONTRACT_KEYWORDS, type KeywordProblem } from '../../sandbox/sdk/json-schema.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

export interface AjvOptions {
  /** Coerce text to the declared types (query strings, path parameters, headers), never bodies. */
  readonly coerceTypes: boolean;
  /** Collect every error rather than stop at the first. */
  readonly allErrors: boolean;
}

/**
 * The platform's one Ajv configuration: formats, and the lender contract's own `x-` keywords
 * (sandbox/sdk/json-schema.ts), so that a callback's schema means here what it means in the SDK.
 * A keyword's problem may point below the value it checks (`params.at`: `.limitFen`, `[2].period`).
 */
export function createAjv({ coerceTypes, allErrors }: AjvOptions): Ajv {
  const ajv = new Ajv({ allErrors, coerceTypes, useDefaults: true, removeAdditional: false, strict: false });
  addFormats(ajv);
  for (const contract of CONTRACT_KEYWORDS) {
    const validate = (rule: unknown, data: unknown): boolean => {
      const found = contract.check(rule, data);
      const problems: readonly KeywordProblem[] =
        found === undefined ? [] : Array.isArray(found) ? found : [found as KeywordProblem];
      validate.errors = problems.map(
        (problem): Partial<ErrorObject> => ({
          keyword: contract.keyword,
          message: problem.message,
          params: problem.at === undefined ? {} : { at: problem.at },
        }),
      );
      return problems.length === 0;
    };
    validate.errors = [] as Partial<ErrorObject>[];
    ajv.addKeyword({ keyword: contract.keyword, type: contract.appliesTo, errors: true, validate });
  }
  return ajv;
}

/** The JSON-pointer segments of a keyword problem's `at` (`[2].period` → `2`, `period`). */
export function segmentsOfAt(at: unknown): string[] {
  if (typeof at !== 'string') return [];
  return [...at.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)].map((match) => match[1] ?? match[2] ?? '');
}

const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';
const SURROGATE_MESSAGE = 'must be well-formed Unicode (no lone UTF-16 surrogate such as \\ud800)';

/**
 * The first string (value or member name) containing U+0000 or a lone surrogate, as an ajv-style
 * error.
 */
export function findNul(value: unknown, path: string): ErrorObject | undefined {
  if (typeof value === 'string') return textError(value, path);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findNul(value[i], `${path}/${i}`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = `${path}/${pointerSegment(key)}`;
      const inKey = textError(key, at);
      if (inKey) return inKey;
      const found = findNul(item, at);
      if (found) return found;
    }
  }
  return undefined;
}

function pointerSegment(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function textError(text: string, instancePath: string): ErrorObject | undefined {
  if (text.includes('\u0000'))
    return { instancePath, schemaPath: '#', keyword: 'nul', params: {}, message: NUL_MESSAGE };
  if (!text.isWellFormed())
    return { instancePath, schemaPath: '#', keyword: 'unicode', params: {}, message: SURROGATE_MESSAGE };
  return undefined;
}
