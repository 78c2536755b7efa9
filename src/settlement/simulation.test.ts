import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../db/transaction.ts';
import { accounts } from '../ledger/index.ts';
import { chinaDate } from '../shared/china-date.ts';
import { cstMonth, previousMonth } from './calendar.ts';
import type { ContractRule, ContractTerms } from './contract-terms.ts';
import {
  accrueDisbursement,
  accrueRepayment,
  createSettlementHarness,
  deliver,
  FINANCE,
  fixedReferralRule,
  type SettlementHarness,
  scheduleBody,
  seedDrawdown,
} from './testing.ts';

/**
 * A seeded random simulation of the money side of the marketplace: thousands of loans (1,000 on
 * PGlite) with random amounts, terms and contracts (versions changing mid-run, channel rules,
 * caps, volume tiers), repayments, early payoffs, reversals (some reversed twice), duplicated and
 * late callbacks, and statements generated as months close. The ledger must agree with a small independent reference
 * model to the fen; every entry must balance; the hash chain must verify; every posted fen must
 * be on exactly one statement.
 */

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SEED = 20260601;
// Thousands of loans on PostgreSQL; fewer on the embedded PGlite (WebAssembly, one connection),
// where the same run would take several times as long.
const LOANS = process.env.DATABASE_URL ? 2000 : 1000;
const BATCH = 50;
const LENDERS = ['xinghe-bank', 'yuelu-finance', 'nanshan-mfc'] as const;
const CHANNELS = ['shop', 'maps', 'market', 'video'] as const;
const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const END = Date.parse('2026-09-30T00:00:00Z');

type SimEvent =
  | {
      kind: 'disbursement';
      arrival: number;
      lender: string;
      loan: string;
      channel: string;
      principal: number;
      at: number;
    }
  | {
      kind: 'repayment';
      arrival: number;
      lender: string;
      loan: string;
      id: string;
      at: number;
      principal: number;
      interest: number;
      fee: number;
      penalty: number;
      earlyPayoff: boolean;
      reversalOf?: string;
    };

/** The reference: straightforward decimal arithmetic, independent of the code under test. */
class Reference {
  readonly balances = new Map<string, number>();
  readonly #versions = new Map<string, { effectiveFrom: string; version: number; terms: ContractTerms }[]>();
  readonly #volume = new Map<string, number>();
  readonly #seen = new Set<string>();
  readonly #channel = new Map<string, string>();
  readonly #fees = new Map<string, { fee: number; reversed: boolean; reversal: boolean }>();

  addVersion(lender: string, effectiveFrom: string, terms: ContractTerms): void {
    const list = this.#versions.get(lender) ?? [];
    list.push({ effectiveFrom, version: list.length + 1, terms });
    this.#versions.set(lender, list);
  }

