import { type TSchema, type TUnsafe, Type } from 'typebox';

/** The error shape, published once in OpenAPI and referenced by every route. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'A code from the error registry, e.g. VALIDATION_FAILED' }),
      message: Type.String(),
      requestId: Type.String(),
      details: Type.Optional(
        Type.Object(
          {
            fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
          },
          { additionalProperties: true },
        ),
      ),
    }),
  },
  { $id: 'ErrorResponse', title: 'ErrorResponse' },
);

/** A response in the error shape (a reference to the published ErrorResponse). */
export const ErrorRef = Type.Unsafe<unknown>({ $ref: 'ErrorResponse#' });
const errorRef = ErrorRef;

/** Standard error responses for a route: 400/500 always, plus the statuses the route can give. */
export function errorResponses<const S extends readonly number[]>(
  ...statuses: S
): Record<S[number] | 400 | 500, TSchema> {
  const out: Record<number, TSchema> = { 400: errorRef, 500: errorRef };
  for (const status of statuses) out[status] = errorRef;
  return out;
}

export const BearerSecurity = [{ bearerAuth: [] }];

/** A string enum from a readonly list of literals, typed as their union. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

type IntegerOptions = NonNullable<Parameters<typeof Type.Integer>[0]>;

/** PostgreSQL's int4 range: counts, versions, periods, line numbers. */
export const MAX_INT4 = 2_147_483_647;

/**
 * An integer that fits an int4 column. Input integers always carry bounds: an unbounded one lets
 * `1e20` through to the database, which refuses it with an error (a 500), not a 400.
 */
export function Int4(options: IntegerOptions = {}) {
  return Type.Integer({ minimum: -MAX_INT4 - 1, maximum: MAX_INT4, ...options });
}

/** An integer JavaScript holds exactly (ids of bigserial columns, cursors): within ±(2^53 − 1). */
export function SafeInteger(options: IntegerOptions = {}) {
  return Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, ...options });
}

/** An RFC 3339 date-time of sensible length (the format alone allows any number of decimals). */
export function DateTimeString(options: { description?: string } = {}) {
  return Type.String({ format: 'date-time', maxLength: 40, ...options });
}

/** A list answered whole, not paged: `{ items: [...] }`, the shape every such list has. */
export function ItemsOf<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item) });
}
