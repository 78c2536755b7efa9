import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { isGuarded, PUBLIC_BODY_LIMIT_BYTES } from './body-limits.ts';
import { routeInputsOf } from './validation.ts';

/**
 * Every input a route accepts is bounded by its schema, so that validating it costs little and
 * nothing unbounded reaches a handler or the database: arrays have maxItems, objects are closed
 * (additionalProperties: false) or have maxProperties, integers and numbers a minimum and a
 * maximum within JavaScript's safe integers, strings a maxLength (or an enum, a fixed format, or
 * an anchored pattern without open-ended repetition). A new route that forgets fails here.
 */

type Schema = Record<string, unknown>;

const FIXED_FORMATS = new Set(['uuid', 'date']);

/** Whether an anchored pattern can only match strings of bounded length. */
function isBoundedPattern(pattern: string): boolean {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return false;
  const bare = pattern.replace(/\\./g, 'x').replace(/\[(?:[^\]])*\]/g, 'x');
  if (/[*+]|\{\d*,\}/.test(bare)) return false;
  let depth = 0;
  for (const char of bare) {
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    // ^a|b$ is "^a" or "b$": each side is open on one end.
    else if (char === '|' && depth === 0) return false;
  }
  return true;
}

function typesOf(schema: Schema): string[] {
  const type = schema.type;
  if (Array.isArray(type)) return type as string[];
  return typeof type === 'string' ? [type] : [];
}

/** Lists every unbounded place in an input schema, named by its path. */
function unboundedParts(schema: unknown, at: string, problems: string[] = []): string[] {
  if (schema === true || schema === undefined) {
    problems.push(`${at}: accepts anything`);
    return problems;
  }
  if (typeof schema !== 'object' || schema === null) return problems;
  const s = schema as Schema;
  if (s.$ref !== undefined) {
    problems.push(`${at}: $ref ${String(s.$ref)} (inline input schemas so that they can be checked)`);
    return problems;
  }
  if (Array.isArray(s.enum) || 'const' in s) return problems;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = s[key];
    if (Array.isArray(options)) for (const option of options) unboundedParts(option, at, problems);
  }
  const types = typesOf(s);
  const composite = ['anyOf', 'oneOf', 'allOf'].some((key) => key in s);
  if (types.length === 0 && !composite && !('properties' in s) && !('items' in s)) {
    problems.push(`${at}: no type (accepts anything)`);
  }
  if (types.includes('array') || 'items' in s) {
    if (typeof s.maxItems !== 'number') problems.push(`${at}: array without maxItems`);
    if (Array.isArray(s.prefixItems)) {
      for (const [i, item] of s.prefixItems.entries()) unboundedParts(item, `${at}[${i}]`, problems);
    }
    if (s.items !== false) unboundedParts(s.items, `${at}[]`, problems);
  }
  if (types.includes('object') || 'properties' in s) {
    const closed = s.additionalProperties === false && s.patternProperties === undefined;
    if (!closed && typeof s.maxProperties !== 'number') {
      problems.push(`${at}: open object without maxProperties`);
    }
    for (const [name, property] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
      unboundedParts(property, `${at}.${name}`, problems);
    }
    if (typeof s.additionalProperties === 'object')
      unboundedParts(s.additionalProperties, `${at}.*`, problems);
    const anyMember = s.additionalProperties === undefined || s.additionalProperties === true;
    if (anyMember && s.patternProperties === undefined && typeof s.maxProperties === 'number') {
      problems.push(`${at}.*: members of any type`);
    }
    for (const property of Object.values((s.patternProperties ?? {}) as Record<string, unknown>)) {
      unboundedParts(property, `${at}.*`, problems);
    }
  }
  if (types.includes('integer') || types.includes('number')) {
    const low = s.minimum ?? s.exclusiveMinimum;
    const high = s.maximum ?? s.exclusiveMaximum;
    if (typeof low !== 'number' || typeof high !== 'number') {
      problems.push(`${at}: ${types.join('|')} without minimum and maximum`);
    } else if (Math.abs(low) > Number.MAX_SAFE_INTEGER || Math.abs(high) > Number.MAX_SAFE_INTEGER) {
      problems.push(`${at}: bounds beyond Number.MAX_SAFE_INTEGER`);
    }
  }
  if (types.includes('string')) {
    const bounded =
      typeof s.maxLength === 'number' ||
      (typeof s.format === 'string' && FIXED_FORMATS.has(s.format)) ||
      (typeof s.pattern === 'string' && isBoundedPattern(s.pattern));
    if (!bounded) problems.push(`${at}: string without maxLength`);
  }
  return problems;
}

