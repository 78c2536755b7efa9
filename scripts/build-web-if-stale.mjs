#!/usr/bin/env node
// Run before `npm start` (the prestart script): builds the borrower H5 into web/dist when the build
// is missing or older than any of its sources, and otherwise returns at once. Without Vite (an
// install that left out devDependencies) it says so and lets the server start without the H5.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const builtIndex = join(web, 'dist', 'index.html');
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json'];

/** The newest modification time under a file or directory (skipping test files). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const sourcesChanged = Math.max(
  ...SOURCES.map((name) => newest(join(web, name))),
  newest(join(root, 'package-lock.json')),
);
const builtAt = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;

if (builtAt >= sourcesChanged) process.exit(0);

const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (!existsSync(vite)) {
  process.stderr.write(
    'lendgate: the borrower H5 is not built and Vite is not installed; /h5/ will answer 503.\n',
  );
  process.exit(0);
}
process.stderr.write(
  `lendgate: building the borrower H5 (${builtAt === 0 ? 'no build yet' : 'sources changed'})…\n`,
);
const result = spawnSync(process.execPath, [vite, 'build', web, '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
