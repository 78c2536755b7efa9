import { spawnSync } from 'node:child_process';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { quoteLoan, quotePayoff } from '../../src/money/index.ts';
import type { JourneyRecord } from './client.ts';
import { type BorrowerPlan, drawn, paysOff, plannedApplicationState, repaysInstallment } from './plan.ts';
import { expectedReferralFen, expectedServiceFen, ReferenceLedger } from './reference.ts';

/**
 * The end of a chaos run: the state the system reached, checked against the plan and against an
 * independent computation of the money. Each difference is one line in `mismatches`.
 */

/** One call on the lender's network, as the relay in front of the sandbox saw it. */
export interface LenderExchange {
  readonly kind: string;
  readonly partnerId: string;
  readonly requestId: string;
  readonly status: number | undefined;
  /** Answered with the sandbox's injected error (no effect at the lender). */
  readonly injected: boolean;
}

interface PartnerStats {
  readonly calls: Record<string, number>;
  readonly refused: Record<string, number>;
  readonly injectedErrors: number;
  readonly replayedAnswers: number;
  readonly callbacks: Record<
    string,
    {
      sent: number;
      acknowledged: number;
      refused: number;
      gaveUp: number;
      duplicatesSent: number;
      duplicatesAcknowledged: number;
    }
  >;
}

export interface VerifyContext {
  readonly db: Kysely<Database>;
  readonly databaseUrl: string;
  readonly plan: readonly BorrowerPlan[];
  readonly records: readonly { readonly record: JourneyRecord; readonly error?: string }[];
  readonly sandboxUrl: string;
  readonly lenderExchanges: readonly LenderExchange[];
  /** GET/POST on the operator API as the admin. */
  readonly operator: <T>(method: string, path: string, body?: unknown) => Promise<T>;
  /** CST dates the run touched (the lender's daily files to read). */
  readonly dates: readonly string[];
}

export interface VerifyFigures {
  readonly applications: number;
  readonly loans: number;
  readonly repayments: number;
  readonly outboxMessages: number;
  readonly inboundCallbacks: number;
  readonly duplicateCallbacksSent: number;
  readonly replayedAnswers: number;
  readonly injectedErrors: number;
  readonly ledgerEntries: number;
  readonly referralFen: number;
  readonly serviceFen: number;
}

const OUTBOX_KINDS: Readonly<Record<string, string>> = {
  '/lendgate/v1/pre-check': 'pre-check',
  '/lendgate/v1/applications': 'apply',
  '/lendgate/v1/drawdowns': 'drawdown',
  '/lendgate/v1/repayments': 'repay',
  '/lendgate/v1/status-query': 'status-query',
};

export function lenderCallKind(path: string): string {
  return OUTBOX_KINDS[path.split('?')[0]!] ?? path;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function parseCsv(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((line) => line !== '');
  const header = lines[0]?.split(',') ?? [];
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']));
  });
}

