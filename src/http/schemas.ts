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

const errorRef = Type.Unsafe<unknown>({ $ref: 'ErrorResponse#' });

/** Standard error responses for a route: 400/500 always, plus the statuses the route can give. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
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
