import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The SDK ships to lenders on its own: it may import node built-ins and its own files, nothing else.
describe('SDK independence', () => {
  it('imports only node: built-ins and files inside sandbox/sdk', () => {
    const root = new URL('./', import.meta.url);
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    );
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const fileUrl = new URL(file, root);
      for (const [, spec] of readFileSync(fileUrl, 'utf8').matchAll(/from '([^']+)'/g)) {
        const inside = spec!.startsWith('.') && new URL(spec!, fileUrl).href.startsWith(root.href);
        expect(spec!.startsWith('node:') || inside, `${file} imports ${spec}`).toBe(true);
      }
    }
  });
});
