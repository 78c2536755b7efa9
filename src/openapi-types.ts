import openapiTS, { astToString } from 'openapi-typescript';
import type { OpenApiJson } from './openapi.ts';

/** Where the H5's API types live (committed; `npm run api:types` rewrites them). */
export const API_TYPES_FILE = 'web/src/api/openapi.gen.ts';

const HEADER = `/**
 * The borrower H5's view of the API: generated from the OpenAPI document (GET /openapi.json) by
 * openapi-typescript. Do not edit: run \`npm run api:types\` after changing a route's schema;
 * src/openapi-types.test.ts fails while this file is stale. web/src/api/types.ts names the shapes.
 */

`;

/**
 * The paths the H5 calls: the borrower's own, the public ones it uses (quotes, agreements, the
 * channel sign-in, the demo token). The operator and lender APIs are left out, so that a change
 * there does not make the H5's file stale.
 */
export const H5_PATH_PREFIXES: readonly string[] = [
  '/api/v1/borrower/',
  '/api/v1/quotes',
  '/api/v1/agreements',
  '/api/v1/channels/',
  '/api/v1/dev/channels/',
];

/** The TypeScript of the H5's API types from `document` (readonly: the H5 only reads answers). */
export async function generateApiTypes(document: OpenApiJson): Promise<string> {
  const paths = Object.fromEntries(
    Object.entries(document.paths).filter(([path]) =>
      H5_PATH_PREFIXES.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix)),
    ),
  );
  const ast = await openapiTS({ ...structuredClone(document), paths } as never, {
    immutable: true,
    silent: true,
  });
  return HEADER + astToString(ast);
}