export async function verifyRun(
  ctx: VerifyContext,
): Promise<{ mismatches: string[]; figures: VerifyFigures; notes: string[] }> {
  const { db } = ctx;
  const mismatches: string[] = [];
  const notes: string[] = [];
  const miss = (line: string) => {
    if (mismatches.length < 500) mismatches.push(line);
  };

  // Journeys: every client got to its end without surprise.
  ctx.records.forEach(({ error }, i) => {
    if (error !== undefined) miss(`borrower ${i}: journey failed: ${error}`);
  });

  // Applications, drawdowns, loans, repayments as stored.
  const apps = (
    await sql<{
      id: string;
      channel_code: string;
      channel_user_id: string;
      partner_id: string;
      product_code: string;
      status: string;
      requested_amount_fen: number;
      term_months: number;
      method: string;
      approved_apr: string | null;
      decision_reason: string | null;
    }>`SELECT a.id, a.channel_code, u.channel_user_id, a.partner_id, a.product_code, a.status,
              a.requested_amount_fen, a.term_months, a.method, a.approved_apr, a.decision_reason
         FROM applications a
         JOIN channel_users u ON u.borrower_id = a.borrower_id AND u.channel_code = a.channel_code`.execute(
      db,
    )
  ).rows;
  const appsByUser = new Map<string, typeof apps>();
  for (const app of apps)
    appsByUser.set(app.channel_user_id, [...(appsByUser.get(app.channel_user_id) ?? []), app]);

  const drawdowns = (
    await sql<{ application_id: string; status: string; amount_fen: number }>`
      SELECT application_id, status, amount_fen FROM drawdowns`.execute(db)
  ).rows;
  const drawdownsByApp = new Map<string, typeof drawdowns>();
  for (const d of drawdowns)
    drawdownsByApp.set(d.application_id, [...(drawdownsByApp.get(d.application_id) ?? []), d]);

  const loans = (
    await sql<{
      id: string;
      application_id: string;
      partner_id: string;
      lender_loan_id: string;
      principal_fen: number;
      term_months: number;
      method: string;
      annual_rate: string;
      start_date: string;
      status: string;
    }>`SELECT id, application_id, partner_id, lender_loan_id, principal_fen, term_months, method,
              annual_rate, start_date, status FROM loans`.execute(db)
  ).rows;
  const loansByApp = new Map<string, typeof loans>();
  for (const l of loans) loansByApp.set(l.application_id, [...(loansByApp.get(l.application_id) ?? []), l]);

  const installments = (
    await sql<{
      loan_id: string;
      period: number;
      principal_fen: number;
      interest_fen: number;
      fee_fen: number;
      status: string;
    }>`SELECT loan_id, period, principal_fen, interest_fen, fee_fen, status
         FROM loan_installments ORDER BY loan_id, period`.execute(db)
  ).rows;
  const installmentsByLoan = new Map<string, typeof installments>();
  for (const row of installments)
    installmentsByLoan.set(row.loan_id, [...(installmentsByLoan.get(row.loan_id) ?? []), row]);

  const repayments = (
    await sql<{
      loan_id: string;
      lender_repayment_id: string;
      paid_at: Date;
      principal_fen: number;
      interest_fen: number;
      fee_fen: number;
      penalty_fen: number;
      periods: number[];
      early_payoff: boolean;
    }>`SELECT loan_id, lender_repayment_id, paid_at, principal_fen, interest_fen, fee_fen, penalty_fen,
              periods, early_payoff FROM loan_repayments`.execute(db)
  ).rows;
  const repaymentsByLoan = new Map<string, typeof repayments>();
  for (const r of repayments)
    repaymentsByLoan.set(r.loan_id, [...(repaymentsByLoan.get(r.loan_id) ?? []), r]);

  const requests = (
    await sql<{ loan_id: string; kind: string; status: string; amount_fen: number }>`
      SELECT loan_id, kind, status, amount_fen FROM repayment_requests`.execute(db)
  ).rows;
  const requestsByLoan = new Map<string, typeof requests>();
  for (const r of requests) requestsByLoan.set(r.loan_id, [...(requestsByLoan.get(r.loan_id) ?? []), r]);

  // The reference: fees from the plan's own numbers and the contract terms.
  const reference = new ReferenceLedger();
  const expectedAccruals = new Map<string, { referral?: number; interest?: number; fees?: number }>();
  let expectedRepayments = 0;
  let expectedDrawdowns = 0;

  for (const plan of ctx.plan) {
    const who = `borrower ${plan.index} (${plan.outcome}, ${plan.product.productCode} ${plan.amountFen} fen ${plan.termMonths}m ${plan.method})`;
    const own = appsByUser.get(plan.channelUserId) ?? [];
    if (own.length !== 1) {
      miss(`${who}: ${own.length} applications, planned 1`);
      if (own.length === 0) continue;
    }
    const app = own[0]!;
    const want = plannedApplicationState(plan);
    if (app.status !== want) miss(`${who}: application ${app.id} is ${app.status}, planned ${want}`);
    if (
      app.partner_id !== plan.product.partnerId ||
      app.product_code !== plan.product.productCode ||
      app.requested_amount_fen !== plan.amountFen ||
      app.term_months !== plan.termMonths ||
      app.method !== plan.method
    )
      miss(`${who}: application ${app.id} has other terms: ${JSON.stringify(app)}`);
    const apr = plan.product.aprByTerm[String(plan.termMonths)]!;
    if (plan.outcome === 'rejected') {
      if (app.decision_reason !== 'amount_not_eligible')
        miss(`${who}: rejected for ${app.decision_reason}, planned amount_not_eligible`);
    } else if (app.approved_apr === null || Number(app.approved_apr) !== Number(apr)) {
      miss(
        `${who}: approved at ${app.approved_apr}, the lender's APR for ${plan.termMonths} months is ${apr}`,
      );
    }

    const ownDrawdowns = drawdownsByApp.get(app.id) ?? [];
    const ownLoans = loansByApp.get(app.id) ?? [];
    if (!drawn(plan)) {
      if (ownDrawdowns.length > 0 || ownLoans.length > 0)
        miss(`${who}: ${ownDrawdowns.length} drawdowns and ${ownLoans.length} loans, planned none`);
      continue;
    }
    expectedDrawdowns += 1;
    if (ownDrawdowns.length !== 1 || ownDrawdowns[0]!.status !== 'succeeded')
      miss(`${who}: drawdowns ${JSON.stringify(ownDrawdowns)}, planned one succeeded`);
    if (ownLoans.length !== 1) {
      miss(`${who}: ${ownLoans.length} loans, planned 1`);
      if (ownLoans.length === 0) continue;
    }
    const loan = ownLoans[0]!;
    const settles = paysOff(plan) || (repaysInstallment(plan) && plan.installments === 1);
    if (loan.status !== (settles ? 'settled' : 'repaying'))
      miss(`${who}: loan ${loan.id} is ${loan.status}, planned ${settles ? 'settled' : 'repaying'}`);
    if (
      loan.principal_fen !== plan.amountFen ||
      loan.term_months !== plan.termMonths ||
      loan.method !== plan.method
    )
      miss(`${who}: loan ${loan.id} terms ${loan.principal_fen}/${loan.term_months}/${loan.method}`);

    // The schedule: what the borrower was shown before drawing (the money module's quote at the
    // lender's APR, from the loan's start date), installment by installment.
    const terms = {
      principalFen: plan.amountFen,
      termMonths: plan.termMonths,
      method: plan.method,
      annualRate: apr,
      startDate: loan.start_date,
      dayCount: plan.product.dayCount,
    };
    const quote = quoteLoan(terms);
    const schedule = installmentsByLoan.get(loan.id) ?? [];
    const stored = schedule.map((i) => [i.period, i.principal_fen, i.interest_fen, i.fee_fen]);
    const payoffInterest = paysOff(plan)
      ? expectedPayoffInterest(plan, terms, repaymentsByLoan.get(loan.id))
      : 0;
    // After an early payoff the lender's last schedule shows what was paid: the first open
    // installment carries the payoff's interest, the later ones none, fees waived.
    const firstOpen = repaysInstallment(plan) ? 2 : 1;
    const shown = quote.installments.map((i) =>
      paysOff(plan) && i.period >= firstOpen
        ? [i.period, i.principalFen, i.period === firstOpen ? payoffInterest : 0, 0]
        : [i.period, i.principalFen, i.interestFen, i.feeFen],
    );
    if (!same(stored, shown))
      miss(`${who}: loan ${loan.id} schedule ${JSON.stringify(stored)} ≠ expected ${JSON.stringify(shown)}`);
    const disclosure = ctx.records[plan.index]?.record.disclosure;
    if (
      disclosure &&
      (disclosure.apr !== quote.apr || disclosure.totalRepaymentFen !== quote.totalRepaymentFen)
    )
      miss(
        `${who}: disclosure ${disclosure.apr}/${disclosure.totalRepaymentFen} ≠ quote ${quote.apr}/${quote.totalRepaymentFen}`,
      );
    const paidPeriods = schedule.filter((i) => i.status === 'paid').map((i) => i.period);
    const wantPaid = settles ? quote.installments.map((i) => i.period) : repaysInstallment(plan) ? [1] : [];
    if (!same(paidPeriods, wantPaid))
      miss(`${who}: paid installments ${JSON.stringify(paidPeriods)}, planned ${JSON.stringify(wantPaid)}`);

    // Repayments: what the lender collected, each once.
    const expected: {
      periods: number[];
      principalFen: number;
      interestFen: number;
      feeFen: number;
      earlyPayoff: boolean;
    }[] = [];
    let remaining = plan.amountFen;
    if (repaysInstallment(plan)) {
      const first = quote.installments[0]!;
      expected.push({
        periods: [1],
        principalFen: first.principalFen,
        interestFen: first.interestFen,
        feeFen: first.feeFen,
        earlyPayoff: false,
      });
      remaining -= first.principalFen;
    }
    const ownRepayments = (repaymentsByLoan.get(loan.id) ?? []).sort((a, b) =>
      a.early_payoff === b.early_payoff ? 0 : a.early_payoff ? 1 : -1,
    );
    if (paysOff(plan)) {
      const interestFen = payoffInterest;
      const periods = quote.installments
        .map((i) => i.period)
        .filter((p) => !(repaysInstallment(plan) && p === 1));
      expected.push({ periods, principalFen: remaining, interestFen, feeFen: 0, earlyPayoff: true });
      const quoted = ctx.records[plan.index]?.record.payoffQuote;
      if (quoted && quoted.totalFen !== remaining + interestFen)
        miss(`${who}: payoff quoted ${quoted.totalFen}, expected ${remaining + interestFen}`);
    }
    expectedRepayments += expected.length;
    const got = ownRepayments.map((r) => ({
      periods: [...r.periods].sort((a, b) => a - b),
      principalFen: r.principal_fen,
      interestFen: r.interest_fen,
      feeFen: r.fee_fen + r.penalty_fen,
      earlyPayoff: r.early_payoff,
    }));
    if (!same(got, expected))
      miss(`${who}: repayments ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
    const ownRequests = requestsByLoan.get(loan.id) ?? [];
    const wantRequests = expected.map((e) => (e.earlyPayoff ? 'payoff' : 'installment'));
    if (
      !same(
        ownRequests.map((r) => `${r.kind}:${r.status}`).sort(),
        wantRequests.map((k) => `${k}:completed`).sort(),
      )
    )
      miss(
        `${who}: repayment requests ${JSON.stringify(ownRequests)}, planned ${JSON.stringify(wantRequests)}`,
      );

    // Fees by the contract terms, from the expected amounts.
    const lender = plan.product.partnerId;
    const referral = expectedReferralFen(lender, plan.channelCode, plan.amountFen);
    reference.referral(lender, plan.channelCode, referral);
    const drawdownId = ownDrawdowns[0] ? await drawdownIdOf(db, app.id) : undefined;
    if (drawdownId) expectedAccruals.set(`disbursement|${drawdownId}`, { referral });
    for (const e of expected) {
      const fee = expectedServiceFen(lender, plan.channelCode, {
        interestFen: e.interestFen,
        feeFen: e.feeFen,
        penaltyFen: 0,
      });
      reference.service(lender, plan.channelCode, fee.onInterest + fee.onFees);
      const row = ownRepayments.find((r) => r.early_payoff === e.earlyPayoff);
      if (row)
        expectedAccruals.set(`repayment|${row.lender_repayment_id}`, {
          interest: fee.onInterest,
          fees: fee.onFees,
        });
    }
  }
  if (apps.length !== ctx.plan.length) miss(`${apps.length} applications stored, planned ${ctx.plan.length}`);
  if (loans.length !== expectedDrawdowns) miss(`${loans.length} loans stored, planned ${expectedDrawdowns}`);
  if (repayments.length !== expectedRepayments)
    miss(`${repayments.length} repayments stored, planned ${expectedRepayments}`);

  // Fee accruals: one per money event, each at the contract's figure.
  const accruals = (
    await sql<{
      record_type: string;
      business_id: string;
      referral_fen: number;
      service_interest_fen: number;
      service_fee_fen: number;
      ledger_seq: number | null;
    }>`SELECT record_type, business_id, referral_fen, service_interest_fen, service_fee_fen, ledger_seq
         FROM fee_accruals`.execute(db)
  ).rows;
  if (accruals.length !== expectedAccruals.size)
    miss(
      `${accruals.length} fee accruals, expected ${expectedAccruals.size} (one per disbursement and repayment)`,
    );
  let referralFen = 0;
  let serviceFen = 0;
  for (const accrual of accruals) {
    referralFen += accrual.referral_fen;
    serviceFen += accrual.service_interest_fen + accrual.service_fee_fen;
    const want = expectedAccruals.get(`${accrual.record_type}|${accrual.business_id}`);
    if (want === undefined) {
      miss(`fee accrual ${accrual.record_type} ${accrual.business_id} has no planned event`);
      continue;
    }
    const got =
      accrual.record_type === 'disbursement'
        ? { referral: accrual.referral_fen }
        : { interest: accrual.service_interest_fen, fees: accrual.service_fee_fen };
    if (!same(got, want))
      miss(
        `fee accrual ${accrual.record_type} ${accrual.business_id}: ${JSON.stringify(got)} ≠ contract ${JSON.stringify(want)}`,
      );
  }

  // The ledger: balances = the reference, entries balanced, each cause once, chain verified.
  const { items: balances } = await ctx.operator<{ items: { account: string; balanceFen: number }[] }>(
    'GET',
    '/api/v1/admin/settlement/ledger/balances',
  );
  const ledgerBalances = Object.fromEntries(
    balances
      .filter((b) => b.balanceFen !== 0)
      .map((b) => [b.account, b.balanceFen] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  if (!same(ledgerBalances, reference.nonZero()))
    miss(
      `ledger balances ${JSON.stringify(ledgerBalances)} ≠ reference ${JSON.stringify(reference.nonZero())}`,
    );
  const entryStats = (
    await sql<{ entries: number; causes: number; unbalanced: number }>`
      SELECT (SELECT count(*)::int FROM ledger_entries) AS entries,
             (SELECT count(DISTINCT (cause_type, cause_id))::int FROM ledger_entries) AS causes,
             (SELECT count(*)::int FROM (SELECT entry_seq FROM ledger_postings GROUP BY entry_seq
                                          HAVING sum(amount_fen) <> 0 OR count(*) < 2) u) AS unbalanced`.execute(
      db,
    )
  ).rows[0]!;
  if (entryStats.entries !== reference.entries)
    miss(`${entryStats.entries} ledger entries, the reference posts ${reference.entries}`);
  if (entryStats.causes !== entryStats.entries)
    miss(`${entryStats.entries - entryStats.causes} ledger entries repeat a cause (a doubled posting)`);
  if (entryStats.unbalanced !== 0) miss(`${entryStats.unbalanced} ledger entries do not balance`);
  const verification = await ctx.operator<{ ok: boolean; entries: number; problem?: unknown }>(
    'POST',
    '/api/v1/admin/settlement/ledger/verify',
  );
  if (!verification.ok) miss(`ledger verify: ${JSON.stringify(verification)}`);
  if (verification.entries !== entryStats.entries)
    miss(`ledger verify saw ${verification.entries} entries, the table has ${entryStats.entries}`);
  const cli = spawnSync(process.execPath, ['src/cli/main.ts', 'ledger', 'verify'], {
    env: { ...process.env, DATABASE_URL: ctx.databaseUrl, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (cli.status !== 0) miss(`lendgate ledger verify exited ${cli.status}: ${cli.stdout}${cli.stderr}`);

  // The outbox: every message delivered, none dead or pending, one per planned call.
  const outbox = (
    await sql<{ call: string; status: string; request_id: string; partner_id: string; attempts: number }>`
      SELECT call, status, request_id, partner_id, attempts FROM outbox_messages`.execute(db)
  ).rows;
  const notDelivered = outbox.filter((m) => m.status !== 'delivered');
  if (notDelivered.length > 0)
    miss(`${notDelivered.length} outbox messages not delivered: ${JSON.stringify(notDelivered.slice(0, 5))}`);
  const byCall = Object.fromEntries(countBy(outbox, (m) => m.call));
  const wantCalls = { apply: ctx.plan.length, drawdown: expectedDrawdowns, repay: expectedRepayments };
  if (
    !same(
      Object.fromEntries(Object.entries(byCall).sort()),
      Object.fromEntries(Object.entries(wantCalls).sort()),
    )
  )
    miss(`outbox calls ${JSON.stringify(byCall)}, planned ${JSON.stringify(wantCalls)}`);

  // On the wire to the lender: each outbox message's request id, and no pre-check sent twice.
  const outboxIds = new Set(outbox.map((m) => m.request_id));
  const wire = ctx.lenderExchanges;
  const wireOutbox = wire.filter((e) => e.kind !== 'pre-check');
  const wireIds = new Set(wireOutbox.map((e) => e.requestId));
  const unknownIds = [...wireIds].filter((id) => !outboxIds.has(id));
  const unsent = [...outboxIds].filter((id) => !wireIds.has(id));
  if (unknownIds.length > 0)
    miss(`lender calls with request ids not in the outbox: ${unknownIds.slice(0, 5).join(', ')}`);
  if (unsent.length > 0) miss(`outbox messages never seen on the wire: ${unsent.slice(0, 5).join(', ')}`);
  const preChecks = wire.filter((e) => e.kind === 'pre-check');
  const preCheckIds = new Set(preChecks.map((e) => e.requestId));
  if (preCheckIds.size !== preChecks.length)
    miss(`${preChecks.length - preCheckIds.size} pre-checks sent twice`);
  const refusedOnWire = wireOutbox.filter((e) => e.status !== undefined && e.status >= 400 && e.status < 500);
  if (refusedOnWire.length > 0)
    miss(
      `the lender refused ${refusedOnWire.length} outbox calls: ${JSON.stringify(refusedOnWire.slice(0, 5))}`,
    );

  // At the lender: every outbox message took effect exactly once. The sandbox counts every verified
  // call; those answered with an injected error or from its idempotency memory had no effect.
  const stats = (await (await fetch(`${ctx.sandboxUrl}/sandbox/stats`)).json()) as {
    pendingCallbacks: number;
    partners: Record<string, PartnerStats>;
  };
  const partners = Object.entries(stats.partners).filter(([id]) => id !== '(unknown)');
  let calls = 0;
  let injected = 0;
  let replayed = 0;
  let duplicates = 0;
  for (const [partnerId, p] of partners) {
    calls += Object.values(p.calls).reduce((a, b) => a + b, 0);
    injected += p.injectedErrors;
    replayed += p.replayedAnswers;
    if (Object.keys(p.refused).length > 0)
      miss(`the sandbox refused calls of ${partnerId}: ${JSON.stringify(p.refused)}`);
    for (const [kind, wireCount] of countBy(
      wire.filter((e) => e.partnerId === partnerId && e.status !== undefined),
      (e) => e.kind,
    )) {
      if ((p.calls[kind] ?? 0) !== wireCount)
        miss(`${partnerId} ${kind}: the sandbox counted ${p.calls[kind] ?? 0} calls, the wire ${wireCount}`);
    }
    for (const [kind, c] of Object.entries(p.callbacks)) {
      duplicates += c.duplicatesSent;
      if (c.acknowledged !== c.sent || c.refused !== 0 || c.gaveUp !== 0)
        miss(`${partnerId} ${kind} callbacks: ${JSON.stringify(c)} (every one must be acknowledged)`);
    }
  }
  if (stats.pendingCallbacks !== 0) miss(`${stats.pendingCallbacks} sandbox callbacks still pending`);
  const wireInjected = wire.filter((e) => e.injected).length;
  if (wireInjected !== injected)
    miss(`the wire saw ${wireInjected} injected errors, the sandbox counted ${injected}`);
  const freshPreChecks = preChecks.filter((e) => e.status !== undefined && !e.injected).length;
  const fresh = calls - injected - replayed;
  if (fresh !== freshPreChecks + outbox.length)
    miss(
      `the sandbox took ${fresh} effects (${calls} calls − ${injected} injected − ${replayed} replayed); ` +
        `expected ${freshPreChecks} pre-checks + ${outbox.length} outbox messages, each once`,
    );

  // Callbacks: each applied once on the platform (repeats and duplicates answered from memory).
  const inbound = (
    await sql<{ partner_id: string; kind: string; status: string; n: number }>`
      SELECT partner_id, kind, status, count(*)::int AS n FROM inbound_messages GROUP BY 1, 2, 3`.execute(db)
  ).rows;
  let inboundCallbacks = 0;
  for (const row of inbound) {
    inboundCallbacks += row.n;
    if (row.status !== 'applied') miss(`${row.n} ${row.partner_id} ${row.kind} callbacks left ${row.status}`);
  }
  for (const [partnerId, p] of partners) {
    for (const [kind, c] of Object.entries(p.callbacks)) {
      const stored = inbound
        .filter((r) => r.partner_id === partnerId && r.kind === kind)
        .reduce((a, r) => a + r.n, 0);
      if (stored !== c.sent)
        miss(`${partnerId} ${kind}: the sandbox sent ${c.sent} callbacks, the platform stored ${stored}`);
    }
  }
  const repeatedEvents = (
    await sql<{ application_id: string; event: string; n: number }>`
      SELECT application_id, event, count(*)::int AS n FROM application_events
       GROUP BY 1, 2 HAVING count(*) > 1`.execute(db)
  ).rows;
  if (repeatedEvents.length > 0)
    miss(`application events recorded twice: ${JSON.stringify(repeatedEvents.slice(0, 5))}`);
  const releases = (
    await sql<{ n: number }>`SELECT count(*)::int AS n FROM borrower_data_releases`.execute(db)
  ).rows[0]!.n;
  if (releases !== apps.length) miss(`${releases} data releases for ${apps.length} applications`);

  // The lender's own books (its daily reconciliation files): one disbursement per loan, one row
  // per repayment, with the platform's amounts.
  const lenderRows: Record<string, string>[] = [];
  for (const [partnerId] of partners) {
    for (const date of ctx.dates) {
      const response = await fetch(`${ctx.sandboxUrl}/sandbox/reconciliation/${partnerId}/${date}.csv`);
      if (!response.ok) {
        miss(`reconciliation file ${partnerId} ${date}: ${response.status}`);
        continue;
      }
      lenderRows.push(...parseCsv(await response.text()).map((row) => ({ ...row, partnerId })));
    }
  }
  const lenderDisbursements = lenderRows.filter((r) => r.type === 'disbursement');
  const lenderRepayments = lenderRows.filter((r) => r.type === 'repayment');
  if (lenderDisbursements.length !== loans.length)
    miss(
      `the lenders' books show ${lenderDisbursements.length} disbursements, the platform ${loans.length} loans`,
    );
  if (lenderRepayments.length !== repayments.length)
    miss(`the lenders' books show ${lenderRepayments.length} repayments, the platform ${repayments.length}`);
  const byRepaymentId = new Map(repayments.map((r) => [r.lender_repayment_id, r]));
  const seenBusiness = new Set<string>();
  for (const row of lenderRows) {
    const key = `${row.partnerId}|${row.type}|${row.business_id}`;
    if (seenBusiness.has(key)) miss(`the lender's books list ${key} twice`);
    seenBusiness.add(key);
    if (row.type !== 'repayment') continue;
    const platform = byRepaymentId.get(row.business_id!);
    if (!platform) {
      miss(`the lender collected repayment ${row.business_id} the platform never recorded`);
      continue;
    }
    const got = [row.principal_fen, row.interest_fen, row.fee_fen].map(Number);
    const want = [platform.principal_fen, platform.interest_fen, platform.fee_fen];
    if (!same(got, want))
      miss(`repayment ${row.business_id}: lender ${JSON.stringify(got)}, platform ${JSON.stringify(want)}`);
  }

  return {
    mismatches,
    notes,
    figures: {
      applications: apps.length,
      loans: loans.length,
      repayments: repayments.length,
      outboxMessages: outbox.length,
      inboundCallbacks,
      duplicateCallbacksSent: duplicates,
      replayedAnswers: replayed,
      injectedErrors: injected,
      ledgerEntries: entryStats.entries,
      referralFen,
      serviceFen,
    },
  };
}

/**
 * The interest of an early payoff: for the days since the start (the money module's payoff quote
 * on the CST day it was paid), none when installment 1 was paid ahead.
 */
function expectedPayoffInterest(
  plan: BorrowerPlan,
  terms: Parameters<typeof quotePayoff>[0],
  repayments: readonly { early_payoff: boolean; paid_at: Date }[] | undefined,
): number {
  if (repaysInstallment(plan)) return 0;
  const paidAt = repayments?.find((r) => r.early_payoff)?.paid_at ?? new Date();
  const day = new Date(paidAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  // ISO dates: the later of the two (a payoff is never before the start).
  return quotePayoff(terms, [day, terms.startDate].sort().at(-1)!).interestFen;
}

async function drawdownIdOf(db: Kysely<Database>, applicationId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('drawdowns')
    .select('id')
    .where('application_id', '=', applicationId)
    .where('status', '=', 'succeeded')
    .executeTakeFirst();
  return row?.id;
}