describe('input bounds', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Demo mode registers the dev-only routes too, so that they are checked as well.
    t = await createTestApp({ env: { LENDGATE_DEMO: 'true', LENDGATE_SANDBOX: 'false' } });
  });
  afterAll(async () => t.close());

  it('knows a bounded pattern from an open one', () => {
    expect(isBoundedPattern('^[a-z][a-z0-9_]{1,31}$')).toBe(true);
    expect(isBoundedPattern('^(0(\\.\\d{1,10})?|1(\\.0{1,10})?)$')).toBe(true);
    expect(isBoundedPattern('^[a-z]+$')).toBe(false);
    expect(isBoundedPattern('^[a-z]{2,}$')).toBe(false);
    expect(isBoundedPattern('[a-z]{2}')).toBe(false);
    expect(isBoundedPattern('^a|b$')).toBe(false);
    expect(unboundedParts({ type: 'array', items: { type: 'string', maxLength: 3 } }, 'x')).toEqual([
      'x: array without maxItems',
    ]);
    expect(unboundedParts({ type: 'object', properties: {} }, 'x')).toEqual([
      'x: open object without maxProperties',
    ]);
    expect(unboundedParts({ type: 'integer', minimum: 1 }, 'x')).toEqual([
      'x: integer without minimum and maximum',
    ]);
  });

  it('every input of every route in /openapi.json is bounded', async () => {
    const document = (await t.server.inject('/openapi.json')).json() as {
      paths: Record<string, Record<string, { parameters?: Schema[]; requestBody?: Schema }>>;
    };
    const problems: string[] = [];
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        for (const parameter of operation.parameters ?? []) {
          checked += 1;
          unboundedParts(
            parameter.schema,
            `${name} ${String(parameter.in)}.${String(parameter.name)}`,
            problems,
          );
        }
        const content = (operation.requestBody?.content ?? {}) as Record<string, { schema?: unknown }>;
        for (const [type, media] of Object.entries(content)) {
          // A streamed upload (text/csv) has no JSON schema; its route bounds it by bodyLimit.
          if (type !== 'application/json') continue;
          checked += 1;
          unboundedParts(media.schema, `${name} body`, problems);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it('every input schema of every route, those hidden from OpenAPI included, is bounded', () => {
    const routes = routeInputsOf(t.server);
    expect(routes.some((route) => route.hidden)).toBe(true);
    expect(routes.some((route) => route.url.startsWith('/api/v1/dev/'))).toBe(true);
    const problems: string[] = [];
    for (const route of routes) {
      // A path parameter without a schema reaches the handler unchecked (NUL bytes and all).
      if (/\/:/.test(route.url) && route.parts.params === undefined) {
        problems.push(`${route.method} ${route.url}: path parameters without a params schema`);
      }
      for (const [part, schema] of Object.entries(route.parts)) {
        const at = `${route.method} ${route.url} ${part}`;
        if (part === 'params') {
          // The router yields exactly the parameters the URL names: only their values are input.
          const { additionalProperties: _open, ...named } = schema as Schema;
          unboundedParts({ ...named, additionalProperties: false }, at, problems);
        } else if (part === 'headers') {
          // Header names are bounded by Node (16 KB of headers in all); their values are not.
          const { additionalProperties: _open, ...named } = schema as Schema;
          unboundedParts({ ...named, additionalProperties: false }, at, problems);
        } else {
          unboundedParts(schema, at, problems);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every route open to anonymous callers takes small bodies only', () => {
    const open = routeInputsOf(t.server).filter(
      (route) => route.parts.body !== undefined && !isGuarded(route),
    );
    expect(open.map((route) => route.url)).toEqual(
      expect.arrayContaining(['/api/v1/quotes', '/api/v1/admin/sessions', '/api/v1/channels/:code/sessions']),
    );
    const large = open
      .filter((route) => (route.bodyLimit ?? Number.POSITIVE_INFINITY) > 4 * PUBLIC_BODY_LIMIT_BYTES)
      .map((route) => `${route.method} ${route.url}: bodyLimit ${route.bodyLimit}`);
    expect(large).toEqual([]);
  });
});
