import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The one SDK entry point allowed a library, and the only library it may import. */
const SM_ENTRY = 'sm.ts';
const SM_LIBRARY = 'sm-crypto-v2';

function imports(fileUrl: URL): string[] {
  return [...readFileSync(fileUrl, 'utf8').matchAll(/from '([^']+)'/g)].map(([, spec]) => spec!);
}

// The SDK ships to lenders on its own: its core may import node built-ins and its own files, nothing
// else. The SM provider (sm.ts) is a separate entry point, the only file that imports a library, and
// no core file imports it: a lender that does not use the 国密 suite needs no dependency at all.
describe('SDK independence', () => {
  const root = new URL('./', import.meta.url);
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );

  it('imports only node: built-ins and files inside sandbox/sdk, except sm.ts', () => {
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const fileUrl = new URL(file, root);
      for (const spec of imports(fileUrl)) {
        const inside = spec.startsWith('.') && new URL(spec, fileUrl).href.startsWith(root.href);
        const allowed = spec.startsWith('node:') || inside || (file === SM_ENTRY && spec === SM_LIBRARY);
        expect(allowed, `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it('keeps the SM library out of the core: no file imports sm.ts', () => {
    for (const file of files) {
      for (const spec of imports(new URL(file, root))) {
        expect(spec.endsWith(`/${SM_ENTRY}`), `${file} imports ${spec}`).toBe(false);
      }
    }
  });
});
