/**
 * The authorization matrix: every operation of /openapi.json × every principal of
 * test/security/policy.ts, each request realistic (test/security/matrix-requests.ts on the
 * fixtures of test/security/world.ts), each answer held to the declared policy. Another borrower
 * or lender never sees borrower A's data; a callback of another lender never changes A's loan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeScan, dumpDatabase, logSource, scanForPii } from '../../src/testing/pii-scan.ts';
import { MATRIX_PASSWORD, type MatrixRequest, REQUESTS } from './matrix-requests.ts';
import { loadOpenApi, type Operation, operationsOf } from './openapi.ts';
import { type Expectation, POLICY, PRINCIPALS, type Principal } from './policy.ts';
import { buildWorld, type World } from './world.ts';

/** Run after everything else: they take away what other requests use (A's consent, B's profile…). */
const LAST = [
  'POST /api/v1/borrower/applications/{id}/cancel',
  'POST /api/v1/borrower/loans/{id}/repayments',
  'DELETE /api/v1/borrower/consents/{id}',
  'DELETE /api/v1/borrower/profile',
];

/** Operations that end the caller's session: each caller gets a session (and account) of its own. */
const ENDS_SESSION = new Set([
  'DELETE /api/v1/admin/sessions/current',
  'PUT /api/v1/admin/me/password',
  'DELETE /api/v1/borrower/session',
]);

interface Violation {
  readonly operation: string;
  readonly principal: Principal;
  readonly expected: string;
  readonly status: number;
  readonly code: string | undefined;
  readonly problem: string;
}

function describeExpectation(e: Expectation): string {
  switch (e.verdict) {
    case 'allow':
    case 'own':
      return `${e.verdict}${e.codes.length > 0 ? ` (or ${e.codes.join('/')})` : ''}`;
    case 'deny':
      return `deny ${e.statuses.join('/')}`;
    case 'isolated':
      return 'isolated (202, A untouched)';
  }
}

