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

/**
 * Table ownership (docs/architecture.md, "Typed executors"): each feature module queries through
 * an executor typed over its own tables, so the compiler refuses a query of another module's
 * table. That holds only while no module names another's tables or the whole `Database`; these
 * rules keep it so.
 */
describe('table ownership', () => {
  /** The feature modules: the folders of src/ that declare tables. */
  const modules = readdirSync(SRC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => sourcesUnder(`src/${name}`).some((file) => rel(file) === `src/${name}/tables.ts`));

  /** Source files that join two modules' tables on purpose, with the reason. */
  const JOINT_FACTORIES: Readonly<Record<string, string>> = {
    'src/settlement/index.ts': 'builds the ledger that settlement posts to',
    'src/whitelist/demo.ts': 'seeds the demo lists of the demo channels',
  };
  /** Composition roots inside a feature folder that may see every table (`Database`). */
  const COMPOSITION_ROOTS = new Set(['src/demo/seed.ts']);

  const moduleSources = modules.flatMap((name) =>
    sourcesUnder(`src/${name}`).map((file) => ({ name, file, path: rel(file) })),
  );

  it('finds the feature modules', () => {
    expect(modules).toEqual(
      expect.arrayContaining(['applications', 'loans', 'settlement', 'ledger', 'protocol']),
    );
    expect(modules).not.toContain('shared');
    expect(modules).not.toContain('db');
  });

  it("no module's source imports another module's tables.ts (joint factories named here excepted)", () => {
    const found = moduleSources
      .filter(({ path }) => !(path in JOINT_FACTORIES))
      .flatMap(({ name, file }) =>
        violations(
          [file],
          ({ target }) => target?.endsWith('/tables.ts') === true && target !== `src/${name}/tables.ts`,
        ),
      );
    expect(found).toEqual([]);
  });

  it('no module source imports the whole Database (src/db/schema.ts) but the composition roots', () => {
    const found = moduleSources
      .filter(({ path }) => !COMPOSITION_ROOTS.has(path))
      .flatMap(({ file }) => violations([file], ({ target }) => target === 'src/db/schema.ts'));
    expect(found).toEqual([]);
  });

  it('a handle passed in from another module is opened only over the own tables (ownTables<OwnTables>)', () => {
    const own = new Map<string, string[]>();
    const wrong: string[] = [];
    for (const { name, file, path } of moduleSources) {
      const text = readFileSync(file, 'utf8');
      const ownTypes =
        own.get(name) ??
        [
          ...readFileSync(join(SRC, name, 'tables.ts'), 'utf8').matchAll(/export interface (\w+Tables)\b/g),
        ].map((match) => match[1] as string);
      own.set(name, ownTypes);
      for (const [, type] of text.matchAll(/ownTables<([^>]+)>/g)) {
        if (!ownTypes.includes(type as string)) wrong.push(`${path}: ownTables<${type}>`);
      }
    }
    expect([...own.values()].flat()).toEqual(expect.arrayContaining(['LoanTables', 'ApplicationTables']));
    expect(wrong).toEqual([]);
  });
});
