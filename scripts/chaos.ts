/**
 * The larger chaos run (issue #9), outside the test suite:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx node scripts/chaos.ts
 *
 * Knobs (environment): CHAOS_LOANS (default 1000), CHAOS_KILLS (10), CHAOS_STORMS (2),
 * CHAOS_SEED (random, printed), CHAOS_CONCURRENCY (24), CHAOS_ERROR_RATE (0.05),
 * CHAOS_SERVERS (2), CHAOS_SERVER_ENV (JSON object of extra server environment, e.g. raised rate
 * limits), CHAOS_KEEP_DB=1 to keep the database for a look afterwards. Exit code 0 when there was
 * no mismatch and no server exited by itself, 1 otherwise.
 */
import { formatReport, limitsFromEnv } from '../test/chaos/report.ts';
import { runChaos } from '../test/chaos/run.ts';

const env = process.env;
const databaseUrl = env.DATABASE_URL;
if (databaseUrl === undefined || databaseUrl === '') {
  process.stderr.write('chaos: set DATABASE_URL to a PostgreSQL server (the run makes its own database)\n');
  process.exit(64);
}
const number = (name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    process.stderr.write(`chaos: ${name} must be a non-negative number (got "${raw}")\n`);
    process.exit(64);
  }
  return value;
};
const seed = number('CHAOS_SEED', Math.floor(Math.random() * 2 ** 31));
const report = await runChaos({
  databaseUrl,
  loans: number('CHAOS_LOANS', 1000),
  kills: number('CHAOS_KILLS', 10),
  storms: number('CHAOS_STORMS', 2),
  seed,
  concurrency: number('CHAOS_CONCURRENCY', 24),
  errorRate: number('CHAOS_ERROR_RATE', 0.05),
  servers: Math.max(1, number('CHAOS_SERVERS', 2)),
  serverEnv: { ...limitsFromEnv(), ...(env.CHAOS_SERVER_ENV ? JSON.parse(env.CHAOS_SERVER_ENV) : {}) },
  keepDatabase: env.CHAOS_KEEP_DB === '1',
  log: (line) => process.stderr.write(`chaos: ${line}\n`),
});
process.stdout.write(`${formatReport(report, seed)}\n`);
process.exit(report.mismatches.length === 0 ? 0 : 1);
