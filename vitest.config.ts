import { randomBytes } from 'node:crypto';
import { defineConfig } from 'vitest/config';

// One id per test run, inherited by the workers: each run's PostgreSQL template database has its
// own name, so concurrent runs against one server never drop each other's template.
process.env.LENDGATE_TEST_RUN ??= randomBytes(4).toString('hex');

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sandbox/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Test files in one worker share loaded modules, so the embedded database template is booted
    // once per worker instead of once per file (see src/db/testing.ts). Tests keep no global state.
    isolate: false,
  },
});
