/**
 * The TypeScript type of a value that satisfies a schema of the contract's subset (json-schema.ts),
 * computed from the schema's literal type, so that the types cannot drift from the schemas.
 * Objects are read-only; members not in `required` are optional; `oneOf`/`anyOf` of shapes become
 * unions; the `x-` rules add nothing a type can say.
 */

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredNames<S> = S extends { readonly required: readonly (infer R extends string)[] } ? R : never;

type ObjectOf<S, P> = Simplify<
  { readonly [K in keyof P & RequiredNames<S>]: FromSchema<P[K]> } & {
    readonly [K in Exclude<keyof P, RequiredNames<S>>]?: FromSchema<P[K]>;
  }
>;

export type FromSchema<S> = S extends { readonly oneOf: readonly (infer O)[] }
  ? FromSchema<O>
  : S extends { readonly const: infer C }
    ? C
    : S extends { readonly enum: readonly (infer E)[] }
      ? E
      : S extends { readonly type: 'string' }
        ? string
        : S extends { readonly type: 'integer' | 'number' }
          ? number
          : S extends { readonly type: 'boolean' }
            ? boolean
            : S extends { readonly type: 'array'; readonly items: infer I }
              ? readonly FromSchema<I>[]
              : S extends { readonly type: 'object'; readonly properties: infer P }
                ? ObjectOf<S, P>
                : unknown;