describe('authorization matrix', () => {
  let w: World;
  let operations: Operation[];
  const violations: Violation[] = [];
  const table = new Map<string, Map<Principal, string>>();
  const spareAccounts = new Map<Principal, string>();
  const timeByOperation = new Map<string, number>();

  beforeAll(async () => {
    w = await buildWorld({
      logLevel: 'debug',
      env: {
        RATE_LIMIT_SIGN_IN_PER_IP: '0',
        RATE_LIMIT_SIGN_IN_PER_EMAIL: '0',
        SIGN_IN_FAILURES_PER_IP: '0',
        RATE_LIMIT_CHANNEL_SIGN_IN_PER_IP: '0',
        RATE_LIMIT_OFFERS_PER_BORROWER: '0',
        RATE_LIMIT_QUOTES_PER_IP: '0',
        RATE_LIMIT_OPEN_PER_PARTNER: '0',
        RATE_LIMIT_NOT_FOUND_PER_IP: '0',
      },
    });
    operations = operationsOf(await loadOpenApi(w.t.server));
  }, 180_000);
  afterAll(async () => w?.close());

  it('declares a policy row and a realistic request for every operation of the OpenAPI document', () => {
    const keys = operations.map((op) => op.key);
    const missingPolicy = keys.filter((key) => !(key in POLICY));
    const missingRequest = keys.filter((key) => !(key in REQUESTS));
    const stale = Object.keys(POLICY).filter((key) => !keys.includes(key));
    expect(missingPolicy, 'operations without a row in test/security/policy.ts').toEqual([]);
    expect(missingRequest, 'operations without a request in test/security/matrix-requests.ts').toEqual([]);
    expect(stale, 'policy rows of operations the document no longer has').toEqual([]);
  });

  /** A's own view of A's application and loan, to prove another lender's callback changed nothing. */
  async function viewOfA(): Promise<string> {
    const headers = { authorization: `Bearer ${w.borrowers.A.token}` };
    const application = await w.t.server.inject({
      method: 'GET',
      url: `/api/v1/borrower/applications/${w.a.applicationId}`,
      headers,
    });
    const loan = await w.t.server.inject({
      method: 'GET',
      url: `/api/v1/borrower/loans/${w.a.loanId}`,
      headers,
    });
    return `${application.body}\n${loan.body}`;
  }

  /** Identifiers and personal values of borrower A that no other borrower or lender may see. */
  function secretsOfA(): string[] {
    const p = w.borrowers.A.profile;
    return [
      w.borrowers.A.borrowerId,
      w.a.applicationId,
      w.a.loanId,
      w.a.drawdownId,
      w.a.consentId,
      w.a.lenderLoanId,
      p.name,
      p.idNumber,
      p.phone,
      p.bankCard,
      ...p.contacts.flatMap((c) => [c.name, c.phone]),
    ];
  }

  async function headersFor(
    op: Operation,
    principal: Principal,
    request: MatrixRequest,
    bodyText: string | undefined,
  ) {
    const headers: Record<string, string> = {};
    if (bodyText !== undefined) headers['content-type'] = request.raw?.contentType ?? 'application/json';
    if (principal.startsWith('borrower')) {
      const b = w.borrowers[principal.slice('borrower'.length) as 'A' | 'B' | 'C'];
      let token = b.token;
      if (ENDS_SESSION.has(op.key)) {
        token = (
          await w.t.app.services.borrowerSessions.open({
            borrowerId: b.borrowerId,
            channelCode: b.channelCode,
          })
        ).token;
      }
      headers.authorization = `Bearer ${token}`;
    } else if (
      principal === 'admin' ||
      principal === 'operator' ||
      principal === 'finance' ||
      principal === 'compliance'
    ) {
      let token = w.operators[principal];
      if (ENDS_SESSION.has(op.key)) {
        // A spare account per role for signing out; a new one for changing its password.
        const fresh = op.key === 'PUT /api/v1/admin/me/password';
        let email = fresh ? undefined : spareAccounts.get(principal);
        if (email === undefined) {
          email = `mx-${principal}-${Math.random().toString(36).slice(2)}@security.lendgate.local`;
          await w.t.app.services.operators.create(
            { email, displayName: email, password: MATRIX_PASSWORD, roles: [principal] },
            { type: 'system', id: null },
          );
          if (!fresh) spareAccounts.set(principal, email);
        }
        token = (await w.t.app.services.operators.signIn(email, MATRIX_PASSWORD)).token;
      }
      headers.authorization = `Bearer ${token}`;
    } else if (principal === 'lenderA' || principal === 'lenderB') {
      const lender = principal === 'lenderA' ? w.lenders.A : w.lenders.B;
      const signed = w.signed(lender, op.method, request.url, bodyText ?? '');
      Object.assign(headers, signed.headers);
      if (bodyText === undefined) delete headers['content-type'];
      else headers['content-type'] = request.raw?.contentType ?? 'application/json';
    }
    return headers;
  }

  function judge(e: Expectation, status: number, code: string | undefined): string | undefined {
    if (status >= 500) return `server error ${status}`;
    switch (e.verdict) {
      case 'allow':
      case 'own':
        if (status < 300) return undefined;
        if (code !== undefined && e.codes.includes(code)) return undefined;
        return `refused (${status} ${code ?? ''}) though allowed`;
      case 'deny':
        return e.statuses.includes(status)
          ? undefined
          : `answered ${status} ${code ?? ''}, not ${e.statuses.join('/')}`;
      case 'isolated':
        return status === 202 || status === 200
          ? undefined
          : `answered ${status} ${code ?? ''}, not 202 (kept apart)`;
    }
  }

  it('answers every operation × principal as the policy declares, and never shows A’s data to others', async () => {
    const ordered = [
      ...operations.filter((op) => !LAST.includes(op.key)),
      ...LAST.flatMap((key) => operations.filter((op) => op.key === key)),
    ];
    let cells = 0;
    for (const op of ordered) {
      const row = POLICY[op.key];
      const build = REQUESTS[op.key];
      if (!row || !build) continue;
      const started = performance.now();
      for (const principal of PRINCIPALS) {
        const expectation = row[principal];
        const request = await build(w, principal);
        const bodyText =
          request.raw?.text ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
        const headers = await headersFor(op, principal, request, bodyText);
        const checkIsolation = principal === 'lenderB' && op.path.startsWith('/open/v1/callbacks/');
        const before = checkIsolation ? await viewOfA() : undefined;
        const response = await w.t.server.inject({
          method: op.method as 'GET',
          url: request.url,
          headers,
          ...(bodyText === undefined ? {} : { payload: bodyText }),
        });
        cells += 1;
        const status = response.statusCode;
        let code: string | undefined;
        try {
          code = (response.json() as { error?: { code?: string } }).error?.code;
        } catch {
          code = undefined;
        }
        const cell = table.get(op.key) ?? new Map<Principal, string>();
        cell.set(principal, code === undefined ? String(status) : `${status} ${code}`);
        table.set(op.key, cell);
        const problems: string[] = [];
        const verdict = judge(expectation, status, code);
        if (verdict) problems.push(verdict);
        if (['anonymous', 'borrowerB', 'borrowerC', 'lenderB'].includes(principal)) {
          const sent = `${request.url}\n${bodyText ?? ''}`;
          const leaked = secretsOfA().filter(
            (secret) => !sent.includes(secret) && response.body.includes(secret),
          );
          if (leaked.length > 0) problems.push(`answer shows borrower A's ${leaked.length} identifier(s)`);
        }
        if (before !== undefined && (await viewOfA()) !== before) {
          problems.push("another lender's callback changed borrower A's application or loan");
        }
        if (problems.length > 0) {
          violations.push({
            operation: op.key,
            principal,
            expected: describeExpectation(expectation),
            status,
            code,
            problem: problems.join('; '),
          });
        }
      }
      timeByOperation.set(op.key, performance.now() - started);
    }
    const size = `${ordered.length} operations × ${PRINCIPALS.length} principals = ${cells} requests`;
    const report = [
      `authorization matrix: ${size}; ${violations.length} violations`,
      `authorization matrix: slowest ${[...timeByOperation.entries()]
        .sort(([, a], [, b]) => b - a)
        .slice(0, 6)
        .map(([key, ms]) => `${key} ${Math.round(ms)} ms`)
        .join(', ')}`,
      ...violations.map((v) => `  ✗ ${v.operation} as ${v.principal}: ${v.problem} (expected ${v.expected})`),
    ].join('\n');
    console.log(report);
    if (process.env.MATRIX_VERBOSE) {
      for (const [key, cell] of table) {
        console.log(`  ${key}: ${PRINCIPALS.map((p) => `${p}=${cell.get(p) ?? '-'}`).join(' ')}`);
      }
    }
    expect(cells).toBe(ordered.length * PRINCIPALS.length);
    expect(violations.length, 'authorization violations (see the report above)').toBe(0);
  }, 300_000);

  it('leaves no personal data of the world’s borrowers readable in a log line, a row or a lender call', async () => {
    const sources = [
      logSource('app log', w.logLines),
      logSource('lender calls', w.lenderLog),
      ...(await dumpDatabase(w.t.database.db)),
    ];
    const result = scanForPii(sources, w.secrets);
    console.log(describeScan(result, w.secrets));
    expect(w.logLines.length).toBeGreaterThan(100);
    expect(result.hits).toEqual([]);
  }, 120_000);
});
