import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The import rules of docs/architecture.md that the compiler does not enforce: the HTTP routes get
 * services, never the database; shared/ depends on no feature module; the demo does not use the
 * CLI. Imports are read with TypeScript's own pre-processor, so `import type`, `export … from` and
 * `import()` count, whatever their layout.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** The project-relative path (with `/`) of an absolute one. */
const rel = (path: string) => relative(ROOT, path).split(sep).join('/');

/** One import of a file: what it says, and for a relative one the project path it points at. */
interface Import {
  readonly specifier: string;
  readonly target?: string;
}

function importsOfSource(file: string, text: string): Import[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map(({ fileName: specifier }) =>
    specifier.startsWith('.') ? { specifier, target: rel(resolve(dirname(file), specifier)) } : { specifier },
  );
}

/** The TypeScript files under a project folder; test files left out unless asked for. */
function sourcesUnder(folder: string, { tests = false } = {}): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.tsx?$/.test(name) && (tests || !/\.test\.tsx?$/.test(name)))
    .map((name) => join(ROOT, folder, name));
}

/** Every import of the given files that `forbidden` refuses, as "file → specifier". */
function violations(files: readonly string[], forbidden: (entry: Import) => boolean): string[] {
  return files.flatMap((file) =>
    importsOfSource(file, readFileSync(file, 'utf8'))
      .filter(forbidden)
      .map(({ specifier }) => `${rel(file)} → ${specifier}`),
  );
}

const within = (target: string | undefined, folder: string) =>
  target !== undefined && (target === folder || target.startsWith(`${folder}/`));

/** The database layer: src/db/, Kysely, and the drivers under it. */
const DATABASE_PACKAGES = ['kysely', 'pg', '@electric-sql/pglite'];
const importsDatabase = ({ specifier, target }: Import) =>
  within(target, 'src/db') ||
  DATABASE_PACKAGES.some((name) => specifier === name || specifier.startsWith(`${name}/`));

/** Anything of the project outside shared/, except the dependency-free lender SDK. */
const importsOutsideShared = ({ target }: Import) =>
  target !== undefined && !within(target, 'src/shared') && !within(target, 'sandbox/sdk');

describe('import rules', () => {
  it('reads every form of import, and resolves relative ones from the importing file', () => {
    const file = join(SRC, 'http', 'routes', 'planted.ts');
    const found = importsOfSource(
      file,
      [
        "import type {\n  Executor,\n} from '../../db/transaction.ts';",
        "export { sql } from 'kysely';",
        "const later = await import('../../shared/errors.ts');",
        "import '../../../sandbox/sdk/index.ts';",
      ].join('\n'),
    );
    expect(found).toEqual([
      { specifier: '../../db/transaction.ts', target: 'src/db/transaction.ts' },
      { specifier: 'kysely' },
      { specifier: '../../shared/errors.ts', target: 'src/shared/errors.ts' },
      { specifier: '../../../sandbox/sdk/index.ts', target: 'sandbox/sdk/index.ts' },
    ]);
    expect(found.map(importsDatabase)).toEqual([true, true, false, false]);
    expect(found.map(importsOutsideShared)).toEqual([true, false, false, false]);
    expect(
      importsOutsideShared({
        specifier: '../protocol/envelope/errors.ts',
        target: 'src/protocol/envelope/errors.ts',
      }),
    ).toBe(true);
    expect(importsOutsideShared({ specifier: '../config.ts', target: 'src/config.ts' })).toBe(true);
    expect(
      importsOutsideShared({ specifier: '../../sandbox/lender/main.ts', target: 'sandbox/lender/main.ts' }),
    ).toBe(true);
  });

  it('no route under src/http/routes imports the database layer (src/db, Kysely): routes get services', () => {
    const routes = sourcesUnder('src/http/routes');
    expect(routes.length).toBeGreaterThan(20);
    expect(violations(routes, importsDatabase)).toEqual([]);
  });

  it('src/shared imports no feature module (nothing in src/ outside shared/; the SDK under sandbox/sdk is allowed)', () => {
    const shared = sourcesUnder('src/shared');
    expect(shared.map(rel)).toContain('src/shared/errors.ts');
    expect(violations(shared, importsOutsideShared)).toEqual([]);
  });

  it('src/demo does not import the command line (src/cli): the conformance kit is a library in src/conformance', () => {
    const demo = sourcesUnder('src/demo', { tests: true });
    expect(demo.map(rel)).toContain('src/demo/sandbox-lenders.ts');
    expect(violations(demo, ({ target }) => within(target, 'src/cli'))).toEqual([]);
    expect(violations(sourcesUnder('src/conformance'), ({ target }) => within(target, 'src/cli'))).toEqual(
      [],
    );
  });
});
