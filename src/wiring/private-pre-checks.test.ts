import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { type KyselyPlugin, PostgresQueryCompiler } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../app.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { DEMO_PLATFORM_SERVICE } from '../borrowers/agreement-texts.ts';
import { cardNumberOf, idNumberOf } from '../borrowers/testing.ts';
import { signInTestBorrower } from '../channels/testing.ts';
import { parseConfig } from '../config.ts';
import { createTestDatabase } from '../db/testing.ts';
import { generateKeyPair, type PrivateSigningKey, signResponse } from '../protocol/envelope/index.ts';
import { createLogger } from '../shared/logger.ts';
import { TEST_PASSWORD, TEST_RATE_LIMITS, type TestApp } from '../testing/app.ts';
import { describeScan, type PiiSecret, scanForPii } from '../testing/pii-scan.ts';

/**
 * Private pre-checks end to end (issue 10): a borrower on a phone-keyed whitelist goes entry →
 * offers → apply while every SQL statement the app sends, with its parameters, is captured (a
 * Kysely plugin on the app's database handle: every query, raw `sql` included, is compiled through
 * it). The borrower's phone and id number must appear in none of them — before the fix, the
 * whitelist lookup took the plain phone as a bind parameter on each of the three calls. And the
 * lender receives HMACs it can check by computing them itself under the key it was handed.
 */

const PHONE = '13912340077';
const ID_NUMBER = idNumberOf('310104', '19880512', '077');
const NAME = '林晓雨';
const CARD = cardNumberOf('622202123456789077');
const PHONE_SALT = 'salt-private-pre-checks';

interface Captured {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

describe('private pre-checks: no plain phone or id number reaches the database on entry, offers or apply', () => {
  let t: TestApp;
  let app: App;
  const captured: Captured[] = [];
  let capturing = false;
  const compiler = new PostgresQueryCompiler();
  const capture: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      if (capturing) {
        const compiled = compiler.compileQuery(node, queryId);
        captured.push({ sql: compiled.sql, parameters: compiled.parameters });
      }
      return node;
    },
    transformResult: async ({ result }) => result,
  };

  /** What the lender received, and the key it was handed at registration. */
  const preChecks: Record<string, unknown>[] = [];
  let lenderKey: PrivateSigningKey;
  let preCheckKey: { keyId: string; secret: string };
  let lenderId: string;
  let productId: string;

