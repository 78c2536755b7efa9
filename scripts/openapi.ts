/**
 * The OpenAPI document without a running server (src/openapi.ts builds the app over an in-memory
 * PGlite and asks it for /openapi.json):
 *
 *   npx node scripts/openapi.ts export <file>   # writes the document (`npm run lint:openapi` lints it)
 *   npx node scripts/openapi.ts types           # rewrites web/src/api/openapi.gen.ts (`npm run api:types`)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportOpenApiDocument } from '../src/openapi.ts';
import { API_TYPES_FILE, generateApiTypes } from '../src/openapi-types.ts';

const [command, file] = process.argv.slice(2);
if (command === 'export' && file) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(await exportOpenApiDocument(), null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
} else if (command === 'types' && file === undefined) {
  writeFileSync(API_TYPES_FILE, await generateApiTypes(await exportOpenApiDocument()));
  process.stdout.write(`wrote ${API_TYPES_FILE}\n`);
} else {
  process.stderr.write('usage: scripts/openapi.ts export <file> | types\n');
  process.exit(64);
}
