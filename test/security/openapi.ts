/** The operations of the app's own OpenAPI document, for the suites that must cover every one. */
import type { FastifyInstance } from 'fastify';

export type JsonSchema = Record<string, unknown>;

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export interface Operation {
  /** `METHOD /path/{param}` as the document writes it: the key of policy rows and reports. */
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly Parameter[];
  /** Media type → schema of the request body, when the operation takes one. */
  readonly body?: { readonly mediaType: string; readonly schema: JsonSchema; readonly required: boolean };
  /** Declared security schemes (`bearerAuth` operators, `borrowerAuth` borrowers), empty if public. */
  readonly security: readonly string[];
  /** Media types the operation consumes, when it declares them (e.g. text/csv). */
  readonly consumes: readonly string[];
}

export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, Record<string, unknown>>>;
  readonly components?: { readonly schemas?: Record<string, JsonSchema> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export async function loadOpenApi(server: FastifyInstance): Promise<OpenApiDocument> {
  const response = await server.inject({ method: 'GET', url: '/openapi.json' });
  if (response.statusCode !== 200) throw new Error(`/openapi.json → ${response.statusCode}`);
  return response.json() as OpenApiDocument;
}

/** Resolves local `$ref`s (`#/components/schemas/X`), keeping the rest of the schema as it is. */
export function resolveRefs(schema: unknown, document: OpenApiDocument, depth = 0): unknown {
  if (depth > 20 || schema === null || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map((item) => resolveRefs(item, document, depth + 1));
  const record = schema as Record<string, unknown>;
  if (typeof record.$ref === 'string') {
    const name = record.$ref.split('/').pop() ?? '';
    const target = document.components?.schemas?.[name];
    return target === undefined ? {} : resolveRefs(target, document, depth + 1);
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolveRefs(v, document, depth + 1)]));
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const op = resolveRefs(raw, document) as Record<string, unknown>;
      const parameters = ((op.parameters as Parameter[] | undefined) ?? []).map((p) => ({
        name: p.name,
        in: p.in,
        required: p.required === true,
        schema: (p.schema as JsonSchema | undefined) ?? {},
      }));
      const content = (
        op.requestBody as { content?: Record<string, { schema?: JsonSchema }>; required?: boolean }
      )?.content;
      const mediaType = content ? Object.keys(content)[0] : undefined;
      const security = ((op.security as Record<string, unknown>[] | undefined) ?? []).flatMap((s) =>
        Object.keys(s),
      );
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters,
        ...(mediaType
          ? {
              body: {
                mediaType,
                schema: content![mediaType]!.schema ?? {},
                required: (op.requestBody as { required?: boolean }).required !== false,
              },
            }
          : {}),
        security,
        consumes: (op.consumes as string[] | undefined) ?? [],
      });
    }
  }
  return operations;
}

/** Fills `{name}` path templates; values are inserted as given (already encoded by the caller). */
export function fillPath(path: string, values: Readonly<Record<string, string>>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? `missing-${name}`);
}
