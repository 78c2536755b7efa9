/**
 * Schema-driven fuzz of every operation of /openapi.json, as an anonymous caller, a signed-in
 * borrower, an admin operator and (for /open/v1/*) a lender signing its envelopes — against a
 * realistic world (test/security/world.ts). Each request is built from the operation's schemas and
 * then mutated (test/security/fuzz-gen.ts). Every answer must be below 500, every error must have
 * the one error shape, and a refused request must leave every table's row count as it was
 * (except the tables listed in REFUSAL_WRITES, each with its reason). Afterwards the server is
 * healthy and no personal data of the world's borrowers is readable in any log line or row.
 *
 *   FUZZ_RUNS=60   requests per operation: two thirds as its own principal, a sixth as each other
 *   FUZZ_SEED=9    the seed (printed at the start); rerun with it to replay a failure
 *
 * A larger run: `npx node scripts/fuzz.ts` (FUZZ_RUNS=1000 by default, a new seed each run).
 */
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../src/testing/app.ts';
import { describeScan, dumpDatabase, logSource, scanForPii } from '../../src/testing/pii-scan.ts';
import { bodyArb, bodyPlanArb, type Hints, pathValueArb, queryArb } from './fuzz-gen.ts';
import { fillPath, loadOpenApi, type Operation, operationsOf } from './openapi.ts';
import { AUDIT_MAX_ID, type Counts, changedTables, type RowCounter, rowCounter } from './row-counts.ts';
import { buildWorld, type World } from './world.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
/** Fixed in `npm test` (the same requests every run); scripts/fuzz.ts picks a new one each time. */
const SEED = Number(process.env.FUZZ_SEED ?? 9);

/**
 * What a refused request may write, and why. Anything else a refusal changes is a failure.
 */
const REFUSAL_WRITES: Readonly<Record<string, { readonly reason: string; readonly on: RegExp }>> = {
  audit_log: {
    reason:
      'failed and locked sign-ins, and product APR refusals, are audited in their own transaction ' +
      '(docs/operators.md); the actions are checked against REFUSAL_AUDIT_ACTIONS',
    on: /./,
  },
  protocol_rejections: {
    reason: 'every refused envelope is recorded for operators (docs/journey.md, lender callbacks)',
    on: /^POST \/open\/v1\//,
  },
  protocol_nonces: {
    reason: 'a verified envelope spends its nonce even when its body is then refused: no replay',
    on: /^POST \/open\/v1\//,
  },
  whitelist_versions: {
    reason:
      'a list is imported as a stream: a version is opened before the body is read, and one that fails ' +
      'part-way (a bad line limit, a body that is not gzip, too large) is kept, marked failed, so that ' +
      'operators see why (GET …/imports/{version}); its entries are dropped with it',
    on: /^POST \/api\/v1\/admin\/whitelists\/\{channel\}\/imports$/,
  },
  inbound_messages: {
    reason:
      'a signed callback refused by its handler is recorded with its answer, so that a repeat of the ' +
      'same request gets the same answer (docs/journey.md, idempotency)',
    on: /^POST \/open\/v1\/callbacks\//,
  },
};

/** Audit actions a refused request may append, and on which operations. */
const REFUSAL_AUDIT_ACTIONS: Readonly<Record<string, RegExp>> = {
  // A wrong password counts towards the lock-out, at sign-in and when changing the password.
  'operator.sign_in_failed': /^(POST \/api\/v1\/admin\/sessions|PUT \/api\/v1\/admin\/me\/password)$/,
  'operator.sign_in_locked': /^(POST \/api\/v1\/admin\/sessions|PUT \/api\/v1\/admin\/me\/password)$/,
  'operator.sign_in_refused_locked': /^POST \/api\/v1\/admin\/sessions$/,
  'lender_product.apr_refused': /^(POST|PATCH) \/api\/v1\/admin\/lenders\/\{lenderId\}\/products/,
  // A streamed import that fails part-way keeps its version, marked failed (see REFUSAL_WRITES).
  'whitelist.import.start': /^POST \/api\/v1\/admin\/whitelists\/\{channel\}\/imports$/,
  // Not the refused request's: a conformance run an earlier request started (202) runs in the
  // background and records its end whenever it comes (docs/operations.md, operator-run conformance).
  'lender.conformance_run': /./,
};

