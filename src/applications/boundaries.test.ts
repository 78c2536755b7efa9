import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The applications module owns the application life cycle and its tables. Loans hears of drawdowns
 * and tells applications of disbursements and loan states only through `loans/ports.ts`
 * (ApplicationLifecycle, implemented here in lifecycle.ts), and nobody else writes the tables.
 * Read from the sources, so that a shortcut back into applications fails here.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const applicationsDir = join(root, 'src', 'applications');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.split(sep).includes('node_modules'));
}

/** Comments removed (roughly: enough that prose about tables is not mistaken for code). */
function code(file: string): string {
  return withoutComments(readFileSync(file, 'utf8'));
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every `import … from` / `export … from` / `import()` of a file, with whether it is type-only. */
function imports(text: string): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const match of text.matchAll(/\b(import|export)\s+(type\s+)?[^;'"`]*?\bfrom\s+['"]([^'"]+)['"]/g)) {
    found.push({ specifier: match[3]!, typeOnly: match[2] !== undefined });
  }
  for (const match of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) {
    found.push({ specifier: match[1]!, typeOnly: false });
  }
  for (const match of text.matchAll(/(typeof\s+)?\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push({ specifier: match[2]!, typeOnly: match[1] !== undefined });
  }
  return found;
}

const inApplications = (file: string) => !relative(applicationsDir, file).startsWith('..');

describe('applications boundary', () => {
  it('loans imports nothing from applications but types', () => {
    const offending = sourceFiles(join(root, 'src', 'loans'))
      // Tests may assemble the neighbouring modules (the journey test runs applications and loans).
      .filter((file) => !file.endsWith('.test.ts'))
      .flatMap((file) =>
        imports(code(file))
          .filter(({ specifier }) => specifier.startsWith('.'))
          .filter(({ specifier }) => inApplications(resolve(dirname(file), specifier)))
          .filter(({ typeOnly }) => !typeOnly)
          .map(({ specifier }) => `${relative(root, file)} imports ${specifier}`),
      );
    expect(offending).toEqual([]);
  });

  it('reads imports as written: type-only, value, multi-line, re-exports, dynamic', () => {
    const sample = withoutComments(`
      import type { ApplicationLifecycle } from '../applications/lifecycle.ts';
      import {
        applyEvent,
        type Cause,
      } from '../applications/repository.ts';
      // import { lockApplication } from '../applications/commented-out.ts';
      export { chinaDate } from '../applications/service.ts';
      export type { Application } from '../applications/repository.ts';
      const later = await import('../applications/state-machine.ts');
      type Later = typeof import('../applications/tables.ts');
    `);
    expect(imports(sample)).toEqual([
      { specifier: '../applications/lifecycle.ts', typeOnly: true },
      { specifier: '../applications/repository.ts', typeOnly: false },
      { specifier: '../applications/service.ts', typeOnly: false },
      { specifier: '../applications/repository.ts', typeOnly: true },
      { specifier: '../applications/state-machine.ts', typeOnly: false },
      { specifier: '../applications/tables.ts', typeOnly: true },
    ]);
  });

  it('no file outside applications writes drawdowns, applications or their events', () => {
    const tables = 'drawdowns|applications|application_events';
    const kysely = new RegExp(
      `\\b(insertInto|updateTable|deleteFrom|mergeInto|replaceInto)\\(\\s*['"\`](${tables})\\b`,
      'g',
    );
    const raw = new RegExp(
      `\\b(insert\\s+into|update|delete\\s+from|truncate(\\s+table)?)\\s+(${tables})\\b`,
      'gi',
    );
    const offending = ['src', 'bench', 'test']
      .flatMap((dir) => sourceFiles(join(root, dir)))
      .filter((file) => !inApplications(file))
      .flatMap((file) => {
        const text = code(file);
        return [...text.matchAll(kysely), ...text.matchAll(raw)].map(
          (match) => `${relative(root, file)}: ${match[0]}`,
        );
      });
    expect(offending).toEqual([]);
  });
});