  #rule(lender: string, date: string, channel: string): ContractRule | undefined {
    let best: { effectiveFrom: string; version: number; terms: ContractTerms } | undefined;
    for (const v of this.#versions.get(lender) ?? []) {
      if (v.effectiveFrom > date) continue;
      if (
        !best ||
        v.effectiveFrom > best.effectiveFrom ||
        (v.effectiveFrom === best.effectiveFrom && v.version > best.version)
      ) {
        best = v;
      }
    }
    if (!best) return undefined;
    return (
      best.terms.rules.find((r) => r.channels?.includes(channel)) ??
      best.terms.rules.find((r) => r.channels === null)
    );
  }

  #post(account: string, amount: number): void {
    this.balances.set(account, (this.balances.get(account) ?? 0) + amount);
  }

  apply(event: SimEvent): void {
    const key = `${event.lender}|${event.kind}|${event.kind === 'disbursement' ? event.loan : event.id}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const date = chinaDate(new Date(event.at));
    if (event.kind === 'disbursement') {
      this.#channel.set(`${event.lender}|${event.loan}`, event.channel);
      const month = date.slice(0, 7);
      this.#volume.set(
        `${event.lender}|${month}`,
        (this.#volume.get(`${event.lender}|${month}`) ?? 0) + event.principal,
      );
      const referral = this.#rule(event.lender, date, event.channel)?.referral;
      let fee = 0;
      if (referral?.type === 'fixed') fee = referral.fen;
      if (referral?.type === 'bps') {
        fee = new Decimal(event.principal)
          .mul(referral.bps)
          .div(10_000)
          .toDecimalPlaces(0, Decimal.ROUND_HALF_UP)
          .toNumber();
        if (referral.capFen !== null && referral.capFen !== undefined) fee = Math.min(fee, referral.capFen);
      }
      this.#post(accounts.lenderReceivable(event.lender), fee);
      this.#post(accounts.revenue('referral', event.channel), -fee);
      return;
    }
    const channel = this.#channel.get(`${event.lender}|${event.loan}`)!;
    let fee = 0;
    if (event.reversalOf !== undefined) {
      const original = this.#fees.get(`${event.lender}|${event.reversalOf}`);
      if (original && !original.reversal && !original.reversed) {
        fee = -original.fee;
        original.reversed = true;
      }
    } else {
      const service = this.#rule(event.lender, date, channel)?.service;
      if (service) {
        const volume = this.#volume.get(`${event.lender}|${previousMonth(date.slice(0, 7))}`) ?? 0;
        let rates = { interestBps: service.interestBps, feeBps: service.feeBps };
        for (const tier of service.tiers ?? []) if (volume >= tier.minMonthlyVolumeFen) rates = tier;
        const half = (x: number, bps: number) =>
          new Decimal(x).mul(bps).div(10_000).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
        fee = half(event.interest, rates.interestBps) + half(event.fee + event.penalty, rates.feeBps);
      }
    }
    this.#fees.set(`${event.lender}|${event.id}`, {
      fee,
      reversed: false,
      reversal: event.reversalOf !== undefined,
    });
    this.#post(accounts.lenderReceivable(event.lender), fee);
    this.#post(accounts.revenue('service', channel), -fee);
  }
}

function randomTerms(rand: () => number): ContractTerms {
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const channels = [...CHANNELS].sort(() => rand() - 0.5);
  const rules: ContractRule[] = [];
  const named = int(0, 2);
  for (let i = 0; i < named; i++) rules.push({ channels: [channels[i]!], referral: null, service: null });
  if (rules.length === 0 || rand() < 0.7) rules.push({ channels: null, referral: null, service: null });
  return {
    rules: rules.map((rule) => ({
      channels: rule.channels,
      referral:
        rand() < 0.1
          ? null
          : rand() < 0.5
            ? { type: 'fixed', fen: int(0, 20_000) }
            : { type: 'bps', bps: int(0, 300), capFen: rand() < 0.5 ? int(1_000, 50_000) : null },
      service:
        rand() < 0.1
          ? null
          : {
              interestBps: int(0, 3000),
              feeBps: int(0, 2000),
              tiers:
                rand() < 0.4
                  ? [
                      {
                        minMonthlyVolumeFen: int(1, 50) * 10_000_000,
                        interestBps: int(0, 3000),
                        feeBps: int(0, 2000),
                      },
                      {
                        minMonthlyVolumeFen: int(60, 200) * 10_000_000,
                        interestBps: int(0, 3000),
                        feeBps: int(0, 2000),
                      },
                    ]
                  : [],
            },
    })),
  };
}

function generateEvents(rand: () => number): SimEvent[] {
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const events: SimEvent[] = [];
  // Most callbacks come within minutes; some days or weeks late (after their month's statement).
  const delay = () => (rand() < 0.05 ? int(1, 40) * DAY : int(0, 300_000));
  for (let n = 0; n < LOANS; n++) {
    const lender = LENDERS[n % LENDERS.length]!;
    const loan = `L-${n}`;
    const principal = int(50_000, 5_000_000);
    const at = START + int(0, 180) * DAY + int(0, DAY - 1);
    const disbursement: SimEvent = {
      kind: 'disbursement',
      arrival: at + delay(),
      lender,
      loan,
      channel: CHANNELS[int(0, CHANNELS.length - 1)]!,
      principal,
      at,
    };
    events.push(disbursement);
    const term = int(1, 12);
    const payoffAt = rand() < 0.2 ? int(1, term) : 0;
    let remaining = principal;
    for (let k = 1; k <= term; k++) {
      const paidAt = at + Math.round(k * 30.4 * DAY) + int(-3, 3) * DAY;
      if (paidAt >= END) break;
      const early = k === payoffAt;
      const part = early || k === term ? remaining : Math.min(remaining, Math.round(principal / term));
      remaining -= part;
      const repayment: SimEvent = {
        kind: 'repayment',
        arrival: Math.max(paidAt + delay(), disbursement.arrival + 1),
        lender,
        loan,
        id: `${loan}-R${k}`,
        at: paidAt,
        principal: part,
        interest: int(0, Math.round(principal * 0.02)),
        fee: rand() < 0.2 ? int(0, 500) : 0,
        penalty: rand() < 0.05 ? int(0, 2000) : 0,
        earlyPayoff: early,
      };
      events.push(repayment);
      if (rand() < 0.03) {
        // A bounced debit: the lender reverses the repayment a few days later (sometimes twice).
        const times = rand() < 0.2 ? 2 : 1;
        for (let r = 1; r <= times; r++) {
          const reversedAt = paidAt + int(1, 3) * DAY;
          events.push({
            ...repayment,
            id: `${repayment.id}-rev${r}`,
            at: reversedAt,
            arrival: Math.max(reversedAt + delay(), repayment.arrival + 1),
            earlyPayoff: false,
            reversalOf: repayment.id,
          });
        }
      }
      if (early) break;
    }
  }
  // Duplicated deliveries: the same callback again, later.
  const duplicates = events
    .filter(() => rand() < 0.05)
    .map((e) => ({ ...e, arrival: e.arrival + int(1, 600_000) }));
  return [...events, ...duplicates].sort((a, b) => a.arrival - b.arrival);
}

describe('seeded simulation: ledger = reference model, to the fen', () => {
  let h: SettlementHarness;
  const reference = new Reference();
  const rand = prng(SEED);

  beforeAll(async () => {
    h = await createSettlementHarness('2026-01-01T00:00:00Z');
    h.lenders.add('nanshan-mfc');
    for (const lender of LENDERS) {
      const v1 = randomTerms(rand);
      await h.services.contracts.addVersion(lender, { effectiveFrom: '2026-01-01', terms: v1 }, FINANCE);
      reference.addVersion(lender, '2026-01-01', v1);
      if (rand() < 0.8) {
        // A change agreed in January, effective later in the run.
        const from = chinaDate(new Date(START + (30 + Math.floor(rand() * 120)) * DAY));
        const v2 = randomTerms(rand);
        await h.services.contracts.addVersion(lender, { effectiveFrom: from, terms: v2 }, FINANCE);
        reference.addVersion(lender, from, v2);
      }
    }
  });
  afterAll(async () => h.close());

  it(`replays ${LOANS} loans of callbacks and agrees with the reference`, { timeout: 120_000 }, async () => {
    const events = generateEvents(rand);
    let closedThrough = '2025-12';
    const closeMonths = async (through: string) => {
      for (let month = closedThrough; month < through; ) {
        const [y, m] = month.split('-').map(Number) as [number, number];
        month = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
        for (const lender of LENDERS)
          await h.services.statements.generate({ lenderCode: lender, month }, FINANCE);
        closedThrough = month;
      }
    };
    // Finance closes the previous month on the 3rd (China time): the months closed by then.
    const closedBy = (arrival: number) => {
      const now = new Date(arrival);
      const month = previousMonth(cstMonth(now));
      return chinaDate(now).slice(8) >= '03' ? month : previousMonth(month);
    };
    // Callbacks are applied in batches of one transaction each (a commit per callback would make
    // the run fsync-bound on PostgreSQL); each accrual's logic is the same either way.
    for (let i = 0; i < events.length; ) {
      const target = closedBy(events[i]!.arrival);
      await closeMonths(target);
      let end = i;
      while (end < events.length && end - i < BATCH && closedBy(events[end]!.arrival) === target) end += 1;
      const batch = events.slice(i, end);
      i = end;
      await inTransaction(h.handle.db, async (trx) => {
        for (const event of batch) {
          h.setNow(new Date(event.arrival));
          reference.apply(event);
          if (event.kind === 'disbursement') {
            await accrueDisbursement(
              h,
              {
                lender: event.lender,
                loan: event.loan,
                channel: event.channel,
                principalFen: event.principal,
                at: new Date(event.at).toISOString(),
              },
              trx,
            );
          } else {
            await accrueRepayment(
              h,
              {
                lender: event.lender,
                loan: event.loan,
                id: event.id,
                at: new Date(event.at).toISOString(),
                principalFen: event.principal,
                interestFen: event.interest,
                feeFen: event.fee,
                penaltyFen: event.penalty,
                earlyPayoff: event.earlyPayoff,
                ...(event.reversalOf !== undefined ? { reversalOf: event.reversalOf } : {}),
              },
              trx,
            );
          }
        }
      });
    }
    h.setNow(new Date(Math.max(events.at(-1)!.arrival, END) + 10 * DAY));
    await closeMonths(previousMonth(cstMonth(h.now())));

    // 1. Balances equal the reference, account by account, to the fen.
    const nonZero = (entries: Iterable<[string, number]>) =>
      Object.fromEntries([...entries].filter(([, v]) => v !== 0).sort(([a], [b]) => (a < b ? -1 : 1)));
    const ledger = await h.services.ledger.balances();
    expect(nonZero(ledger.map((b) => [b.account, b.balanceFen]))).toEqual(nonZero(reference.balances));
    expect(Object.keys(nonZero(reference.balances)).length).toBeGreaterThan(8);

    // 2. Every entry balances; the chain verifies.
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int4 AS n FROM (
        SELECT entry_seq FROM ledger_postings GROUP BY entry_seq HAVING sum(amount_fen) <> 0) unbalanced`.execute(
      h.handle.db,
    );
    expect(rows[0]?.n).toBe(0);
    const verification = await h.services.ledger.verify();
    expect(verification.ok).toBe(true);
    expect(verification.entries).toBeGreaterThan(LOANS);

    // 3. Every posted fen is on exactly one lender statement, late callbacks included.
    for (const lender of LENDERS) {
      const statements = await h.services.statements.list({ lenderCode: lender, limit: 100 });
      const total = statements.reduce((sum, s) => sum + s.totals.totalFen, 0);
      expect([lender, total]).toEqual([
        lender,
        reference.balances.get(accounts.lenderReceivable(lender)) ?? 0,
      ]);
    }
    const late = await h.handle.db
      .selectFrom('statement_lines')
      .innerJoin('statements', 'statements.id', 'statement_lines.statement_id')
      .select(sql<number>`count(*)::int4`.as('n'))
      .whereRef('statement_lines.business_month', '<', 'statements.month')
      .executeTakeFirstOrThrow();
    expect(late.n).toBeGreaterThan(0);

    // 4. Per lender, month and rate, n rounded postings stay within ⌊n/2⌋ fen of the fee on the sum.
    const groups = await sql<{ n: number; fees: number; base: number; bps: number }>`
      SELECT count(*)::int4 AS n, sum(service_interest_fen)::int8 AS fees, sum(interest_fen)::int8 AS base,
             interest_bps AS bps
      FROM fee_accruals WHERE record_type = 'repayment' AND reversal_of IS NULL
      GROUP BY lender_code, business_month, interest_bps`.execute(h.handle.db);
    for (const g of groups.rows) {
      const aggregate = new Decimal(g.base)
        .mul(g.bps)
        .div(10_000)
        .toDecimalPlaces(0, Decimal.ROUND_HALF_UP)
        .toNumber();
      expect(Math.abs(g.fees - aggregate)).toBeLessThanOrEqual(Math.floor(g.n / 2));
    }
  });
});

