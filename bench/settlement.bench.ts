/**
 * Settlement throughput, each figure against a baseline measured in the same run on the same
 * database:
 *
 * 1. Repayment callbacks applied per second through the inbound pipeline and LoanCallbacks, with the
 *    accrual listener (service fee computed, ledger entry chained and posted, accrual recorded in
 *    the callback's transaction) against the same callbacks without it. Sequential, and with
 *    concurrent deliveries (PostgreSQL only; every post serialises on the ledger's chain head).
 * 2. A monthly statement over 1,000,000 repayment events (250,000 loans × 4) against the raw SQL
 *    aggregate over the same rows: the plain SUM, and the per-loan GROUP BY the statement runs.
 *
 * PostgreSQL when DATABASE_URL is set (a scratch database is created and dropped); otherwise the
 * embedded PGlite, said so in the output.
 *
 * Run: `npm run bench -- settlement` or `DATABASE_URL=postgres://… npx node bench/settlement.bench.ts`.
 */

import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ApplicationLifecycleService } from '../src/applications/lifecycle.ts';
import type { DatabaseHandle } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrations.ts';
import { inTransaction } from '../src/db/transaction.ts';
import { LoanCallbacks } from '../src/loans/callbacks.ts';
import { callbackHandler } from '../src/protocol/contract-validators.ts';
import { InboundCallbacks } from '../src/protocol/inbound.ts';
import { createSettlementServices, type SettlementServices } from '../src/settlement/index.ts';
import { type Measurement, report } from './harness.ts';
import { openScratchDatabase } from './scratch-database.ts';

const LENDER = 'bench-bank';
/** The statement benchmark's own lender, so that its statement holds exactly the seeded events. */
const STATEMENT_LENDER = 'bench-statements';
const EVENTS = 1_000_000;
const LOANS = 250_000;
const CALLBACK_LOANS = 400;

/** Runs `total` async operations over `workers` lanes; returns ops/s. */
async function timed(total: number, workers: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < total; i = next++) await op(i);
    }),
  );
  return (total * 1e9) / Number(process.hrtime.bigint() - start);
}

