import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedSandbox } from '../sandbox/lender/testing.ts';
import { startDemoLenders } from '../src/demo/sandbox-lenders.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { quoteLoan } from '../src/money/index.ts';
import { chinaDate } from '../src/shared/china-date.ts';
import { createLogger } from '../src/shared/logger.ts';
import { createTestApp, type TestApp } from '../src/testing/app.ts';
import { describeScan, dumpDatabase, logSource, scanForPii } from '../src/testing/pii-scan.ts';

/**
 * The borrower journey end to end, over HTTP, against the sandbox lender running as a real
 * process: sign-in through a channel, whitelist, offers by pre-check fan-out, profile, consent,
 * application, decision, drawdown, schedule, one repayment, early payoff. Then every log line and
 * every database row is searched for the borrower's personal data in plain text.
 */
const ID_NUMBER = '310104198805123455';
const PHONE = '13912345678';
const CARD = '6222021234567890128';
const NAME = '王小明';
const SECOND_ID_NUMBER = '110105199003071239';
const SECOND_PHONE = '13712345678';
const THIRD_ID_NUMBER = '440305198506151233';
const THIRD_PHONE = '13612345678';

interface Offer {
  readonly productId: string;
  readonly productCode: string;
  readonly preCheck: string;
  readonly lender: { readonly id: string };
}
interface Offers {
  readonly profileNeeded: boolean;
  readonly offers: readonly Offer[];
}
interface Application {
  readonly id: string;
  readonly status: string;
  readonly approval: { readonly apr: string } | null;
}
interface Installment {
  readonly period: number;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly status: string;
}
interface Loan {
  readonly id: string;
  readonly productName: string;
  readonly lenderName: string;
  readonly installments: readonly Installment[];
}
interface Amount {
  readonly amountFen: number;
}