/** 503s that are documented outcomes of a missing dependency, by operation key (none so far). */
const DOCUMENTED_503: ReadonlySet<string> = new Set<string>([]);

type Principal = 'anonymous' | 'borrower' | 'admin' | 'lender';

/** Routes that end the caller's own borrower session. */
const SIGN_OUT = /^DELETE \/api\/v1\/borrower\/sessions?(\/current)?$/;

interface Planned {
  readonly principal: Principal;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly mutation: string;
  /** For signed requests: how the envelope was (mis)handled. */
  readonly envelope?: string;
}

interface Failure {
  readonly operation: string;
  readonly problem: string;
  readonly request: string;
  readonly status: number;
  readonly code: string | undefined;
}

function naturalPrincipal(op: Operation): Principal {
  if (op.security.includes('bearerAuth')) return 'admin';
  if (op.security.includes('borrowerAuth')) return 'borrower';
  if (op.path.startsWith('/open/v1/callbacks/')) return 'lender';
  return 'anonymous';
}

/** Order: borrower routes first (admin fuzzing disables channels, switches entries off…), admin last. */
function order(op: Operation): number {
  return { borrower: 0, anonymous: 1, lender: 2, admin: 3 }[naturalPrincipal(op)];
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function hintsFor(op: Operation, w: World): Hints {
  const id = op.path.startsWith('/api/v1/borrower/applications')
    ? [w.a.applicationId]
    : op.path.startsWith('/api/v1/borrower/loans')
      ? [w.a.loanId]
      : op.path.startsWith('/api/v1/borrower/consents')
        ? [w.a.consentId]
        : op.path.startsWith('/api/v1/agreements')
          ? [...w.a.agreementIds]
          : op.path.startsWith('/api/v1/admin/protocol/dead-letters')
            ? [w.deadLetterId]
            : [];
  const openCallback = op.path.startsWith('/open/v1/');
  return {
    id,
    code: ['shop', 'maps'],
    channel: ['shop', 'maps'],
    channelCode: ['shop', 'maps'],
    lenderId: [w.lenders.A.id, w.lenders.B.id],
    productId: [w.lenders.A.productId],
    kid: [w.channelKid, w.lenders.A.signingKid],
    lenderCode: [w.lenders.A.code],
    partnerId: [w.lenders.A.code],
    statementId: w.settlement.statementId ? [w.settlement.statementId] : [],
    runId: [w.settlement.runId],
    differenceId: w.settlement.differenceId ? [w.settlement.differenceId] : [],
    version: [String(w.whitelistVersion)],
    segment: ['prime', 'standard'],
    borrowerId: [w.borrowers.A.borrowerId],
    applicationId: [w.a.applicationId],
    drawdownId: [w.a.drawdownId],
    loanId: openCallback ? [w.a.lenderLoanId] : [w.a.loanId],
    email: ['admin-1@test.lendgate.local'],
    // The profile route gets the borrower's own values: a refusal must not echo them anywhere.
    ...(op.key === 'PUT /api/v1/borrower/profile'
      ? {
          name: [w.borrowers.A.profile.name],
          idNumber: [w.borrowers.A.profile.idNumber],
          phone: [w.borrowers.A.profile.phone],
          bankCard: [w.borrowers.A.profile.bankCard],
        }
      : {}),
  };
}

const CSV_BODIES: readonly { text: string; note: string; encoding?: string }[] = [
  { text: 'channel_user_id,segment,limit_fen\nfuzz-1,prime,100\n', note: 'valid csv' },
  { text: 'channel_user_id,segment,limit_fen\nfuzz-2,prime,-5\n,,\n"unterminated\n', note: 'bad lines' },
  { text: 'phone_sha256,segment,limit_fen\nnot-a-hash,prime,1\n', note: 'bad hash' },
  { text: 'nonsense header\n1,2,3\n', note: 'unknown header' },
  { text: '', note: 'empty csv' },
  { text: '\u0000\u0001\u0002binary', note: 'binary' },
  { text: `channel_user_id,segment,limit_fen\n${'x'.repeat(100_000)},prime,1\n`, note: 'huge cell' },
  {
    text: 'channel_user_id,segment,limit_fen\nfuzz-3,prime,1\n',
    note: 'claims gzip, is not',
    encoding: 'gzip',
  },
  { text: 'channel_user_id,segment,limit_fen\nfuzz-4,prime,1\n', note: 'unknown encoding', encoding: 'br' },
  { text: 'channel_user_id,segment,limit_fen\nfuzz-5,prime,1e20\n', note: 'limit 1e20' },
];

function excerpt(text: string | undefined, length = 160): string {
  if (text === undefined) return '(none)';
  const shown = text.length > length ? `${text.slice(0, length)}… (${text.length} chars)` : text;
  return JSON.stringify(shown);
}

describe('schema-driven fuzz of every operation', () => {
  let w: World;
  let counter: RowCounter;
  let operations: Operation[];
  const failures: Failure[] = [];
  const statuses = new Map<number, number>();
  const perOperation = new Map<string, number>();
  const timeByOperation = new Map<string, number>();
  /** Statuses per operation and principal, printed with FUZZ_VERBOSE=1. */
  const detail = new Map<string, Map<number, number>>();
  let requests = 0;

  beforeAll(async () => {
    console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
    w = await buildWorld({
      env: {
        // Rate limits would answer most of the fuzz 429: the limits have their own tests.
        RATE_LIMIT_SIGN_IN_PER_IP: '0',
        RATE_LIMIT_SIGN_IN_PER_EMAIL: '0',
        SIGN_IN_FAILURES_PER_IP: '0',
        RATE_LIMIT_CHANNEL_SIGN_IN_PER_IP: '0',
        RATE_LIMIT_DEV_TOKENS_PER_IP: '0',
        RATE_LIMIT_OFFERS_PER_BORROWER: '0',
        RATE_LIMIT_QUOTES_PER_IP: '0',
        RATE_LIMIT_OPEN_PER_PARTNER: '0',
        RATE_LIMIT_NOT_FOUND_PER_IP: '0',
      },
    });
    operations = operationsOf(await loadOpenApi(w.t.server)).sort((x, y) => order(x) - order(y));
    counter = await rowCounter(w.t.database.db);
  }, 180_000);
  afterAll(async () => w?.close());

  const arbitraries = new Map<string, ReturnType<typeof buildArbitrary>>();
  function arbitraryFor(op: Operation) {
    let built = arbitraries.get(op.key);
    if (!built) {
      built = buildArbitrary(op);
      arbitraries.set(op.key, built);
    }
    return built;
  }

  function buildArbitrary(op: Operation) {
    const hints = hintsFor(op, w);
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    const csv = op.key === 'POST /api/v1/admin/whitelists/{channel}/imports';
    const arb = fc.record({
      path: fc.tuple(...pathParams.map((p) => pathValueArb(p, hints))),
      query: queryArb(op.parameters, hints),
      body: op.body ? bodyPlanArb(bodyArb(op, hints), op.body.mediaType) : fc.constant(undefined),
      csv: fc.constantFrom(...CSV_BODIES),
      stray: fc.nat(19),
      envelope: fc.nat(9),
      requestIdHeader: fc.constantFrom(
        undefined,
        undefined,
        undefined,
        'fuzz-request-0001',
        'x'.repeat(500),
        '../../etc',
        'ab',
      ),
    });
    return { arb, pathParams, csv };
  }

  type Sample = ReturnType<typeof arbitraryFor>['arb'] extends fc.Arbitrary<infer T> ? T : never;

  /**
   * `n` samples from a seed of its own per operation and principal (adding operations shifts
   * nothing), drawn 50 at a time so that a large run does not hold thousands of bodies at once.
   */
  function* samples(op: Operation, principal: Principal, n: number): Generator<Sample> {
    const { arb } = arbitraryFor(op);
    const seed = SEED ^ hash(`${op.key}|${principal}`);
    for (let offset = 0; offset < n; offset += 50) {
      const started = performance.now();
      const chunk = fc.sample(arb, { seed: (seed + offset * 7919) | 0, numRuns: Math.min(50, n - offset) });
      spent.planMs += performance.now() - started;
      yield* chunk;
    }
  }

  /** The request of one sample, signed (when a lender sends it) just before it is sent. */
  function plan(op: Operation, principal: Principal, s: Sample): Planned {
    const { pathParams, csv } = arbitraryFor(op);
    const values = Object.fromEntries(pathParams.map((p, i) => [p.name, s.path[i]!.value]));
    const url = `${fillPath(op.path, values)}${s.query === '' ? '' : `?${s.query}`}`;
    let body: string | undefined;
    let contentType: string | undefined;
    let mutation: string;
    const headers: Record<string, string> = {};
    if (csv) {
      body = s.csv.text;
      contentType = s.stray === 0 ? 'application/json' : 'text/csv';
      if (s.csv.encoding) headers['content-encoding'] = s.csv.encoding;
      mutation = `csv: ${s.csv.note}`;
    } else if (op.body && s.body) {
      body = s.body.text;
      contentType = s.body.contentType;
      mutation = s.body.mutation;
    } else if (s.stray === 0) {
      body = '{"unexpected":"body"}';
      contentType = 'application/json';
      mutation = 'body on an operation without one';
    } else {
      mutation = 'no body';
    }
    mutation += `; path ${pathParams.map((p, i) => `${p.name}=${s.path[i]!.note}`).join(', ') || '-'}`;
    if (contentType !== undefined && body !== undefined) headers['content-type'] = contentType;
    if (s.requestIdHeader !== undefined) headers['x-request-id'] = s.requestIdHeader;
    if (principal === 'borrower') headers.authorization = `Bearer ${w.borrowers.A.token}`;
    if (principal === 'admin') headers.authorization = `Bearer ${w.operators.admin}`;
    let envelope: string | undefined;
    if (principal === 'lender') {
      let signed: { headers: Record<string, string> } | undefined;
      try {
        signed = w.signed(w.lenders.A, op.method, url, body ?? '');
      } catch {
        // The SDK will not sign a target the verifier refuses (odd characters, too long): send it
        // unsigned, as a broken client would.
        envelope = 'unsignable target';
      }
      Object.assign(headers, signed?.headers ?? {});
      if (contentType !== undefined) headers['content-type'] = contentType;
      else delete headers['content-type'];
      // Most envelopes are right (so that bodies reach validation); some are tampered with.
      const tamper = [
        'ok',
        'ok',
        'ok',
        'ok',
        'ok',
        'ok',
        'no signature',
        'stale',
        'body changed',
        'unknown partner',
      ][s.envelope]!;
      envelope ??= tamper;
      if (tamper === 'no signature') delete headers['x-lendgate-signature'];
      if (tamper === 'stale') headers['x-lendgate-timestamp'] = String(Math.floor(Date.now() / 1000) - 3_600);
      if (tamper === 'unknown partner') headers['x-lendgate-partner'] = 'nobody-xyz';
      if (tamper === 'body changed') body = `${body ?? ''} `;
    }
    return { principal, method: op.method, url, headers, body, mutation, ...(envelope ? { envelope } : {}) };
  }

  const spare: string[] = [];
  let spareAdmin: string | undefined;
  /**
   * A session of a spare admin for the sign-out route. Opening one by password costs a scrypt
   * hash (slow on purpose), so sessions are written as the service writes them (SHA-256 of a
   * random token); the first is checked to authenticate, else the fuzz falls back to signing in.
   */
  async function spareAdminToken(): Promise<string> {
    const { db } = w.t.database;
    if (spareAdmin === undefined) {
      const created = await w.t.app.services.operators.create(
        {
          email: 'spare-admin@fuzz.lendgate.local',
          displayName: 'spare',
          password: TEST_PASSWORD,
          roles: ['admin'],
        },
        { type: 'system', id: null },
      );
      spareAdmin = created.id;
    }
    if (spare.length === 0) {
      const token = randomBytes(32).toString('base64url');
      await db
        .insertInto('operator_sessions')
        .values({
          token_hash: createHash('sha256').update(token).digest('base64url'),
          operator_id: spareAdmin,
          expires_at: new Date(Date.now() + 3_600_000),
          revoked_at: null,
        })
        .execute();
      const me = await w.t.server.inject({
        method: 'GET',
        url: '/api/v1/admin/me',
        headers: { authorization: `Bearer ${token}` },
      });
      spare.push(
        me.statusCode === 200
          ? token
          : (await w.t.app.services.operators.signIn('spare-admin@fuzz.lendgate.local', TEST_PASSWORD)).token,
      );
    }
    return spare[spare.length - 1]!;
  }
  /** After a sign-out answered 204 its token is spent. */
  function spendSpare(): void {
    spare.pop();
  }

  /** What the server logged about a failed request (its error's message and code), for the report. */
  function loggedError(from: number, response: { headers: Record<string, unknown> } | undefined): string {
    const id = response?.headers['x-request-id'];
    for (const line of w.logLines.slice(from)) {
      if (typeof id === 'string' && !line.includes(id)) continue;
      try {
        const entry = JSON.parse(line) as { level?: number; err?: { message?: string; code?: string } };
        if ((entry.level ?? 0) >= 50 && entry.err) {
          return ` — logged: ${entry.err.code ? `${entry.err.code} ` : ''}${(entry.err.message ?? '').slice(0, 160)}`;
        }
      } catch {
        // not a JSON line
      }
    }
    return '';
  }

  /** Row counts as of `mark`: valid for as long as the server's write mark stays at `mark`. */
  let state: { counts: Counts; mark: string };

  const spent = { snapshots: 0, snapshotMs: 0, injectMs: 0, planMs: 0 };
  async function refreshed(): Promise<{ counts: Counts; mark: string; moved: boolean }> {
    const started = performance.now();
    const mark = await counter.writeMark();
    if (mark === state.mark) {
      spent.snapshotMs += performance.now() - started;
      return { ...state, moved: false };
    }
    const counts = await counter.snapshot();
    spent.snapshots += 1;
    spent.snapshotMs += performance.now() - started;
    return { counts, mark, moved: true };
  }

  async function execute(op: Operation, p: Planned): Promise<void> {
    // Signing out must not end the sessions the rest of the fuzz uses: sessions of their own.
    if (op.key === 'DELETE /api/v1/admin/sessions/current' && p.principal === 'admin') {
      p.headers.authorization = `Bearer ${await spareAdminToken()}`;
      state = await refreshed();
    }
    if (SIGN_OUT.test(op.key) && p.principal === 'borrower') {
      const { borrowerId, channelCode } = w.borrowers.A;
      const { token } = await w.t.app.services.borrowerSessions.open({ borrowerId, channelCode });
      p.headers.authorization = `Bearer ${token}`;
      state = await refreshed();
    }
    const before = state.counts;
    const logFrom = w.logLines.length;
    let status = 0;
    let code: string | undefined;
    let problem: string | undefined;
    let response: Awaited<ReturnType<typeof w.t.server.inject>> | undefined;
    const injectStarted = performance.now();
    try {
      response = await w.t.server.inject({
        method: p.method as 'GET',
        url: p.url,
        headers: p.headers,
        ...(p.body === undefined ? {} : { payload: p.body }),
      });
      status = response.statusCode;
      if (op.key === 'DELETE /api/v1/admin/sessions/current' && p.principal === 'admin' && status === 204)
        spendSpare();
    } catch (error) {
      problem = `inject threw: ${(error as Error).message}`;
    }
    spent.injectMs += performance.now() - injectStarted;
    requests += 1;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    perOperation.set(op.key, (perOperation.get(op.key) ?? 0) + 1);
    const line = `${op.key} as ${p.principal}`;
    const counts = detail.get(line) ?? new Map<number, number>();
    counts.set(status, (counts.get(status) ?? 0) + 1);
    detail.set(line, counts);
    if (response && status >= 400) {
      let parsed: { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | undefined;
      try {
        parsed = response.json();
      } catch {
        problem = `error answer is not JSON: ${excerpt(response.body, 100)}`;
      }
      const error = parsed?.error;
      code = typeof error?.code === 'string' ? error.code : undefined;
      if (parsed && !problem) {
        const keys = Object.keys(parsed);
        if (
          keys.length !== 1 ||
          typeof error?.code !== 'string' ||
          !/^[A-Z][A-Z0-9_]*$/.test(error.code) ||
          typeof error.message !== 'string' ||
          typeof error.requestId !== 'string' ||
          error.requestId.length === 0
        ) {
          problem = `error answer without the { error: { code, message, requestId } } shape: ${excerpt(response.body, 200)}`;
        } else if (
          response.headers['x-request-id'] !== undefined &&
          response.headers['x-request-id'] !== error.requestId
        ) {
          problem = `error requestId ${error.requestId} differs from the x-request-id header ${response.headers['x-request-id']}`;
        }
      }
    }
    if (status >= 500 && !(status === 503 && DOCUMENTED_503.has(op.key))) {
      problem = `server error ${status}${problem ? `; ${problem}` : ''}${loggedError(logFrom, response)}`;
    }
    // Whoever is not the operation's own principal, or sends a broken envelope, gets no 2xx.
    const natural = naturalPrincipal(op);
    const protectedOp = natural !== 'anonymous';
    const unentitled =
      protectedOp && (p.principal !== natural || (p.envelope !== undefined && p.envelope !== 'ok'));
    if (response && unentitled && status < 400) {
      problem = `${problem ? `${problem}; ` : ''}answered ${status} to ${p.principal}${
        p.envelope ? ` with envelope ${p.envelope}` : ''
      }: the operation is for ${natural}s only`;
    }
    const next = await refreshed();
    state = { counts: next.counts, mark: next.mark };
    const after = next.counts;
    if ((status >= 400 || status === 0) && next.moved) {
      const changed = changedTables(before, after).filter(({ table }) => {
        const allowed = REFUSAL_WRITES[table];
        return !allowed?.on.test(op.key);
      });
      if (changed.length > 0) {
        problem = `${problem ? `${problem}; ` : ''}refused request changed rows: ${changed
          .map((c) => `${c.table} ${c.before}→${c.after}`)
          .join(', ')}`;
      }
      const versions = (after.get('whitelist_versions') ?? 0) - (before.get('whitelist_versions') ?? 0);
      if (versions > 0) {
        const { rows } = await sql<{ state: string }>`
          SELECT state FROM whitelist_versions ORDER BY created_at DESC, id DESC LIMIT ${versions}`.execute(
          w.t.database.db,
        );
        if (rows.some((r) => r.state !== 'failed')) {
          problem = `${problem ? `${problem}; ` : ''}refused import left a version that is not marked failed`;
        }
      }
      const auditFrom = before.get(AUDIT_MAX_ID) ?? 0;
      if ((after.get(AUDIT_MAX_ID) ?? 0) > auditFrom) {
        const { rows } = await sql<{
          action: string;
        }>`SELECT action FROM audit_log WHERE id > ${auditFrom}`.execute(w.t.database.db);
        const unexpected = rows
          .map((r) => r.action)
          .filter((action) => !REFUSAL_AUDIT_ACTIONS[action]?.test(op.key));
        if (unexpected.length > 0)
          problem = `${problem ? `${problem}; ` : ''}refused request audited ${unexpected.join(', ')}`;
      }
    }
    if (problem) {
      failures.push({
        operation: op.key,
        problem,
        status,
        code,
        request:
          `${p.principal}${p.envelope ? ` (envelope ${p.envelope})` : ''} ${p.method} ${excerpt(p.url, 200)} ` +
          `[${p.mutation}] content-type=${p.headers['content-type'] ?? '(none)'}` +
          `${p.headers['content-encoding'] ? ` content-encoding=${p.headers['content-encoding']}` : ''} body=${excerpt(p.body)}`,
      });
    }
  }

  it(
    'answers every mutated request below 500, in the error shape, writing nothing when it refuses',
    async () => {
      expect(operations.length).toBeGreaterThan(50);
      state = { mark: await counter.writeMark(), counts: await counter.snapshot() };
      for (const op of operations) {
        const natural = naturalPrincipal(op);
        const others: Principal[] = (['anonymous', 'borrower', 'admin'] as const).filter(
          (x) => x !== natural,
        );
        // RUNS requests per operation: two thirds as its own principal, the rest as the others.
        const share = Math.max(1, Math.floor(RUNS / 6));
        const quota: [Principal, number][] = [
          [natural, Math.max(1, RUNS - share * (natural === 'lender' ? 2 : others.length))],
          ...others.map((x): [Principal, number] => [x, share]),
        ];
        const started = performance.now();
        for (const [principal, n] of quota) {
          for (const sample of samples(op, principal, n)) await execute(op, plan(op, principal, sample));
        }
        timeByOperation.set(op.key, performance.now() - started);
      }
      const health = await w.t.server.inject({ method: 'GET', url: '/healthz' });

      const histogram = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
      const fivexx = [...statuses.entries()].filter(([s]) => s >= 500).reduce((sum, [, n]) => sum + n, 0);
      const byOperation = new Map<string, Failure[]>();
      for (const failure of failures)
        byOperation.set(failure.operation, [...(byOperation.get(failure.operation) ?? []), failure]);
      const report = [
        `fuzz: seed ${SEED}, ${RUNS} runs per operation, ${operations.length} operations, ${requests} requests`,
        `fuzz: statuses ${histogram.join(' ')}; 5xx ${fivexx}; failures ${failures.length} in ${byOperation.size} operations`,
        `fuzz: time in requests ${Math.round(spent.injectMs)} ms, in generating them ${Math.round(spent.planMs)} ms, ` +
          `in row counts ${Math.round(spent.snapshotMs)} ms (${spent.snapshots} full counts)`,
        `fuzz: slowest operations ${[...timeByOperation.entries()]
          .sort(([, a], [, b]) => b - a)
          .slice(0, 8)
          .map(([key, ms]) => `${key} ${Math.round(ms)} ms`)
          .join(', ')}`,
        ...[...byOperation.entries()].flatMap(([operation, list]) => [
          `  ✗ ${operation}: ${list.length} failing requests`,
          ...list
            .slice(0, 3)
            .map(
              (f) => `      ${f.status}${f.code ? ` ${f.code}` : ''} — ${f.problem}\n        ${f.request}`,
            ),
        ]),
      ].join('\n');
      console.log(report);
      if (process.env.FUZZ_VERBOSE) {
        for (const [line, counts] of detail) {
          console.log(
            `  ${line}: ${[...counts.entries()]
              .sort(([a], [b]) => a - b)
              .map(([st, n]) => `${st}:${n}`)
              .join(' ')}`,
          );
        }
      }
      expect(health.statusCode, 'the server still answers /healthz').toBe(200);
      expect(Math.min(...operations.map((op) => perOperation.get(op.key) ?? 0))).toBeGreaterThanOrEqual(RUNS);
      expect(failures.length, `failing requests (see the report above)`).toBe(0);
    },
    Math.max(120_000, RUNS * 4_000),
  );

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
