/**
 * Runs the benchmarks: every `bench/*.bench.ts`, or only those named on the command line
 * (`npm run bench -- money` runs money.bench.ts). Each file's default export prints its results.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SUFFIX = '.bench.ts';
const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).map((name) => name.replace(/\.bench\.ts$/, ''));
const available = readdirSync(here)
  .filter((file) => file.endsWith(SUFFIX))
  .map((file) => file.slice(0, -SUFFIX.length))
  .sort();

const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

for (const name of wanted.length > 0 ? wanted : available) {
  console.log(`# ${name}`);
  const module = (await import(pathToFileURL(join(here, `${name}${SUFFIX}`)).href)) as {
    default: () => Promise<void>;
  };
  await module.default();
}
