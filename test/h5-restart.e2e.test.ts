import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase } from '../src/db/testing.ts';
import { referenceSchedule } from '../src/money/reference.ts';
import type { RepaymentMethod } from '../src/money/terms.ts';
import { type Browser, browserUnavailable, hasCjkFont, launchBrowser } from './h5/browser.ts';
import { Journey, type LoanView, type Person } from './h5/journey.ts';
import { buildWebIfStale, type RunningServer, startServer } from './h5/server.ts';

/**
 * `npm start` (the real entry point in demo mode: the platform and the sandbox lender process
 * playing the demo partners) on a data folder of its own, the borrower H5 in a real browser at
 * 375×667: the journey to a disbursed loan (sign-in → entry → offers → product → form → consent →
 * decision → drawdown with the disclosure sheet → disbursed), then the whole thing stopped
 * (SIGTERM, clean exit) and started again on the same data folder and port. While it is away
 * the borrower taps "view the loan" and is told the network is unavailable; once it is back the
 * retry shows the loan, and the H5 opened again at its entry finds the session kept (borrower
 * sessions live in the database) and the loan in 我的. Then the first installment is repaid and
 * the loan paid off, through the H5, each confirmed by the lender. Amounts to the fen: the
 * schedule against an independent decimal.js computation of the loan's terms
 * (src/money/reference.ts), the installment paid against its row, the payoff against the
 * remaining principal (no interest: the current period's installment was paid ahead). Every page
 * is checked as in test/h5.e2e.test.ts (Chinese, CJK font, APR first, nothing wider than the
 * screen) and photographed into a temp folder, named on stderr and kept for looking at.
 *
 * On the embedded PGlite in the data folder; on PostgreSQL when DATABASE_URL is set (CI runs the
 * suite on both), in a database of its own. Skipped, saying why, where /usr/bin/chromium is absent.
 */

const DATABASE_URL = process.env.DATABASE_URL;
const unavailable = browserUnavailable();
if (unavailable) process.stderr.write(`h5 restart test skipped: ${unavailable}\n`);

// A fictional borrower with valid check characters (GB 11643, Luhn).
const LIU: Person = {
  name: '刘晓燕',
  idNumber: '320102198507150024',
  phone: '13712345678',
  bankCard: '6222020200112233446',
  contact: { name: '刘强', phone: '13712340000' },
};

