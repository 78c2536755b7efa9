import { describe, expect, it } from 'vitest';
import { formatReport, limitsFromEnv } from './chaos/report.ts';
import { runChaos } from './chaos/run.ts';

/**
 * Issue #9: the chaos suite on PostgreSQL. A couple of hundred borrowers, each with an end decided
 * up front by a seeded PRNG (rejected, approved but not drawn, drawn and left open, one installment
 * repaid, paid off early, both), go through the public APIs of two server processes sharing one
 * database — from channel sign-in to that end — while
 * - the sandbox lender sends every callback twice and out of order, and fails some calls (503);
 * - the server processes are SIGKILLed and restarted on the same database, the borrowers' clients
 *   re-reading their state after a request whose outcome they could not know;
 * - a storm of `pg_terminate_backend` hits every connection of the servers mid-load.
 *
 * Then: every application in its planned state; loans, schedules and repayments to the fen; fees
 * equal to the lenders' contracts (computed independently, decimal.js); ledger balanced, each
 * cause posted once, hash chain verified (API and `lendgate ledger verify`); every outbox message
 * delivered and taken into effect by the lender exactly once (the sandbox's counters and its own
 * books); every callback applied once; and no server exit other than the run's own SIGKILLs.
 * The larger run: `scripts/chaos.ts` (docs/operations.md).
 */

const DATABASE_URL = process.env.DATABASE_URL;
const SEED = 20260901;
const LOANS = 200;
const KILLS = 4;

describe('chaos on PostgreSQL', () => {
  if (DATABASE_URL === undefined || DATABASE_URL === '') {
    it.skip('borrowers reach their planned ends through kills and backend terminations (skipped: needs PostgreSQL in DATABASE_URL)', () => {});
    return;
  }

  it(`${LOANS} borrowers reach their planned ends, to the fen, through ${KILLS} SIGKILLs and a backend-termination storm`, async () => {
    const report = await runChaos({
      databaseUrl: DATABASE_URL,
      loans: LOANS,
      kills: KILLS,
      storms: 1,
      seed: SEED,
      concurrency: 16,
      errorRate: 0.05,
      servers: 2,
      serverEnv: limitsFromEnv(),
    });
    process.stdout.write(`${formatReport(report, SEED)}\n`);

    // The chaos happened as planned.
    expect(report.kills).toBe(KILLS);
    expect(report.storms).toBe(1);
    expect(report.terminatedBackends).toBeGreaterThan(0);
    // A server process never ends by itself: every exit was one of the run's SIGKILLs.
    expect
      .soft(
        report.unexpectedExits.map(
          (exit) =>
            `server ${exit.server} exited by itself with ${exit.code !== null ? `code ${exit.code}` : `signal ${exit.signal}`}`,
        ),
      )
      .toEqual([]);
    expect(report.mismatches).toEqual([]);
  }, 900_000);
});
