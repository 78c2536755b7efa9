/**
 * A realistic world for the security suites (fuzz, authorization matrix, PII scan): one app over
 * its own database, two channels, three borrowers with profiles (A and B on `shop`, C on `maps`),
 * two active lenders with signing and encryption keys answering pre-checks in process, borrower A's
 * application approved, drawn and disbursed by lender A into a loan with a schedule, an operator
 * of every role, a settlement contract, statement and reconciliation run, and a dead letter.
 *
 * Lenders are played in process: the app's `fetch` answers pre-checks (and any other call) signed
 * with the lender's key, and lender callbacks are signed envelopes sent over `server.inject`.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../src/audit/audit-log.ts';
import { DEMO_PLATFORM_SERVICE } from '../../src/borrowers/agreement-texts.ts';
import { cardNumberOf, idNumberOf } from '../../src/borrowers/testing.ts';
import { signInTestBorrower, signTestToken, testKeyPair } from '../../src/channels/testing.ts';
import { DEMO_STEPS, seedDemo } from '../../src/demo/seed.ts';
import { quoteLoan } from '../../src/money/index.ts';
import type { OperatorRole } from '../../src/operators/roles.ts';
import {
  generateKeyPair,
  type PrivateSigningKey,
  signRequest,
  signResponse,
} from '../../src/protocol/envelope/index.ts';
import { chinaDate } from '../../src/shared/china-date.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createTestApp, type TestApp } from '../../src/testing/app.ts';
import type { PiiSecret } from '../../src/testing/pii-scan.ts';

export const ROLES: readonly OperatorRole[] = ['admin', 'operator', 'finance', 'compliance'];

export interface BorrowerFixture {
  readonly key: 'A' | 'B' | 'C';
  readonly channelCode: string;
  readonly channelUserId: string;
  readonly borrowerId: string;
  readonly token: string;
  readonly profile: {
    readonly name: string;
    readonly idNumber: string;
    readonly phone: string;
    readonly bankCard: string;
    readonly contacts: readonly { name: string; phone: string; relation: string }[];
  };
}

export interface LenderFixture {
  readonly id: string;
  readonly code: string;
  readonly productId: string;
  readonly signingKey: PrivateSigningKey;
  readonly signingKid: string;
  readonly encryptionKid: string;
}

export interface World {
  readonly t: TestApp;
  readonly logLines: string[];
  /** What the in-process lenders received (bodies of the platform's calls), for the PII scan. */
  readonly lenderLog: string[];
  readonly borrowers: {
    readonly A: BorrowerFixture;
    readonly B: BorrowerFixture;
    readonly C: BorrowerFixture;
  };
  readonly lenders: { readonly A: LenderFixture; readonly B: LenderFixture };
  readonly operators: Readonly<Record<OperatorRole, string>>;
  /** Borrower A's resources. */
  readonly a: {
    readonly applicationId: string;
    readonly drawdownId: string;
    readonly loanId: string;
    readonly lenderLoanId: string;
    readonly consentId: string;
    readonly agreementIds: readonly string[];
  };
  readonly settlement: {
    readonly statementId: string | null;
    readonly runId: string;
    readonly differenceId: string | null;
  };
  readonly deadLetterId: string;
  readonly whitelistVersion: number;
  /** A key of channel `shop` (for the revoke route). */
  readonly channelKid: string;
  /** A fresh sign-in token of channel `shop` for `channelUserId`, as the channel signs it. */
  channelToken(channelUserId: string): Promise<string>;
  /** Every personal value planted in the world, for the PII scan. */
  readonly secrets: readonly PiiSecret[];
  /** Headers and body of a request signed as `lender`. */
  signed(
    lender: LenderFixture,
    method: string,
    url: string,
    bodyText: string,
    requestId?: string,
  ): { headers: Record<string, string>; body: string };
  close(): Promise<void>;
}