function measurement(name: string, opsPerSec: number): Measurement {
  return { name, opsPerSec, rounds: [opsPerSec] };
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function uuidOf(text: string): string {
  const hex = createHash('md5').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Loans as LoanCallbacks keeps them, ready for repayments (schedule known), plus their disbursement accrual. */
async function seedLoans(
  handle: DatabaseHandle,
  settlement: SettlementServices,
  prefix: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < CALLBACK_LOANS; n++) {
    const loanId = uuidOf(`${prefix}-${n}`);
    const lenderLoanId = `${prefix}-L-${n}`;
    ids.push(lenderLoanId);
    await handle.db
      .insertInto('loans')
      .values({
        id: loanId,
        application_id: randomUUID(),
        borrower_id: randomUUID(),
        partner_id: LENDER,
        lender_loan_id: lenderLoanId,
        principal_fen: 1_000_000,
        term_months: 12,
        method: 'equal_installment',
        annual_rate: '0.18',
        day_count: 'ACT/360',
        start_date: '2026-01-10',
        status: 'repaying',
        schedule_version: 1,
        status_version: 0,
      })
      .execute();
    await inTransaction(handle.db, (trx) =>
      settlement.accruals.onDisbursed(trx, {
        loanId,
        partnerId: LENDER,
        lenderLoanId,
        applicationId: `app-${prefix}-${n}`,
        drawdownId: `dd-${prefix}-${n}`,
        channelCode: 'shop',
        principalFen: 1_000_000,
        disbursedAt: '2026-01-10T02:00:00Z',
        requestId: `cb-d-${prefix}-${n}`,
      }),
    );
  }
  return ids;
}

function repaymentCallback(inbound: InboundCallbacks, loan: string, id: string) {
  const body = {
    loanId: loan,
    repaymentId: id,
    paidAt: '2026-02-10T02:00:00Z',
    principalFen: 76_680,
    interestFen: 15_000,
    feeFen: 120,
    penaltyFen: 0,
    periods: [1],
    earlyPayoff: false,
  };
  return inbound.ingest({
    partnerId: LENDER,
    requestId: `req-${id}`,
    kind: 'repayment',
    businessId: id,
    bodySha256: createHash('sha256').update(JSON.stringify(body)).digest('base64'),
    body,
  });
}

async function callbacksPerSecond(handle: DatabaseHandle, settlement: SettlementServices, postgres: boolean) {
  const clock = () => new Date('2026-02-11T00:00:00Z');
  const plain = new InboundCallbacks(
    handle.db,
    {
      repayment: callbackHandler(
        'repayment',
        new LoanCallbacks(new ApplicationLifecycleService(clock)).repaymentHandler,
      ),
    },
    clock,
  );
  const accruing = new InboundCallbacks(
    handle.db,
    {
      repayment: callbackHandler(
        'repayment',
        new LoanCallbacks(new ApplicationLifecycleService(clock), settlement.accruals).repaymentHandler,
      ),
    },
    clock,
  );
  const loansA = await seedLoans(handle, settlement, 'a');
  const loansB = await seedLoans(handle, settlement, 'b');
  const total = postgres ? 3000 : 1500;
  // Warm up both paths (JIT, plans, connections).
  await timed(100, 1, (i) => repaymentCallback(plain, loansA[i % CALLBACK_LOANS]!, `warm-a-${i}`));
  await timed(100, 1, (i) => repaymentCallback(accruing, loansB[i % CALLBACK_LOANS]!, `warm-b-${i}`));
  // Alternating rounds, median per variant, so that a noisy neighbour hits both alike.
  const rounds = 3;
  const per = Math.floor(total / rounds);
  const variants: { name: string; lanes: number; run: (i: number, round: number) => Promise<unknown> }[] = [
    {
      name: 'repayment callback, no accrual (baseline)',
      lanes: 1,
      run: (i, r) => repaymentCallback(plain, loansA[i % CALLBACK_LOANS]!, `p-${r}-${i}`),
    },
    {
      name: 'repayment callback + fee accrual + ledger post',
      lanes: 1,
      run: (i, r) => repaymentCallback(accruing, loansB[i % CALLBACK_LOANS]!, `s-${r}-${i}`),
    },
  ];
  if (postgres) {
    // Each lane sticks to its own loans, so only the ledger's chain head is shared.
    const lanes = 8;
    const perLane = CALLBACK_LOANS / lanes;
    const laneLoan = (loans: string[], i: number) =>
      loans[(i % lanes) * perLane + (Math.floor(i / lanes) % perLane)]!;
    variants.push(
      {
        name: `  ${lanes} concurrent, no accrual`,
        lanes,
        run: (i, r) => repaymentCallback(plain, laneLoan(loansA, i), `pc-${r}-${i}`),
      },
      {
        name: `  ${lanes} concurrent, with accrual`,
        lanes,
        run: (i, r) => repaymentCallback(accruing, laneLoan(loansB, i), `sc-${r}-${i}`),
      },
    );
  }
  const samples = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [k, variant] of variants.entries()) {
      samples[k]!.push(await timed(per, variant.lanes, (i) => variant.run(i, r)));
    }
  }
  const results = variants.map((variant, k) => {
    const sorted = [...samples[k]!].sort((a, b) => a - b);
    return { name: variant.name, opsPerSec: sorted[sorted.length >> 1]!, rounds: samples[k]! };
  });
  const baseline = results[0]!;
  report(results, baseline);
  const verified = await settlement.ledger.verify();
  console.log(
    `  ledger after the run: ${verified.entries} entries, chain ${verified.ok ? 'verifies' : 'BROKEN'}`,
  );
}

/** 1,000,000 repayment accruals in March 2026 (as the accrual service writes them), by SQL. */
async function seedEvents(handle: DatabaseHandle): Promise<void> {
  await sql`
    INSERT INTO fee_accruals (
      lender_code, channel_code, record_type, business_id, reversal_of, loan_id, lender_loan_id,
      application_id, occurred_at, business_date, business_month, principal_fen, interest_fen, fee_fen,
      penalty_fen, early_payoff, contract_id, contract_version, interest_bps, fee_bps, tier,
      tier_volume_fen, referral_fen, service_interest_fen, service_fee_fen, ledger_seq, request_id,
      note, recorded_at)
    SELECT ${STATEMENT_LENDER}, (ARRAY['shop', 'maps', 'market', 'video'])[1 + (g % ${LOANS}) % 4], 'repayment',
      'R-' || g, NULL, md5('loan-' || (g % ${LOANS}))::uuid, 'L-' || (g % ${LOANS}),
      'app-' || (g % ${LOANS}), timestamptz '2026-03-01 02:00:00+08' + (g % 2592000) * interval '1 second',
      date '2026-03-01' + (g % 2592000) / 86400, '2026-03', 50000 + g % 997, 7000 + g % 5003, g % 7 * 10,
      0, false, NULL, 1, 1500, 1000, NULL, NULL, 0, round((7000 + g % 5003) * 0.15), g % 7, NULL, NULL,
      NULL, now()
    FROM generate_series(1, ${EVENTS}) AS g`.execute(handle.db);
  await sql`ANALYZE fee_accruals`.execute(handle.db);
}

