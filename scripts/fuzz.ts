/**
 * The larger fuzz run (issue #9), outside `npm test`: the schema-driven fuzz of
 * test/security/fuzz.test.ts with more requests per operation.
 *
 *   npx node scripts/fuzz.ts                 # 1,000 requests per operation, embedded database
 *   FUZZ_RUNS=5000 FUZZ_SEED=1234 npx node scripts/fuzz.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx node scripts/fuzz.ts
 *
 * FUZZ_RUNS (default 1000) is the number of requests per operation; FUZZ_SEED (random, printed)
 * replays a run; FUZZ_VERBOSE=1 prints the statuses of every operation and principal. Exit code 0
 * when no request failed (no 5xx, every error in the error shape, no row written by a refusal, no
 * personal data readable anywhere), 1 otherwise; the report lists each failing request.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = process.env.FUZZ_RUNS ?? '1000';
if (!/^[1-9]\d*$/.test(runs)) {
  process.stderr.write(`fuzz: FUZZ_RUNS must be a positive integer (got "${runs}")\n`);
  process.exit(64);
}
// A new seed each run (printed by the suite), unless one is given to replay a run.
const seed = process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const result = spawnSync(process.execPath, [vitest, 'run', 'test/security/fuzz.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs, FUZZ_SEED: seed },
});
process.exit(result.status ?? 1);