/** The whole thing may take a while on a loaded 2-core machine: the starts are the slow part. */
const START_TIMEOUT_MS = 120_000;
/** A lender's callbacks (decision, disbursement, repayments) on a loaded machine. */
const LENDER_WAIT_MS = 30_000;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A port free now, so that both starts serve the same origin (the H5's sessionStorage is per origin). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/**
 * Starts `npm start`'s server; the banner's lenders lines name the sandbox lender and, on the first
 * start, each demo partner's admission (a restart finds them active and runs no conformance again).
 */
async function start(env: Record<string, string>, admission: 'first' | 'again'): Promise<RunningServer> {
  const server = await startServer(env, { timeoutMs: START_TIMEOUT_MS });
  cleanups.push(() => server.stop());
  const [sandbox, ...admitted] = server.lenders;
  expect(sandbox, server.lenders.join('\n')).toMatch(/^sandbox lender http:\/\/\S+ plays the demo partners$/);
  if (admission === 'first') {
    expect(admitted.length, server.lenders.join('\n')).toBeGreaterThan(0);
    for (const line of admitted) expect(line).toMatch(/: conformance passed → active$/);
  } else {
    expect(admitted, 'no admission again after the restart').toEqual([]);
  }
  return server;
}

/** SIGTERM, and the exit it must make: clean, within the shutdown timeout. */
async function stop(server: RunningServer): Promise<void> {
  const began = Date.now();
  const code = await server.stop(30_000);
  expect(code, `the server exits cleanly on SIGTERM:\n${server.output()}\n${server.log()}`).toBe(0);
  process.stderr.write(`h5 restart: stopped in ${Date.now() - began} ms\n`);
}

describe.skipIf(unavailable !== null)('npm start, restarted under the borrower H5', () => {
  it(`repays and pays off in the H5 after a restart with a disbursed loan (${DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`, async () => {
    const began = Date.now();
    const lap = (what: string) =>
      process.stderr.write(`h5 restart: ${what} at ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
    expect(
      hasCjkFont(),
      'a CJK font is installed (apt-get install fonts-noto-cjk), or Chinese renders as boxes',
    ).toBe(true);
    buildWebIfStale();
    const dataDir = mkdtempSync(join(tmpdir(), 'lendgate-h5-restart-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // Beside the H5 test's own (test-output/, ignored by git), replaced on every run.
    const shots = join(process.cwd(), 'test-output', 'h5-restart', DATABASE_URL ? 'postgres' : 'pglite');
    rmSync(shots, { recursive: true, force: true });
    process.stderr.write(`h5 restart: screenshots in ${shots}\n`);
    const env: Record<string, string> = { DATA_DIR: dataDir, PORT: String(await freePort()) };
    if (DATABASE_URL) {
      const database = await createPostgresTestDatabase(DATABASE_URL);
      cleanups.push(() => database.drop());
      // Demo mode is on whatever the database (startServer); the master key must outlive the restart.
      Object.assign(env, {
        DATABASE_URL: database.url,
        LENDGATE_MASTER_KEY: randomBytes(32).toString('base64'),
      });
    }

    const [first, browser] = await Promise.all([start(env, 'first'), launchBrowser()]);
    cleanups.push(() => (browser as Browser).close());
    lap('started');
    const page = await browser.context.newPage();
    const journey = new Journey(page, {
      baseUrl: first.baseUrl,
      language: 'zh-CN',
      channel: 'shop',
      channelUserId: 'demo-004',
      person: LIU,
      shots,
      signIn: 'dev-page',
      pick: 'cheapest',
      lenderWaitMs: LENDER_WAIT_MS,
    });
    await journey.untilDisbursed();
    // The lender pushes the schedule after the disbursement: stop once the platform has it.
    const disbursed = await until('the schedule of the loan', async () => {
      const [loan] = await journey.myLoans();
      return loan && loan.installments.length === loan.termMonths ? loan : undefined;
    });
    lap('disbursed');

    await stop(first);
    await journey.loanAway();
    const second = await start(env, 'again');
    expect(second.baseUrl, 'the same origin again').toBe(first.baseUrl);
    expect(second.output()).toContain('migrations    up to date');
    lap('restarted');

    await journey.loanBack();
    expect(await journey.reopen(), 'borrower sessions are kept in the database').toBe('session kept');
    const loan = await journey.currentLoan();
    expect(loan.id).toBe(disbursed.id);
    expect(loan.installments, 'the schedule read back after the restart').toEqual(disbursed.installments);
    const reference = independentSchedule(loan);
    expect(
      loan.installments.map((line) => [
        line.period,
        line.dueDate,
        line.principalFen,
        line.interestFen,
        line.feeFen,
        line.status,
      ]),
      'the schedule is the loan terms computed independently (decimal.js)',
    ).toEqual(
      reference.map((row) => [row.period, row.dueDate, row.principalFen, row.interestFen, 0, 'pending']),
    );

    const repaid = await journey.repay();
    expect(repaid.amountFen, 'installment 1 as computed independently').toBe(reference[0]!.totalFen);
    const { quote, amountFen } = await journey.payoff();
    // Installment 1 was paid ahead, so no interest has accrued: the principal still owed.
    const owed = loan.principalFen - reference[0]!.principalFen;
    expect(
      { principalFen: quote.principalFen, interestFen: quote.interestFen, feeFen: quote.feeFen, amountFen },
      'the payoff: the principal still owed, no interest, no fee',
    ).toEqual({ principalFen: owed, interestFen: 0, feeFen: 0, amountFen: owed });
    const settled = await journey.currentLoan();
    expect(settled.status).toBe('settled');
    expect(settled.installments.every((line) => line.status === 'paid')).toBe(true);
    await journey.mine();
    journey.checkNoPageErrors();
    lap('paid off');
    process.stderr.write(`h5 restart: pages ${journey.report().reached.join(' → ')}\n`);
    await stop(second);
  }, 300_000);
});

/** The loan's schedule from its own terms, by src/money's independent decimal.js reference. */
function independentSchedule(loan: LoanView) {
  return referenceSchedule({
    principalFen: loan.principalFen,
    termMonths: loan.termMonths,
    method: loan.method as RepaymentMethod,
    annualRate: loan.annualRate,
    startDate: loan.startDate,
  });
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = LENDER_WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