  // The lender, in process: it recognises the borrower only by recomputing the HMACs itself.
  const lenderFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    const bodyText = typeof init?.body === 'string' ? init.body : '{}';
    let answer: unknown = { accepted: true };
    let status = 202;
    if (url.pathname.endsWith('/pre-check')) {
      const body = JSON.parse(bodyText) as Record<string, unknown>;
      preChecks.push(body);
      const key = Buffer.from(preCheckKey.secret, 'base64');
      const known =
        body.hashKeyId === preCheckKey.keyId &&
        body.phoneHmac === createHmac('sha256', key).update(PHONE).digest('hex') &&
        body.idNumberHmac === createHmac('sha256', key).update(ID_NUMBER).digest('hex');
      status = 200;
      answer = known
        ? { decision: 'accept', indicativeLimitFen: 3_000_000, aprMin: '0.10', aprMax: '0.18' }
        : { decision: 'decline', reason: 'unknown_hash_key' };
    }
    const signed = signResponse({
      request: {
        method: init?.method ?? 'POST',
        path: url.pathname,
        partnerId: headers.get('x-lendgate-partner') ?? '',
        requestId: headers.get('x-lendgate-request-id') ?? randomUUID(),
      },
      status,
      body: answer,
      key: lenderKey,
      nowMs: Date.now(),
    });
    return new Response(signed.body, { status, headers: signed.headers as Record<string, string> });
  };

  beforeAll(async () => {
    const config = parseConfig({ LOG_LEVEL: 'silent', LENDGATE_DEMO: 'false', ...TEST_RATE_LIMITS });
    const handle = await createTestDatabase();
    const masterKey = randomBytes(32);
    app = await createApp({
      config,
      logger: createLogger('silent'),
      database: { ...handle, db: handle.db.withPlugin(capture) },
      clock: () => new Date(),
      masterKey,
      fetch: lenderFetch,
    });
    t = {
      app,
      server: app.server,
      database: handle,
      config,
      masterKey,
      async signIn(roles) {
        const email = `${roles.join('-')}-${randomUUID()}@test.lendgate.local`;
        await app.services.operators.create(
          { email, displayName: email, password: TEST_PASSWORD, roles },
          SYSTEM_ACTOR,
        );
        return (await app.services.operators.signIn(email, TEST_PASSWORD)).token;
      },
      async close() {
        await app.services.outbox.stop();
        await app.services.statusPull.stop();
        await app.server.close();
        await handle.close();
      },
    };
    const { lenders, borrowers, whitelist } = app.services;

    // An active lender with one product, registered through the operator API: its first
    // pre-check key comes in that answer, for the lender to hold.
    const operator = await t.signIn(['operator']);
    const created = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/lenders',
      headers: { authorization: `Bearer ${operator}` },
      payload: {
        code: 'private-bank',
        kind: 'bank',
        legalName: '隐私测试银行股份有限公司',
        licenseType: '金融许可证',
        licenseNumber: 'PRIV-0001',
        contact: { name: '测试联系人', email: 'ops@private-bank.example', phone: '+86 400 000 0000' },
        securityCertification: { level: '等保三级', certificateNumber: 'DJ-PRIV', expiresOn: '2099-12-31' },
        contractReference: 'HT-PRIV',
        dailyApplicationQuota: 100,
        callbackBaseUrl: 'https://private-bank.example/lendgate/',
      },
    });
    expect(created.statusCode).toBe(201);
    const lender = created.json() as { id: string; preCheckKey: { keyId: string; secret: string } };
    lenderId = lender.id;
    preCheckKey = lender.preCheckKey;
    const signing = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
    const encryption = await generateKeyPair('RSA-OAEP-256', {
      notBefore: Date.now() - 60_000,
      modulusLength: 2048,
    });
    lenderKey = signing.privateKey;
    for (const [pair, algorithm, use] of [
      [signing, 'Ed25519', 'signing'],
      [encryption, 'RSA-OAEP-256', 'encryption'],
    ] as const) {
      await lenders.keys.add(
        lenderId,
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
    for (const to of ['under_review', 'sandbox'] as const)
      await lenders.partners.transition(lenderId, { to, reason: 'test' }, SYSTEM_ACTOR);
    const now = new Date();
    await lenders.partners.recordConformanceRun(
      { lenderId, startedAt: now, finishedAt: now, passed: true, report: { suite: 'private pre-checks' } },
      SYSTEM_ACTOR,
    );
    await lenders.partners.transition(lenderId, { to: 'active', reason: 'test' }, SYSTEM_ACTOR);
    const product = await lenders.products.create(
      lenderId,
      {
        code: 'private-cash',
        name: '隐私快贷',
        aprMin: '0.072',
        aprMax: '0.18',
        amountMinFen: 100_000,
        amountMaxFen: 5_000_000,
        termsMonths: [6, 12],
        repaymentMethods: ['equal_installment'],
        dataCategories: ['name', 'id_number', 'phone', 'bank_card'],
        funderId: null,
      },
      SYSTEM_ACTOR,
    );
    productId = product.id;
    for (const to of ['in_review', 'approved'] as const)
      await lenders.products.transition(lenderId, productId, { to, reason: 'test' }, SYSTEM_ACTOR);
    await borrowers.agreements.publish({ kind: 'platform_service', ...DEMO_PLATFORM_SERVICE }, SYSTEM_ACTOR);
    await borrowers.agreements.publishPiAuthorization(
      lenderId,
      {
        categories: ['name', 'id_number', 'phone', 'bank_card'],
        purpose: '贷款申请审核（测试）',
        retention: '5年（测试）',
      },
      SYSTEM_ACTOR,
    );

    // A whitelist keyed by the salted phone hash, as the channel computes it.
    await signInTestBorrower(t, 'phonechan', 'setup-user');
    await whitelist.service.setPhoneSalt('phonechan', PHONE_SALT, SYSTEM_ACTOR);
    const listed = createHash('sha256').update(`${PHONE_SALT}${PHONE}`).digest('hex');
    await whitelist.importer.import(
      'phonechan',
      [`phone_sha256,segment,limit_fen\n${listed},prime,3000000\n`],
      {
        actor: SYSTEM_ACTOR,
        source: 'seed',
        activate: true,
      },
    );
  }, 60_000);
  afterAll(async () => t?.close());

  it('runs entry → offers → apply with hashes only, and the lender recognises the borrower by its own HMAC', async () => {
    const { token } = await signInTestBorrower(t, 'phonechan', 'user-private');
    const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
      const response = await t.server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
      if (response.statusCode >= 300)
        throw new Error(`${method} ${url} → ${response.statusCode} ${response.body}`);
      return response.json();
    };
    capturing = true;
    await call('PUT', '/api/v1/borrower/profile', {
      name: NAME,
      idNumber: ID_NUMBER,
      phone: PHONE,
      bankCard: CARD,
    });
    expect(await call('GET', '/api/v1/borrower/entry')).toMatchObject({ visible: true, segment: 'prime' });
    const offers = (await call('GET', '/api/v1/borrower/offers')) as {
      offers: { productId: string; preCheck: string }[];
    };
    expect(offers.offers).toEqual([expect.objectContaining({ productId, preCheck: 'accepted' })]);
    const texts = (await call('GET', `/api/v1/agreements?lenderId=${lenderId}`)) as {
      items: { id: string; version: number }[];
    };
    await call('POST', '/api/v1/borrower/consents', {
      lenderId,
      agreements: texts.items.map((a) => ({ id: a.id, version: a.version })),
      device: { platform: 'web' },
    });
    const application = (await call('POST', '/api/v1/borrower/applications', {
      productId,
      amountFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
    })) as { id: string; status: string };
    capturing = false;
    expect(application.status).toBe('pre_checked');

    // The pre-check carried the lender's key id and HMACs it computed the same (it accepted).
    expect(preChecks).toHaveLength(1);
    expect(preChecks[0]).toMatchObject({ hashKeyId: preCheckKey.keyId });
    expect(Object.keys(preChecks[0]!).sort()).toEqual(
      ['ageBand', 'amountBandFen', 'hashKeyId', 'idNumberHmac', 'phoneHmac', 'productCode', 'region'].sort(),
    );

    // The capture saw the whole journey: the whitelist lookup (by hash), the pre-check record,
    // the application and its outbox message.
    const statements = captured.map((c) => c.sql).join('\n');
    expect(statements).toContain('whitelist_entry_facts');
    expect(statements).toContain('insert into "pre_check_results"');
    expect(statements).toContain('insert into "applications"');
    const listedHash = createHash('sha256').update(`${PHONE_SALT}${PHONE}`).digest('hex');
    expect(captured.some((c) => c.parameters.includes(listedHash))).toBe(true);

    const secrets: PiiSecret[] = [
      { label: 'phone', value: PHONE },
      { label: 'id number', value: ID_NUMBER },
      { label: 'name', value: NAME },
      { label: 'bank card', value: CARD },
    ];
    const sources = captured.map((c, i) => ({
      where: 'SQL sent',
      row: String(i),
      text: `${c.sql}\n${JSON.stringify(c.parameters, (_key, value) =>
        value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value,
      )}`,
    }));
    const result = scanForPii(sources, secrets);
    expect(captured.length).toBeGreaterThan(20);
    expect(result.hits, describeScan(result, secrets)).toEqual([]);
  });
});