async function statementVersusAggregate(
  handle: DatabaseHandle,
  settlement: SettlementServices,
): Promise<void> {
  const seeded = await seconds(() => seedEvents(handle));
  console.log(
    `  seeded ${EVENTS.toLocaleString('en-US')} repayment events over ${LOANS.toLocaleString('en-US')} loans in ${seeded.toFixed(1)} s`,
  );
  const raw = async () =>
    (
      await sql<{ n: number; total: number }>`
        SELECT count(*)::int8 AS n, sum(service_interest_fen + service_fee_fen)::int8 AS total
        FROM fee_accruals WHERE lender_code = ${STATEMENT_LENDER} AND business_month = '2026-03'`.execute(
        handle.db,
      )
    ).rows[0]!;
  const grouped = () =>
    sql`
      SELECT loan_id, lender_loan_id, channel_code, business_month, count(*), sum(interest_fen)::int8,
             sum(fee_fen + penalty_fen)::int8, sum(service_interest_fen)::int8, sum(service_fee_fen)::int8
      FROM fee_accruals WHERE lender_code = ${STATEMENT_LENDER} AND business_month <= '2026-03'
      GROUP BY loan_id, lender_loan_id, channel_code, business_month`.execute(handle.db);
  await raw();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const rawSeconds = median([await seconds(raw), await seconds(raw), await seconds(raw)]);
  const groupedSeconds = median([await seconds(grouped), await seconds(grouped), await seconds(grouped)]);
  let statement: Awaited<ReturnType<SettlementServices['statements']['generate']>> | undefined;
  const statementSeconds = await seconds(async () => {
    statement = await settlement.statements.generate(
      { lenderCode: STATEMENT_LENDER, month: '2026-03' },
      { type: 'system', id: 'bench' },
    );
  });
  const expected = await raw();
  const same = statement!.totals.eventCount === expected.n && statement!.totals.totalFen === expected.total;
  const perSecond = (s: number) => EVENTS / s;
  const baseline = measurement('raw SQL SUM over the month (baseline)', perSecond(rawSeconds));
  report(
    [
      baseline,
      measurement('raw SQL GROUP BY loan (the statement’s query)', perSecond(groupedSeconds)),
      measurement(
        `statement: ${statement!.totals.lineCount.toLocaleString('en-US')} lines built + stored`,
        perSecond(statementSeconds),
      ),
    ],
    baseline,
  );
  console.log(
    `  (events/s) raw SUM ${rawSeconds.toFixed(3)} s, GROUP BY ${groupedSeconds.toFixed(3)} s, statement ${statementSeconds.toFixed(2)} s; ` +
      `statement totals equal the raw aggregate: ${same ? 'yes' : 'NO'}`,
  );
}

export default async function settlementBench(): Promise<void> {
  const scratch = await openScratchDatabase();
  console.log(`  database: ${scratch.label}`);
  try {
    await migrateToLatest(scratch.handle.db);
    let now = new Date('2026-01-01T00:00:00Z');
    const settlement = createSettlementServices(scratch.handle.db, {
      clock: () => now,
      lenders: { isKnownLender: async () => true },
    });
    await settlement.contracts.addVersion(
      LENDER,
      {
        effectiveFrom: '2026-01-01',
        terms: {
          rules: [
            {
              channels: null,
              referral: { type: 'fixed', fen: 5000 },
              service: { interestBps: 1500, feeBps: 1000 },
            },
          ],
        },
      },
      { type: 'system', id: 'bench' },
    );
    now = new Date('2026-02-11T00:00:00Z');
    console.log('  repayment callbacks per second');
    await callbacksPerSecond(scratch.handle, settlement, scratch.handle.kind === 'postgres');
    now = new Date('2026-04-05T00:00:00Z');
    console.log(`  monthly statement over ${EVENTS.toLocaleString('en-US')} repayment events`);
    await statementVersusAggregate(scratch.handle, settlement);
  } finally {
    await scratch.drop();
  }
}

// Also runnable on its own: `npx node bench/settlement.bench.ts`.
if (import.meta.main) await settlementBench();
