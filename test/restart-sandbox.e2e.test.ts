import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase } from '../src/db/testing.ts';
import { chinaDate } from '../src/shared/china-date.ts';

/**
 * `npm start` (the real entry point, `node src/main.ts`, in demo mode with its sandbox lenders) on
 * a data folder of its own: a borrower's journey to a disbursed loan over HTTP, a restart of the
 * whole thing, then the first installment repaid and the loan paid off — possible only because the
 * sandbox lender read its book back from `DATA_DIR/sandbox/book.sqlite`. The sandbox's
 * reconciliation file then lists the disbursement and both repayments, once each. On the embedded
 * database (PGlite in DATA_DIR, one process at a time), and on PostgreSQL when DATABASE_URL is set.
 */

const DATABASE_URL = process.env.DATABASE_URL;
const ID_NUMBER = '310104198805123455';
const PHONE = '13912345678';

const running: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Started {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly sandboxUrl: string;
  readonly banner: string;
}

/** Starts `node src/main.ts` and resolves once the sandbox lenders are up (the last banner lines). */
function startServer(env: Record<string, string>): Promise<Started> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: { ...inherited, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no sandbox lenders within 120 s:\n${stderr}`)), 120_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const base = /health\s+(http:\/\/[^/\s]+)\/healthz/.exec(stderr);
      const sandbox = /lenders\s+sandbox lender (http:\/\/\S+) plays the demo partners/.exec(stderr);
      if (/sandbox lenders did not start/.test(stderr)) reject(new Error(`no sandbox lenders:\n${stderr}`));
      if (base && sandbox && stderr.endsWith('\n\n')) {
        clearTimeout(timer);
        resolve({ child, baseUrl: base[1]!, sandboxUrl: sandbox[1]!, banner: stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${stderr}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

interface Installment {
  readonly period: number;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly status: string;
}
interface Offer {
  readonly productId: string;
  readonly productCode: string;
  readonly preCheck: string;
  readonly termsMonths: readonly number[];
  readonly methods: readonly string[];
  readonly lender: { readonly id: string; readonly code: string };
}
interface Loan {
  readonly id: string;
  readonly status: string;
  readonly installments: readonly Installment[];
}

/** A borrower's HTTP client on one server. */
function borrower(baseUrl: string) {
  let token = '';
  async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status >= 300)
      throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
    return json as T;
  }
  return {
    call,
    async signIn(user: string) {
      const minted = await call<{ token: string }>('POST', '/api/v1/dev/channels/shop/tokens', {
        channelUserId: user,
      });
      token = (
        await call<{ token: string }>('POST', '/api/v1/channels/shop/sessions', { token: minted.token })
      ).token;
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The journey, the restart, the repayments: on the database `env` says. */
async function restartJourney(env: Record<string, string>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lendgate-restart-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const settings = { DATA_DIR: dataDir, LENDGATE_DEMO: 'true', ...env };

  const first = await startServer(settings);
  const before = borrower(first.baseUrl);
  await before.signIn('demo-007');
  await before.call('PUT', '/api/v1/borrower/profile', {
    name: '王小明',
    idNumber: ID_NUMBER,
    phone: PHONE,
    bankCard: '6222021234567890128',
  });
  const { offers } = await before.call<{ offers: Offer[] }>('GET', '/api/v1/borrower/offers?sort=apr');
  // Any demo lender that pre-approved 12 months of equal installments will do (the sandbox bank
  // first); on a loaded machine one lender's pre-check may miss the fan-out's budget.
  const fits = offers.filter(
    (o) => o.preCheck === 'accepted' && o.termsMonths.includes(12) && o.methods.includes('equal_installment'),
  );
  const offer = fits.find((o) => o.productCode === 'xinghe-quick') ?? fits[0];
  if (!offer) throw new Error(`no demo lender pre-approved the borrower: ${JSON.stringify(offers)}`);
  const { items: agreements } = await before.call<{ items: { id: string; version: number }[] }>(
    'GET',
    `/api/v1/agreements?lenderId=${offer.lender.id}`,
  );
  await before.call('POST', '/api/v1/borrower/consents', {
    lenderId: offer.lender.id,
    agreements: agreements.map((a) => ({ id: a.id, version: a.version })),
    device: { platform: 'web' },
  });
  const terms = { amountFen: 1_000_000, termMonths: 12, method: 'equal_installment' };
  const application = await before.call<{ id: string }>('POST', '/api/v1/borrower/applications', {
    productId: offer.productId,
    ...terms,
  });
  const status = async (client: ReturnType<typeof borrower>) =>
    (
      await client.call<{ application: { status: string } }>(
        'GET',
        `/api/v1/borrower/applications/${application.id}`,
      )
    ).application.status;
  await until('approval', async () => ((await status(before)) === 'approved' ? true : undefined));
  await before.call('POST', `/api/v1/borrower/applications/${application.id}/disclosure`, terms);
  await before.call('POST', `/api/v1/borrower/applications/${application.id}/drawdowns`, {
    ...terms,
    disclosureAccepted: true,
  });
  const loan = await until('the loan with its schedule', async () => {
    const { items } = await before.call<{ items: Loan[] }>('GET', '/api/v1/borrower/loans');
    return items[0]?.installments.length === 12 ? items[0] : undefined;
  });
  expect(await status(before)).toBe('repaying');
  expect(await stop(first.child)).toBe(0);

  // The restart: the platform's database and the sandbox's book are both read back.
  const second = await startServer(settings);
  expect(second.banner).toContain('migrations    up to date');
  const after = borrower(second.baseUrl);
  await after.signIn('demo-007');
  const kept = await after.call<{ loan: Loan }>('GET', `/api/v1/borrower/loans/${loan.id}`);
  expect(kept.loan.installments).toEqual(loan.installments);
  const row = loan.installments[0]!;
  const first1 = await after.call<{ repaymentId: string; amountFen: number }>(
    'POST',
    `/api/v1/borrower/loans/${loan.id}/repayments`,
    { kind: 'installment', periods: [1] },
  );
  expect(first1.amountFen).toBe(row.principalFen + row.interestFen);
  await until('the first installment paid', async () => {
    const { loan: current } = await after.call<{ loan: Loan }>('GET', `/api/v1/borrower/loans/${loan.id}`);
    return current.installments[0]!.status === 'paid' ? true : undefined;
  });
  const quote = await after.call<{ totalFen: number }>(
    'GET',
    `/api/v1/borrower/loans/${loan.id}/payoff-quote`,
  );
  const payoff = await after.call<{ repaymentId: string; amountFen: number }>(
    'POST',
    `/api/v1/borrower/loans/${loan.id}/repayments`,
    { kind: 'payoff' },
  );
  expect(payoff.amountFen).toBe(quote.totalFen);
  await until('settlement', async () => ((await status(after)) === 'settled' ? true : undefined));
  const end = await after.call<{
    loan: Loan;
    repayments: { repaymentId: string }[];
    repaymentRequests: { id: string; status: string }[];
  }>('GET', `/api/v1/borrower/loans/${loan.id}`);
  expect(end.loan.status).toBe('settled');
  expect(end.loan.installments.every((i) => i.status === 'paid')).toBe(true);
  expect(end.repaymentRequests.map((r) => [r.id, r.status])).toEqual([
    [payoff.repaymentId, 'completed'],
    [first1.repaymentId, 'completed'],
  ]);
  expect(end.repayments.map((r) => r.repaymentId)).toEqual([first1.repaymentId, payoff.repaymentId]);

  // The sandbox's reconciliation file: the disbursement and both repayments of this loan, once each.
  const csv = await (
    await fetch(
      `${second.sandboxUrl}/sandbox/reconciliation/${offer.lender.code}/${chinaDate(new Date())}.csv`,
    )
  ).text();
  const rows = csv
    .split('\r\n')
    .map((line) => line.split(','))
    .filter((cells) => cells[3] === application.id);
  expect(rows.map((cells) => [cells[0], cells[1], Number(cells[5])])).toEqual([
    ['disbursement', expect.any(String), 1_000_000],
    ['repayment', first1.repaymentId, first1.amountFen],
    ['repayment', payoff.repaymentId, payoff.amountFen],
  ]);
  expect(await stop(second.child)).toBe(0);
}

describe('npm start, restarted with a disbursed demo loan', () => {
  it('repays the installment and pays the loan off after the restart (embedded PGlite)', async () => {
    await restartJourney({});
  }, 240_000);

  it.skipIf(!DATABASE_URL)(
    'does the same on PostgreSQL (DATABASE_URL)',
    async () => {
      const database = await createPostgresTestDatabase(DATABASE_URL!);
      cleanups.push(() => database.drop());
      await restartJourney({
        DATABASE_URL: database.url,
        LENDGATE_MASTER_KEY: randomBytes(32).toString('base64'),
      });
    },
    90_000,
  );
});
