import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportOpenApiDocument } from './openapi.ts';
import { API_TYPES_FILE, generateApiTypes } from './openapi-types.ts';

const committed = () => readFileSync(new URL(`../${API_TYPES_FILE}`, import.meta.url), 'utf8');

describe("the H5's generated API types", () => {
  it(`${API_TYPES_FILE} is what \`npm run api:types\` generates from today's document`, async () => {
    const document = await exportOpenApiDocument();
    const generated = await generateApiTypes(document);
    // A stale file: run `npm run api:types` and commit the result.
    expect(generated === committed(), `${API_TYPES_FILE} is stale: run npm run api:types`).toBe(true);

    // And it is stale as soon as a schema the H5 reads changes.
    const changed = structuredClone(document) as {
      paths: Record<string, { get: { responses: Record<string, unknown> } }>;
    };
    const payoff = changed.paths['/api/v1/borrower/loans/{id}/payoff-quote']!.get;
    payoff.responses['200'] = {
      description: 'changed',
      content: {
        'application/json': { schema: { type: 'object', properties: { totalFen: { type: 'string' } } } },
      },
    };
    expect(await generateApiTypes(changed as never)).not.toBe(committed());
  }, 60_000);

  it('covers the paths the H5 calls and none of the operator or lender APIs', () => {
    const text = committed();
    for (const path of [
      '/api/v1/channels/{code}/sessions',
      '/api/v1/dev/channels/{code}/tokens',
      '/api/v1/quotes',
      '/api/v1/agreements',
      '/api/v1/borrower/loans/{id}/repayments',
    ]) {
      expect(text).toContain(`readonly "${path}": {`);
    }
    expect(text).not.toContain('"/api/v1/admin/');
    expect(text).not.toContain('"/open/v1/');
  });
});