const PROFILES = {
  A: {
    name: '欧阳娜娜',
    idNumber: idNumberOf('310104', '19880512', '345'),
    phone: '13912345670',
    bankCard: cardNumberOf('622202123456789012'),
    contacts: [{ name: '司马懿', phone: '13900002222', relation: 'parent' }],
  },
  B: {
    name: '诸葛孔明',
    idNumber: idNumberOf('440106', '19910203', '456'),
    phone: '13712340001',
    bankCard: cardNumberOf('621700123456780011'),
    contacts: [{ name: '黄月英', phone: '13600003333', relation: 'spouse' }],
  },
  C: {
    name: '上官婉儿',
    idNumber: idNumberOf('510107', '19950817', '567'),
    phone: '15812340002',
    bankCard: cardNumberOf('436742123456780022'),
    contacts: [{ name: '武则天', phone: '18600004444', relation: 'friend' }],
  },
} as const;

export interface WorldOptions {
  /** Log level of the captured app logs. */
  readonly logLevel?: 'debug' | 'info';
  readonly env?: Record<string, string>;
}

export async function buildWorld(options: WorldOptions = {}): Promise<World> {
  const logLines: string[] = [];
  const lenderLog: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const lenderKeys = new Map<string, PrivateSigningKey>();

  // The lenders' endpoints: every call of the platform is answered, signed, by the lender it was
  // addressed to (pre-checks accept; other calls are acknowledged).
  const fakeFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    const partnerId = headers.get('x-lendgate-partner') ?? '';
    const requestId = headers.get('x-lendgate-request-id') ?? randomUUID();
    const bodyText = typeof init?.body === 'string' ? init.body : '';
    lenderLog.push(`${partnerId} ${url.pathname} ${bodyText}\n`);
    const key = lenderKeys.get(partnerId);
    if (!key) return new Response('{}', { status: 404 });
    const answer = url.pathname.endsWith('/pre-check')
      ? { decision: 'accept', indicativeLimitFen: 3_000_000, aprMin: '0.10', aprMax: '0.18' }
      : { status: 'accepted' };
    const signed = signResponse({
      request: { method: init?.method ?? 'GET', path: url.pathname + url.search, partnerId, requestId },
      status: 200,
      body: answer,
      key,
      nowMs: Date.now(),
    });
    return new Response(signed.body, { status: 200, headers: signed.headers as Record<string, string> });
  };

  const t = await createTestApp({
    // Demo mode, as `npm start` runs on the embedded database: the dev token route is served too.
    env: { LOG_LEVEL: options.logLevel ?? 'info', LENDGATE_DEMO: 'true', ...options.env },
    logger: createLogger(options.logLevel ?? 'info', stream),
    fetch: fakeFetch,
  });
  const { lenders, borrowers, whitelist } = t.app.services;

  // scrypt runs off the main thread: the four accounts are made at once.
  const tokens = await Promise.all(ROLES.map((role) => t.signIn([role])));
  const operators = Object.fromEntries(ROLES.map((role, i) => [role, tokens[i]!])) as Record<
    OperatorRole,
    string
  >;

  // Platform texts once; each lender its authorization and loan agreement.
  await borrowers.agreements.publish({ kind: 'platform_service', ...DEMO_PLATFORM_SERVICE }, SYSTEM_ACTOR);

  async function lender(label: 'a' | 'b'): Promise<LenderFixture> {
    const code = `lender-${label}`;
    const created = await lenders.partners.create(
      {
        code,
        kind: 'bank',
        legalName: `安全测试银行${label.toUpperCase()}股份有限公司`,
        licenseType: '金融许可证',
        licenseNumber: `SEC-${label}-0001`,
        contact: { name: '测试联系人', email: `ops@${code}.example`, phone: '+86 400 000 0000' },
        securityCertification: {
          level: '等保三级',
          certificateNumber: `DJ-${label}`,
          expiresOn: '2099-12-31',
        },
        contractReference: `HT-${label}`,
        dailyApplicationQuota: 1_000,
        callbackBaseUrl: `https://${code}.example/lendgate/`,
      },
      SYSTEM_ACTOR,
    );
    const signing = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
    const encryption = await generateKeyPair('RSA-OAEP-256', {
      notBefore: Date.now() - 60_000,
      modulusLength: 2048,
    });
    for (const [pair, algorithm, use] of [
      [signing, 'Ed25519', 'signing'],
      [encryption, 'RSA-OAEP-256', 'encryption'],
    ] as const) {
      await lenders.keys.add(
        created.id,
        {
          kid: pair.publicKey.kid,
          algorithm,
          use,
          publicKeyPem: pair.publicKey.publicKeyPem,
          notBefore: new Date(Date.now() - 60_000),
        },
        SYSTEM_ACTOR,
      );
    }
    lenderKeys.set(code, signing.privateKey);
    for (const to of ['under_review', 'sandbox'] as const) {
      await lenders.partners.transition(created.id, { to, reason: 'security suite' }, SYSTEM_ACTOR);
    }
    const now = new Date();
    await lenders.partners.recordConformanceRun(
      { lenderId: created.id, startedAt: now, finishedAt: now, passed: true, report: { suite: 'security' } },
      SYSTEM_ACTOR,
    );
    await lenders.partners.transition(created.id, { to: 'active', reason: 'security suite' }, SYSTEM_ACTOR);
    const product = await lenders.products.create(
      created.id,
      {
        code: `${code}-cash`,
        name: `${label.toUpperCase()}快贷`,
        aprMin: '0.072',
        aprMax: '0.18',
        amountMinFen: 100_000,
        amountMaxFen: 5_000_000,
        termsMonths: [6, 12],
        repaymentMethods: ['equal_installment', 'equal_principal'],
        dataCategories: ['name', 'id_number', 'phone', 'bank_card', 'contacts'],
        funderId: created.funders[0]?.id ?? null,
      },
      SYSTEM_ACTOR,
    );
    for (const to of ['in_review', 'approved'] as const) {
      await lenders.products.transition(
        created.id,
        product.id,
        { to, reason: 'security suite' },
        SYSTEM_ACTOR,
      );
    }
    await borrowers.agreements.publishPiAuthorization(
      created.id,
      {
        categories: ['name', 'id_number', 'phone', 'bank_card', 'contacts'],
        purpose: '贷款申请审核（安全测试）',
        retention: '5年（测试）',
      },
      SYSTEM_ACTOR,
    );
    await borrowers.agreements.publish(
      {
        kind: 'lender_loan_agreement',
        lenderId: created.id,
        title: '借款合同（测试）',
        text: '测试借款合同 v1',
      },
      SYSTEM_ACTOR,
    );
    return {
      id: created.id,
      code,
      productId: product.id,
      signingKey: signing.privateKey,
      signingKid: signing.publicKey.kid,
      encryptionKid: encryption.publicKey.kid,
    };
  }
  const lenderA = await lender('a');
  const lenderB = await lender('b');

  // The demo channels (shop, maps, resale) with their sealed demo keys, for the dev token route;
  // borrowers sign in through them with keys of their own.
  await seedDemo(
    t.database.db,
    () => new Date(),
    DEMO_STEPS.filter((step) => step.name === 'channels-v1'),
    t.masterKey,
  );
  const sessions: Record<'A' | 'B' | 'C', { token: string; borrowerId: string }> = {
    A: await signInTestBorrower(t, 'shop', 'user-a'),
    B: await signInTestBorrower(t, 'shop', 'user-b'),
    C: await signInTestBorrower(t, 'maps', 'user-c'),
  };
  const imported = await whitelist.importer.import(
    'shop',
    ['channel_user_id,segment,limit_fen\nuser-a,prime,5000000\nuser-b,prime,5000000\n'],
    { actor: SYSTEM_ACTOR, source: 'seed', activate: true },
  );
  await whitelist.importer.import('maps', ['channel_user_id,segment,limit_fen\nuser-c,standard,2000000\n'], {
    actor: SYSTEM_ACTOR,
    source: 'seed',
    activate: true,
  });
  const whitelistVersion = imported.version.version;
  const channelKey = testKeyPair('EdDSA', `security-${randomUUID()}`);
  await t.app.services.channels.keys.add(
    'shop',
    { kid: channelKey.kid, alg: channelKey.alg, jwk: channelKey.publicJwk },
    SYSTEM_ACTOR,
  );
  const channelKid = channelKey.kid;

  const fixture = (key: 'A' | 'B' | 'C', channelCode: string, channelUserId: string): BorrowerFixture => ({
    key,
    channelCode,
    channelUserId,
    borrowerId: sessions[key].borrowerId,
    token: sessions[key].token,
    profile: PROFILES[key],
  });
  const borrowerFixtures = {
    A: fixture('A', 'shop', 'user-a'),
    B: fixture('B', 'shop', 'user-b'),
    C: fixture('C', 'maps', 'user-c'),
  };

  async function call(
    token: string,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
    expected: readonly number[] = [200, 201, 202],
  ): Promise<Record<string, unknown>> {
    const response = await t.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    if (!expected.includes(response.statusCode)) {
      throw new Error(`world: ${method} ${url} → ${response.statusCode} ${response.body.slice(0, 500)}`);
    }
    return response.json() as Record<string, unknown>;
  }

  const signed: World['signed'] = (lenderFixture, method, url, bodyText, requestId) => {
    const message = signRequest({
      method,
      path: url,
      bodyText,
      partnerId: lenderFixture.code,
      key: lenderFixture.signingKey,
      nowMs: Date.now(),
      ...(requestId ? { requestId } : {}),
    });
    // Lower-case names, so that a caller setting its own content-type replaces the SDK's.
    const headers = Object.fromEntries(
      Object.entries(message.headers as Record<string, string>).map(([name, value]) => [
        name.toLowerCase(),
        value,
      ]),
    );
    return { headers, body: message.body };
  };
  async function callback(
    lenderFixture: LenderFixture,
    kind: string,
    body: unknown,
  ): Promise<Record<string, unknown>> {
    const url = `/open/v1/callbacks/${kind}`;
    const message = signed(lenderFixture, 'POST', url, JSON.stringify(body));
    const response = await t.server.inject({
      method: 'POST',
      url,
      headers: message.headers,
      payload: message.body,
    });
    if (response.statusCode !== 200 && response.statusCode !== 202) {
      throw new Error(`world: callback ${kind} → ${response.statusCode} ${response.body}`);
    }
    return response.json() as Record<string, unknown>;
  }

  // Every borrower has a full profile; A and B see lender A's offer.
  for (const b of Object.values(borrowerFixtures)) {
    await call(b.token, 'PUT', '/api/v1/borrower/profile', b.profile);
  }
  const A = borrowerFixtures.A;
  // The pre-check shares an 800 ms budget: on a loaded machine the first may time out. Retry.
  for (let attempt = 1; ; attempt += 1) {
    const offers = (await call(A.token, 'GET', '/api/v1/borrower/offers')) as {
      offers: { productId: string; preCheck: string }[];
    };
    if (offers.offers.some((o) => o.productId === lenderA.productId && o.preCheck === 'accepted')) break;
    if (attempt === 5) {
      throw new Error(`world: lender A did not pre-approve borrower A: ${JSON.stringify(offers)}`);
    }
  }
  await call(borrowerFixtures.B.token, 'GET', '/api/v1/borrower/offers');
  const texts = (await call(A.token, 'GET', `/api/v1/agreements?lenderId=${lenderA.id}`)) as {
    items: { id: string; version: number }[];
  };
  const consent = (await call(A.token, 'POST', '/api/v1/borrower/consents', {
    lenderId: lenderA.id,
    agreements: texts.items.map((a) => ({ id: a.id, version: a.version })),
    device: { platform: 'web' },
  })) as { id: string };
  const application = (await call(A.token, 'POST', '/api/v1/borrower/applications', {
    productId: lenderA.productId,
    amountFen: 1_000_000,
    termMonths: 12,
    method: 'equal_installment',
  })) as { id: string };
  await t.app.services.applications.applyAcknowledged(application.id);
  await callback(lenderA, 'credit-decision', {
    applicationId: application.id,
    decision: 'approved',
    limitFen: 2_000_000,
    apr: '0.15',
    termsMonths: [6, 12],
    methods: ['equal_installment'],
    validUntil: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    decidedAt: new Date().toISOString(),
  });
  const terms = { amountFen: 1_000_000, termMonths: 12, method: 'equal_installment' };
  await call(A.token, 'POST', `/api/v1/borrower/applications/${application.id}/disclosure`, terms);
  const drawdown = (await call(A.token, 'POST', `/api/v1/borrower/applications/${application.id}/drawdowns`, {
    ...terms,
    disclosureAccepted: true,
  })) as { drawdownId: string };
  const today = new Date().toISOString().slice(0, 10);
  const lenderLoanId = 'LA-LOAN-0001';
  await callback(lenderA, 'disbursement', {
    drawdownId: drawdown.drawdownId,
    applicationId: application.id,
    loanId: lenderLoanId,
    status: 'succeeded',
    principalFen: 1_000_000,
    disbursedAt: new Date().toISOString(),
    startDate: today,
  });
  const installments = quoteLoan({
    principalFen: 1_000_000,
    termMonths: 12,
    method: 'equal_installment',
    annualRate: '0.15',
    startDate: today,
  }).installments.map((row) => ({
    period: row.period,
    dueDate: row.dueDate,
    principalFen: row.principalFen,
    interestFen: row.interestFen,
    feeFen: row.feeFen,
    penaltyFen: 0,
    paidFen: 0,
    status: 'pending',
  }));
  await callback(lenderA, 'repayment-schedule', { loanId: lenderLoanId, version: 1, installments });
  const loans = (await call(A.token, 'GET', '/api/v1/borrower/loans')) as { items: { id: string }[] };
  const loanId = loans.items[0]?.id;
  if (!loanId) throw new Error('world: borrower A has no loan');

  // Settlement: a contract, last month's statement, a reconciliation run with one difference.
  const finance = operators.finance;
  await call(finance, 'POST', `/api/v1/admin/settlement/contracts/${lenderA.code}/versions`, {
    effectiveFrom: chinaDate(new Date()),
    reference: 'HT-SEC-1',
    terms: {
      rules: [
        { channels: null, referral: { type: 'fixed', fen: 5000 }, service: { interestBps: 1500, feeBps: 0 } },
      ],
    },
  });
  const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 15))
    .toISOString()
    .slice(0, 7);
  const statement = await t.server.inject({
    method: 'POST',
    url: '/api/v1/admin/settlement/statements',
    headers: { authorization: `Bearer ${finance}` },
    payload: { lenderCode: lenderA.code, month: lastMonth },
  });
  const statementId = statement.statusCode < 300 ? ((statement.json() as { id: string }).id ?? null) : null;
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const header =
    'type,business_id,loan_id,application_id,occurred_at,amount_fen,principal_fen,interest_fen,fee_fen,penalty_fen';
  const run = (await call(finance, 'POST', '/api/v1/admin/settlement/reconciliations', {
    lenderCode: lenderA.code,
    date: yesterday,
    fileName: 'recon.csv',
    content: `${header}\r\nrepayment,rp-x,LX,APPX,${yesterday}T02:00:00.000Z,100,100,0,0,0\r\n`,
  })) as { id: string };
  const shown = (await call(finance, 'GET', `/api/v1/admin/settlement/reconciliations/${run.id}`)) as {
    differences: { id: string }[];
  };

  // A dead letter: the apply call of A's application, given up on.
  const apply = await t.database.db
    .selectFrom('outbox_messages')
    .select('id')
    .where('call', '=', 'apply')
    .executeTakeFirstOrThrow();
  await sql`UPDATE outbox_messages SET status = 'dead' WHERE id = ${apply.id}`.execute(t.database.db);

  const secrets: PiiSecret[] = [];
  for (const b of Object.values(borrowerFixtures)) {
    const p = b.profile;
    secrets.push(
      { label: `${b.key}.name`, value: p.name },
      { label: `${b.key}.idNumber`, value: p.idNumber },
      { label: `${b.key}.phone`, value: p.phone },
      { label: `${b.key}.bankCard`, value: p.bankCard },
    );
    for (const [i, c] of p.contacts.entries()) {
      secrets.push({ label: `${b.key}.contacts[${i}].name`, value: c.name });
      secrets.push({ label: `${b.key}.contacts[${i}].phone`, value: c.phone });
    }
  }

  return {
    t,
    logLines,
    lenderLog,
    borrowers: borrowerFixtures,
    lenders: { A: lenderA, B: lenderB },
    operators,
    a: {
      applicationId: application.id,
      drawdownId: drawdown.drawdownId,
      loanId,
      lenderLoanId,
      consentId: consent.id,
      agreementIds: texts.items.map((a) => a.id),
    },
    settlement: { statementId, runId: run.id, differenceId: shown.differences[0]?.id ?? null },
    deadLetterId: String(apply.id),
    whitelistVersion,
    channelKid,
    channelToken: (channelUserId) => signTestToken(channelKey, 'shop', { sub: channelUserId }),
    secrets,
    signed,
    close: () => t.close(),
  };
}