describe('borrower journey end to end', () => {
  let t: TestApp;
  let base: string;
  let sandbox: SpawnedSandbox;
  const logLines: string[] = [];
  let token: string;

  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({
      // The status pull (started by the test of a silent lender only) asks after 300 ms.
      env: {
        LENDGATE_DEMO: 'true',
        LOG_LEVEL: 'debug',
        STATUS_PULL_AFTER_MS: '300',
        STATUS_PULL_POLL_MS: '100',
      },
      logger: createLogger('debug', logStream),
    });
    await seedDemo(t.database.db, () => new Date(), undefined, t.masterKey);
    base = await t.server.listen({ port: 0, host: '127.0.0.1' });
    t.app.services.outbox.start();
    const started = await startDemoLenders(
      { lenders: t.app.services.lenders, keyring: t.app.services.keyring, logger: createLogger('silent') },
      { dataDir: mkdtempSync(join(tmpdir(), 'lendgate-e2e-sandbox-')), platformUrl: base, port: 0 },
    );
    sandbox = started.sandbox;
    expect(started.lines.every((line) => line.includes('passed'))).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await sandbox?.stop();
    await t?.close();
  });

  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    expected = [200, 201, 202],
  ): Promise<T> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!expected.includes(response.status))
      throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
    return json as T;
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  interface Person {
    readonly user: string;
    readonly idNumber: string;
    readonly phone: string;
  }

  /** The whole journey for one demo user; returns the loan id. */
  async function walk(person: Person): Promise<string> {
    const minted = await call<{ token: string }>('POST', '/api/v1/dev/channels/shop/tokens', {
      channelUserId: person.user,
    });
    const session = await call<{ token: string }>('POST', '/api/v1/channels/shop/sessions', {
      token: minted.token,
    });
    token = session.token;

    expect(await call('GET', '/api/v1/borrower/entry')).toMatchObject({ visible: true });
    const before = await call<Offers>('GET', '/api/v1/borrower/offers');
    expect(before.profileNeeded).toBe(true);

    await call('PUT', '/api/v1/borrower/profile', {
      name: NAME,
      idNumber: person.idNumber,
      phone: person.phone,
      bankCard: CARD,
    });
    const offers = await call<Offers>('GET', '/api/v1/borrower/offers?sort=apr');
    expect(offers.profileNeeded).toBe(false);
    expect(offers.offers.length).toBeGreaterThan(0);
    const offer = offers.offers.find((o) => o.productCode === 'xinghe-quick');
    if (!offer) throw new Error('the sandbox bank did not pre-approve the demo borrower');
    expect(offer).toMatchObject({ preCheck: 'accepted' });

    const lenderId: string = offer.lender.id;
    const agreements = await call<{ items: { id: string; version: number }[] }>(
      'GET',
      `/api/v1/agreements?lenderId=${lenderId}`,
    );
    const items = agreements.items;
    await call('POST', '/api/v1/borrower/consents', {
      lenderId,
      agreements: items.map((a) => ({ id: a.id, version: a.version })),
      device: { platform: 'web' },
    });

    const application = await call<Application>('POST', '/api/v1/borrower/applications', {
      productId: offer.productId,
      amountFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
    });
    const approved = await until('approval', async () => {
      const { application: current } = await call<{ application: Application }>(
        'GET',
        `/api/v1/borrower/applications/${application.id}`,
      );
      return current.status === 'approved' ? current.approval : undefined;
    });
    if (!approved) throw new Error('approved without terms');
    const terms = { amountFen: 1_000_000, termMonths: 12, method: 'equal_installment' };
    const sheet = await call<{ apr: string; totalRepaymentFen: number }>(
      'POST',
      `/api/v1/borrower/applications/${application.id}/disclosure`,
      terms,
    );
    const today = chinaDate(new Date());
    const expected = quoteLoan({
      principalFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
      annualRate: approved.apr,
      startDate: today,
    });
    expect(sheet.apr).toBe(expected.apr);
    expect(sheet.totalRepaymentFen).toBe(expected.totalRepaymentFen);

    await call('POST', `/api/v1/borrower/applications/${application.id}/drawdowns`, {
      ...terms,
      disclosureAccepted: true,
    });
    const loan = await until('the loan with its schedule', async () => {
      const { items: loans } = await call<{ items: Loan[] }>('GET', '/api/v1/borrower/loans');
      const found = loans[0];
      return found && found.installments.length === 12 ? found : undefined;
    });
    expect(
      loan.installments.map(
        (i: { principalFen: number; interestFen: number }) => i.principalFen + i.interestFen,
      ),
    ).toEqual(expected.installments.map((i) => i.principalFen + i.interestFen));

    // The borrower's loan says whose it is, as offered when they applied.
    expect(loan.productName).toBe('星河快贷');
    expect(loan.lenderName).toContain('星河银行');
    const first = await call<Amount>('POST', `/api/v1/borrower/loans/${loan.id}/repayments`, {
      kind: 'installment',
      periods: [1],
    });
    expect(first.amountFen).toBe(expected.installments[0]!.totalFen);
    await until('the first installment paid', async () => {
      const { loan: current } = await call<{ loan: Loan }>('GET', `/api/v1/borrower/loans/${loan.id}`);
      return current.installments[0].status === 'paid' ? true : undefined;
    });

    const payoff = await call<{ feeFen: number; totalFen: number }>(
      'GET',
      `/api/v1/borrower/loans/${loan.id}/payoff-quote`,
    );
    expect(payoff.feeFen).toBe(0);
    // Installment 1 was paid ahead today: what remains is the rest of the principal, with no
    // interest for the current period (src/loans/payoff.ts; the sandbox computes the same).
    const rest = 1_000_000 - expected.installments[0]!.principalFen;
    expect(payoff).toMatchObject({ principalFen: rest, interestFen: 0, totalFen: rest });
    const paidOff = await call<Amount>('POST', `/api/v1/borrower/loans/${loan.id}/repayments`, {
      kind: 'payoff',
    });
    expect(paidOff.amountFen).toBe(payoff.totalFen);
    await until('settlement', async () => {
      const { application: current } = await call<{ application: Application }>(
        'GET',
        `/api/v1/borrower/applications/${application.id}`,
      );
      return current.status === 'settled' ? true : undefined;
    });

    const releases = await call<{ items: { lenderId: string }[] }>('GET', '/api/v1/borrower/data-releases');
    const entries = releases.items;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ lenderId });
    return loan.id;
  }

  it('walks from channel sign-in to early payoff, to the fen, sharing data exactly once', async () => {
    await walk({ user: 'demo-001', idNumber: ID_NUMBER, phone: PHONE });
  }, 120_000);

  it('gives one effect per callback when the lender sends each twice and out of order', async () => {
    const faults = await fetch(`${sandbox.url}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ partnerId: 'xinghe-bank', duplicateCallbacks: true, outOfOrderCallbacks: true }),
    });
    expect(faults.status).toBe(200);
    try {
      const loanId = await walk({ user: 'demo-002', idNumber: SECOND_ID_NUMBER, phone: SECOND_PHONE });
      // One installment, then the payoff: two repayments, however many times they were sent. Out of
      // order, the settled status may come before the payoff's repayment: wait for it, then count.
      const repayments = await until('both repayments recorded', async () => {
        const rows = await t.database.db
          .selectFrom('loan_repayments')
          .select('lender_repayment_id')
          .where('loan_id', '=', loanId)
          .execute();
        return rows.length >= 2 ? rows : undefined;
      });
      // Every callback and its copy answered by the platform (applied, or refused as a repeat):
      // nothing the lender sent can still add a third.
      await until('the sandbox to have no callback left to send', async () => {
        const stats = (await (await fetch(`${sandbox.url}/sandbox/stats`)).json()) as {
          pendingCallbacks: number;
        };
        return stats.pendingCallbacks === 0 ? true : undefined;
      });
      expect(repayments).toHaveLength(2);
      const after = await t.database.db
        .selectFrom('loan_repayments')
        .select('id')
        .where('loan_id', '=', loanId)
        .execute();
      expect(after).toHaveLength(2);
      const { rows } = await sql<{ event: string; n: number }>`
        SELECT e.event, count(*)::int AS n FROM application_events e
        JOIN loans l ON l.application_id = e.application_id
        WHERE l.id = ${loanId} GROUP BY e.event`.execute(t.database.db);
      expect(rows.every((row) => row.n === 1)).toBe(true);
      const stats = (await (await fetch(`${sandbox.url}/sandbox/stats`)).json()) as Record<string, unknown>;
      expect(JSON.stringify(stats)).toMatch(/"duplicatesSent":[1-9]/);
    } finally {
      await fetch(`${sandbox.url}/sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reset: true }),
      });
    }
  }, 120_000);

  it('ends every step through the status pull when the lender never calls back', async () => {
    const faults = (settings: Record<string, unknown>) =>
      fetch(`${sandbox.url}/sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ partnerId: 'xinghe-bank', ...settings }),
      });
    expect((await faults({ silentCallbacks: true })).status).toBe(200);
    t.app.services.statusPull.start();
    try {
      // Decision, disbursement, schedule, the installment paid, the payoff and the settlement: each
      // learnt by asking the lender, none by callback.
      const loanId = await walk({ user: 'demo-004', idNumber: THIRD_ID_NUMBER, phone: THIRD_PHONE });
      const pulled = await t.database.db
        .selectFrom('inbound_messages')
        .select(['kind', 'request_id', 'status'])
        .where('partner_id', '=', 'xinghe-bank')
        .where('request_id', 'like', 'pull:%')
        .execute();
      expect(new Set(pulled.map((row) => row.kind))).toEqual(
        new Set(['credit-decision', 'disbursement', 'repayment-schedule', 'pulled-loan-end']),
      );
      expect(pulled.every((row) => row.status === 'applied')).toBe(true);
      const stats = (await (await fetch(`${sandbox.url}/sandbox/stats`)).json()) as {
        lenders: Record<string, { calls: Record<string, number> }>;
      };
      expect(JSON.stringify(stats)).toContain('status-query');
      const { rows } = await sql<{ status: string }>`
        SELECT a.status FROM applications a JOIN loans l ON l.application_id = a.id WHERE l.id = ${loanId}`.execute(
        t.database.db,
      );
      expect(rows).toEqual([{ status: 'settled' }]);
    } finally {
      await t.app.services.statusPull.stop();
      await faults({ reset: true });
    }
  }, 120_000);

  it('writes no personal data, plain or encoded, to any log line, database row or sandbox log', async () => {
    const secrets = Object.entries({
      ID_NUMBER,
      PHONE,
      CARD,
      NAME,
      SECOND_ID_NUMBER,
      SECOND_PHONE,
      THIRD_ID_NUMBER,
      THIRD_PHONE,
    }).map(([label, value]) => ({ label, value }));
    const sources = [
      logSource('app log', logLines),
      logSource('sandbox log', [sandbox.logs(), sandbox.output()]),
      ...(await dumpDatabase(t.database.db)),
    ];
    expect(logLines.length).toBeGreaterThan(0);
    expect(sources.reduce((n, source) => n + source.text.length, 0)).toBeGreaterThan(1000);
    const result = scanForPii(sources, secrets);
    expect(result.hits, describeScan(result, secrets)).toEqual([]);
  });

  it('played 星河银行 on the 国密 suite: SM2-SM3 keys, PII sent in SM2 + SM4-GCM blocks', async () => {
    const xinghe = await t.app.services.lenders.partners.findByCode('xinghe-bank');
    const keys = await t.app.services.lenders.keys.keySetFor(xinghe!.id, new Date());
    expect(keys?.map((k) => `${k.use}:${k.alg}`).sort()).toEqual(['encryption:SM2', 'signing:SM2-SM3']);
    const applies = await t.database.db
      .selectFrom('outbox_messages')
      .select('body')
      .where('partner_id', '=', 'xinghe-bank')
      .where('call', '=', 'apply')
      .execute();
    expect(applies.length).toBeGreaterThan(0);
    for (const { body } of applies) expect((body as { pii: { alg: string } }).pii.alg).toBe('SM2+SM4-GCM');
  });
});