describe('simulation through the callback pipeline: duplicates, out-of-order, reversals', () => {
  let h: SettlementHarness;
  afterAll(async () => h?.close());

  it('accrues exactly once per callback, whatever the order of arrival', { timeout: 60_000 }, async () => {
    h = await createSettlementHarness('2026-01-01T00:00:00Z');
    const rand = prng(SEED + 1);
    const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
    const reference = new Reference();
    const terms: ContractTerms = {
      rules: [
        {
          channels: ['maps'],
          referral: { type: 'bps', bps: 120, capFen: 30_000 },
          service: { interestBps: 1200, feeBps: 800 },
        },
        fixedReferralRule(5_000, 1500, 1000),
      ],
    };
    const LENDER = 'xinghe-bank';
    await h.services.contracts.addVersion(LENDER, { effectiveFrom: '2026-01-01', terms }, FINANCE);
    reference.addVersion(LENDER, '2026-01-01', terms);
    h.setNow('2026-06-01T00:00:00Z');

    type Callback = { kind: string; body: Record<string, unknown>; businessId: string; sim?: SimEvent };
    const callbacks: Callback[] = [];
    for (let n = 0; n < 40; n++) {
      const channel = CHANNELS[int(0, 3)]!;
      const principal = int(10, 300) * 10_000;
      const startDate = `2026-01-${String(int(10, 28)).padStart(2, '0')}`;
      const { applicationId, drawdownId } = await seedDrawdown(h.handle, {
        partnerId: LENDER,
        channelCode: channel,
        amountFen: principal,
        termMonths: 6,
        startDate,
      });
      const loan = `XH-${n}`;
      const at = `${startDate}T02:00:00.000Z`;
      const loanCallbacks: Callback[] = [
        {
          kind: 'disbursement',
          businessId: drawdownId,
          body: {
            drawdownId,
            applicationId,
            loanId: loan,
            status: 'succeeded',
            principalFen: principal,
            disbursedAt: at,
            startDate,
          },
          sim: {
            kind: 'disbursement',
            arrival: 0,
            lender: LENDER,
            loan,
            channel,
            principal,
            at: Date.parse(at),
          },
        },
        {
          kind: 'repayment-schedule',
          businessId: `${loan}:1`,
          body: scheduleBody(loan, 1, { principalFen: principal, termMonths: 6, startDate }),
        },
      ];
      const schedule = scheduleBody(loan, 1, {
        principalFen: principal,
        termMonths: 6,
        startDate,
      }).installments;
      for (const row of schedule.slice(0, int(1, 6))) {
        const body = {
          loanId: loan,
          repaymentId: `${loan}-R${row.period}`,
          paidAt: `${row.dueDate}T03:00:00.000Z`,
          principalFen: row.principalFen,
          interestFen: row.interestFen,
          feeFen: int(0, 1) * int(0, 300),
          penaltyFen: 0,
          periods: [row.period],
          earlyPayoff: false,
        };
        const sim: SimEvent = {
          kind: 'repayment',
          arrival: 0,
          lender: LENDER,
          loan,
          id: body.repaymentId,
          at: Date.parse(body.paidAt),
          principal: body.principalFen,
          interest: body.interestFen,
          fee: body.feeFen,
          penalty: 0,
          earlyPayoff: false,
        };
        loanCallbacks.push({ kind: 'repayment', businessId: body.repaymentId, body, sim });
        if (rand() < 0.15) {
          const reversal = { ...body, repaymentId: `${body.repaymentId}-rev`, reversalOf: body.repaymentId };
          loanCallbacks.push({
            kind: 'repayment',
            businessId: reversal.repaymentId,
            body: reversal,
            sim: { ...sim, id: reversal.repaymentId, reversalOf: body.repaymentId },
          });
        }
      }
      callbacks.push(...loanCallbacks);
    }
    // Shuffle everything (repayments before schedules and disbursements, reversals before their
    // originals) and deliver some twice.
    const deliveries = [...callbacks, ...callbacks.filter(() => rand() < 0.2)].sort(() => rand() - 0.5);
    const applied: SimEvent[] = [];
    for (const callback of deliveries) {
      const answer = await deliver(h.inbound, LENDER, callback.kind, callback.body, callback.businessId);
      expect([200, 202]).toContain(answer.httpStatus);
      if (callback.sim && !answer.replayed) applied.push(callback.sim);
    }
    expect(await h.inbound.listDeferred()).toEqual([]);
    // Without volume tiers, the fees do not depend on the order they were applied in.
    const ordered = applied.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'disbursement' ? -1 : 1));
    for (const event of ordered.filter((e) => e.kind === 'repayment' && e.reversalOf !== undefined)) {
      ordered.push(ordered.splice(ordered.indexOf(event), 1)[0]!);
    }
    for (const event of ordered) reference.apply(event);

    const nonZero = (entries: Iterable<[string, number]>) =>
      Object.fromEntries([...entries].filter(([, v]) => v !== 0).sort(([a], [b]) => (a < b ? -1 : 1)));
    const ledger = await h.services.ledger.balances();
    expect(nonZero(ledger.map((b) => [b.account, b.balanceFen]))).toEqual(nonZero(reference.balances));
    const recorded = await h.handle.db
      .selectFrom('loan_repayments')
      .select(sql<number>`count(*)::int4`.as('n'))
      .executeTakeFirstOrThrow();
    const accrued = await h.handle.db
      .selectFrom('fee_accruals')
      .select(sql<number>`count(*)::int4`.as('n'))
      .where('record_type', '=', 'repayment')
      .executeTakeFirstOrThrow();
    expect(accrued.n).toBe(recorded.n);
    expect((await h.services.ledger.verify()).ok).toBe(true);
  });
});
