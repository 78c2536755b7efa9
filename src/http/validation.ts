import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifySchemaCompiler, RouteOptions } from 'fastify';
import { createAjv, findNul, segmentsOfAt } from '../shared/ajv.ts';
import type { FieldProblem } from '../shared/errors.ts';

/** At most this many problems are reported for one request part (the rest are counted). */
export const MAX_REPORTED_ERRORS = 20;

/**
 * Inputs with at most this many values (strings, numbers, array items, object members…) get every
 * problem reported (up to MAX_REPORTED_ERRORS); larger invalid inputs get the first problem only.
 * Collecting all errors costs time and memory in proportion to the input, so a hostile body of
 * 100,000 wrong array items must not be walked in full.
 */
export const FULL_REPORT_MAX_VALUES = 2_000;

/**
 * Bodies are validated exactly as sent (a fen amount of "100" is an error, not 100); query strings,
 * path parameters and headers are text by nature and are coerced to their declared types.
 * Each schema is compiled twice: a validator that stops at the first error (what every request
 * pays, whatever its size) and one that collects all errors, run only on small invalid inputs.
 */
const ajvs = {
  body: {
    first: createAjv({ coerceTypes: false, allErrors: false }),
    all: createAjv({ coerceTypes: false, allErrors: true }),
  },
  text: {
    first: createAjv({ coerceTypes: true, allErrors: false }),
    all: createAjv({ coerceTypes: true, allErrors: true }),
  },
};

/** A validator as Fastify calls it: returns whether the data is valid and leaves `errors`. */
type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const pair = httpPart === 'body' ? ajvs.body : ajvs.text;
  return boundedValidator(
    pair.first.compile(schema as object),
    pair.all.compile(schema as object),
  ) as ReturnType<FastifySchemaCompiler<unknown>>;
};

function boundedValidator(first: ValidateFunction, all: ValidateFunction): Validator {
  const validate: Validator = (data) => {
    if (first(data)) {
      // Valid data is bounded by the schemas (every string, array and open object has a maximum),
      // so this walk is cheap. PostgreSQL refuses NUL and lone UTF-16 surrogates (a "\ud800" in
      // JSON is not a character) in text and jsonb: refuse them here, by name.
      const nul = findNul(data, '');
      validate.errors = nul === undefined ? null : [nul];
      return nul === undefined;
    }
    const firstErrors = first.errors ?? [];
    if (countValues(data, FULL_REPORT_MAX_VALUES) > FULL_REPORT_MAX_VALUES || all(data)) {
      validate.errors = firstErrors.slice(0, 1);
      return false;
    }
    const errors = all.errors ?? firstErrors;
    validate.errors =
      errors.length > MAX_REPORTED_ERRORS
        ? [...errors.slice(0, MAX_REPORTED_ERRORS), moreErrors(errors.length - MAX_REPORTED_ERRORS)]
        : errors;
    return false;
  };
  return validate;
}

/** Counts the values in `data`, stopping as soon as the count passes `limit`. */
function countValues(data: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [data];
  while (stack.length > 0 && count <= limit) {
    const value = stack.pop();
    count += 1;
    if (Array.isArray(value)) {
      if (value.length > limit) return limit + 1;
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const key in value) {
        count += 1;
        stack.push((value as Record<string, unknown>)[key]);
        if (count > limit) break;
      }
    }
  }
  return count;
}

function moreErrors(count: number): ErrorObject {
  return {
    instancePath: '',
    schemaPath: '#',
    keyword: 'truncated',
    params: { omitted: count },
    message: `has ${count} more problems not listed`,
  };
}

const MAX_FIELD_NAME = 200;

/** Names each failing field the way a caller wrote it: `body.fees.upfrontFen`, `query.limit`. */
export function toFieldProblems(errors: readonly ErrorObject[], part: string): FieldProblem[] {
  return errors.slice(0, MAX_REPORTED_ERRORS + 1).map((error) => {
    const segments = error.instancePath
      .split('/')
      .filter((s) => s !== '')
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
    if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
    // The contract's own keywords may name a member or item below the value they check.
    segments.push(...segmentsOfAt(error.params.at));
    const named = [part, ...segments].join('.');
    // A member name is the caller's text: a 100 KB unknown key must not come back twice over.
    const field = named.length > MAX_FIELD_NAME ? `${named.slice(0, MAX_FIELD_NAME)}…` : named;
    const message =
      error.keyword === 'additionalProperties'
        ? 'is not a known field'
        : error.keyword === 'required'
          ? 'is required'
          : (error.message ?? 'is not valid');
    return { field, message };
  });
}

/** The input schemas one route declared (as given, before Fastify or OpenAPI touch them). */
export interface RouteInputs {
  readonly method: string;
  readonly url: string;
  readonly hidden: boolean;
  /** The route's own body limit, when it (or a hook before this one) set one. */
  readonly bodyLimit: number | undefined;
  readonly config: Readonly<Record<string, unknown>>;
  readonly parts: Readonly<Partial<Record<'body' | 'querystring' | 'params' | 'headers', unknown>>>;
}

const routeInputs = new WeakMap<FastifyInstance, RouteInputs[]>();

/** Keeps the input schemas of every route registered from now on, for `routeInputsOf`. */
export function recordRouteInputs(app: FastifyInstance): void {
  const list: RouteInputs[] = [];
  routeInputs.set(app, list);
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const parts: Partial<Record<'body' | 'querystring' | 'params' | 'headers', unknown>> = {};
    for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
      if (schema[part] !== undefined) parts[part] = schema[part];
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      list.push({
        method: String(method),
        url: route.url,
        hidden: schema.hide === true,
        bodyLimit: route.bodyLimit,
        config: (route.config ?? {}) as Record<string, unknown>,
        parts,
      });
    }
  });
}

/** Every route's input schemas, hidden routes included (tests check that all are bounded). */
export function routeInputsOf(app: FastifyInstance): readonly RouteInputs[] {
  return routeInputs.get(app) ?? [];
}
