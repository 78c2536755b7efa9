/**
 * Callbacks ingested per second: lender repayment callbacks through the inbound pipeline
 * (idempotency rows + the loan module's handler, one transaction each) and through the whole HTTP
 * route (signature verification, nonce claim, schema validation, ingestion, signed answer),
 * against a bare single-row INSERT with the same concurrency, in the same run. Runs on PostgreSQL
 * when DATABASE_URL is set, else on the embedded PGlite (which has one connection).
 */

import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ApplicationLifecycleService } from '../src/applications/lifecycle.ts';
import { createTestDatabase, dropPostgresTemplate, preparePostgresTemplate } from '../src/db/testing.ts';
import { LoanCallbacks } from '../src/loans/callbacks.ts';
import { callbackHandler } from '../src/protocol/contract-validators.ts';
import {
  contentSha256,
  generateKeyPair,
  signRequest,
  staticKeyLookup,
} from '../src/protocol/envelope/index.ts';
import { InboundCallbacks } from '../src/protocol/inbound.ts';
import { createTestApp } from '../src/testing/app.ts';
import { measureAsync, reportAsync } from './async-harness.ts';

const TOTAL = 2_000;

export default async function run(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) await preparePostgresTemplate(url);
  console.log(
    `  database: ${url ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite (set DATABASE_URL for PostgreSQL)'}`,
  );
  const concurrency = url ? 8 : 1;

  const pipelineDb = await createTestDatabase();
  try {
    const db = pipelineDb.db;
    const clock = () => new Date();
    const loans = new LoanCallbacks(new ApplicationLifecycleService(clock));
    const inbound = new InboundCallbacks(
      db,
      { repayment: callbackHandler('repayment', loans.repaymentHandler) },
      clock,
    );
    const loanId = randomUUID();
    await sql`INSERT INTO loans (id, application_id, borrower_id, partner_id, lender_loan_id, principal_fen,
      term_months, method, annual_rate, day_count, start_date, status, schedule_version, status_version)
      VALUES (${loanId}, ${randomUUID()}, ${randomUUID()}, 'bench-lender', 'L-1', 1000000, 12, 'equal_installment',
      0.18, 'ACT/360', '2026-01-10', 'repaying', 1, 0)`.execute(db);
    await sql`CREATE TABLE bench_rows (id text PRIMARY KEY, body jsonb NOT NULL)`.execute(db);

    const repayment = (i: number) => ({
      loanId: 'L-1',
      repaymentId: `R-${i}`,
      paidAt: '2026-02-10T03:00:00Z',
      principalFen: 78_000,
      interestFen: 15_000,
      feeFen: 0,
      penaltyFen: 0,
      periods: [1],
      earlyPayoff: false,
    });

    const baseline = await measureAsync(
      'bare INSERT (baseline)',
      (i) => sql`INSERT INTO bench_rows VALUES (${`b-${i}`}, ${JSON.stringify(repayment(i))})`.execute(db),
      { total: TOTAL, concurrency },
    );
    const pipeline = await measureAsync(
      'callback pipeline',
      (i) => {
        const body = repayment(i);
        return inbound.ingest({
          partnerId: 'bench-lender',
          requestId: `req-${i}`,
          kind: 'repayment',
          businessId: body.repaymentId,
          bodySha256: contentSha256(JSON.stringify(body)),
          body,
        });
      },
      { total: TOTAL, concurrency },
    );
    const repeat = await measureAsync(
      'callback repeat (replay)',
      (i) => {
        const body = repayment(Math.abs(i) % TOTAL);
        return inbound.ingest({
          partnerId: 'bench-lender',
          requestId: `req-${Math.abs(i) % TOTAL}`,
          kind: 'repayment',
          businessId: body.repaymentId,
          bodySha256: contentSha256(JSON.stringify(body)),
          body,
        });
      },
      { total: TOTAL, concurrency },
    );

    // The whole HTTP route: a signed loan-status callback for an unknown loan is kept as deferred.
    const pair = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
    // Handlers only use the transaction they are given, so the LoanCallbacks above serve here too.
    const httpApp = await createTestApp({
      partnerKeys: staticKeyLookup({ 'bench-lender': [pair.publicKey] }),
      callbackHandlers: { 'loan-status': callbackHandler('loan-status', loans.loanStatusHandler) },
    });
    const path = '/open/v1/callbacks/loan-status';
    const signedRequests = Array.from({ length: TOTAL + 60 }, (_, i) =>
      signRequest({
        method: 'POST',
        path,
        body: { loanId: `HL-${i}`, status: 'repaying', version: 1, asOf: '2026-02-10T03:00:00Z' },
        partnerId: 'bench-lender',
        key: pair.privateKey,
        nowMs: Date.now(),
      }),
    );
    let cursor = 0;
    const http = await measureAsync(
      'signed HTTP callback (verify+ingest+sign)',
      async () => {
        const signed = signedRequests[cursor++]!;
        const response = await httpApp.server.inject({
          method: 'POST',
          url: path,
          headers: signed.headers,
          payload: signed.body,
        });
        if (response.statusCode >= 300 && response.statusCode !== 202)
          throw new Error(`HTTP ${response.statusCode}`);
      },
      { total: TOTAL, concurrency },
    );
    await httpApp.close();
    reportAsync([baseline, pipeline, repeat, http], baseline);
    console.log(`  ${TOTAL} operations each, ${concurrency} in flight`);
  } finally {
    await pipelineDb.close();
    if (url) await dropPostgresTemplate(url);
  }
}
