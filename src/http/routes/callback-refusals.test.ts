import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit-log.ts';
import { DEMO_PLATFORM_SERVICE } from '../../borrowers/agreement-texts.ts';
import { cardNumberOf, idNumberOf } from '../../borrowers/testing.ts';
import { signInTestBorrower } from '../../channels/testing.ts';
import { quoteLoan } from '../../money/index.ts';
import {
  type CallbackKind,
  callbackPath,
  generateKeyPair,
  type PrivateSigningKey,
  type PublicKeyRecord,
  signRequest,
  signResponse,
  verifyResponse,
} from '../../protocol/envelope/index.ts';
import { chinaDate } from '../../shared/china-date.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { CALLBACK_BODY_LIMIT_BYTES } from './open.ts';

/**
 * Every refusal of a lender callback (docs/protocol.md, "Refusals of callbacks"), kind by kind,
 * against the real handlers over the real database (issue #10): each refused callback is answered
 * with its documented status and code, signed with a key the platform publishes, changes no row
 * anywhere (a refusal the pipeline keeps is one `refused` row under its own request id, nothing
 * else), and the corrected callback that follows under a new request id is applied.
 *
 * The application is brought to each state by the real services: a borrower signs in through a
 * channel, gets lender A's offer (its pre-check answered in process), consents, applies, draws
 * down and repays over HTTP; lender A decides, disburses, schedules and reports by signed
 * callbacks. Lender B is registered with keys of its own and plays the other lender. The kinds run
 * in order, each on the state the one before left.
 */

interface Lender {
  readonly id: string;
  readonly code: string;
  readonly key: PrivateSigningKey;
}

/** One refused callback: why, and what the platform must answer. */
interface Refusal {
  readonly reason: string;
  readonly status: number;
  readonly code: ErrorCode;
  /** Whether the pipeline keeps the refusal under its request id (it then answers a repeat from it). */
  readonly kept: boolean;
  /** The JSON body, signed as is... */
  readonly body?: unknown;
  /** ...or the exact bytes to sign and send instead. */
  readonly bodyText?: string;
  readonly contentType?: string;
  /** Defaults to a fresh request id. */
  readonly requestId?: string;
  /** Defaults to lender A. */
  readonly from?: Lender;
  /** Brings the platform to the state the refusal needs; returns how to undo it (after the check). */
  readonly arrange?: () => Promise<() => Promise<void>>;
}

describe('callback refusals, kind by kind, against the real handlers', () => {
  let t: TestApp;
  let platformKeys: PublicKeyRecord[];
  let lenderA: Lender;
  let lenderB: Lender;
  let productId: string;
  let borrowerToken: string;
  /** The application carried through decision, drawdown, disbursement, schedule and repayment. */
  let applicationId: string;
  /** A second application of the same borrower, cancelled before any decision. */
  let cancelledId: string;
  let drawdownId: string;
  let loanId: string;
  const lenderLoanId = 'LA-LOAN-0001';
  const today = chinaDate(new Date());

  beforeAll(async () => {
    const signingKeys = new Map<string, PrivateSigningKey>();
    // Lender A's endpoint, in process: its pre-check accepts; any other call is acknowledged.
    const lenderFetch: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers = new Headers(init?.headers);
      const partnerId = headers.get('x-lendgate-partner') ?? '';
      const key = signingKeys.get(partnerId);
      if (!key) return new Response('{}', { status: 404 });
      const signed = signResponse({
        request: {
          method: init?.method ?? 'GET',
          path: url.pathname + url.search,
          partnerId,
          requestId: headers.get('x-lendgate-request-id') ?? '',
        },
        status: 200,
        body: url.pathname.endsWith('/pre-check')
          ? { decision: 'accept', indicativeLimitFen: 3_000_000, aprMin: '0.10', aprMax: '0.18' }
          : { accepted: true },
        key,
        nowMs: Date.now(),
      });
      return new Response(signed.body, { status: 200, headers: signed.headers as Record<string, string> });
    };
    t = await createTestApp({ fetch: lenderFetch });
    const { lenders, borrowers, whitelist } = t.app.services;

    async function lender(label: 'a' | 'b'): Promise<Lender> {
      const code = `refusals-${label}`;
      const created = await lenders.partners.create(
        {
          code,
          kind: 'bank',
          legalName: `拒绝测试银行${label.toUpperCase()}股份有限公司`,
          licenseType: '金融许可证',
          licenseNumber: `REF-${label}-0001`,
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
      const keys: [
        { readonly publicKey: { readonly kid: string; readonly publicKeyPem: string } },
        'Ed25519' | 'RSA-OAEP-256',
        'signing' | 'encryption',
      ][] = [[signing, 'Ed25519', 'signing']];
      // Only lender A is applied to: the borrower's data is encrypted for it.
      if (label === 'a') {
        const encryption = await generateKeyPair('RSA-OAEP-256', {
          notBefore: Date.now() - 60_000,
          modulusLength: 2048,
        });
        keys.push([encryption, 'RSA-OAEP-256', 'encryption']);
      }
      for (const [pair, algorithm, use] of keys) {
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
      signingKeys.set(code, signing.privateKey);
      return { id: created.id, code, key: signing.privateKey };
    }
    lenderA = await lender('a');
    lenderB = await lender('b');

    // Lender A goes live with one product, its texts published.
    for (const to of ['under_review', 'sandbox'] as const) {
      await lenders.partners.transition(lenderA.id, { to, reason: 'refusals test' }, SYSTEM_ACTOR);
    }
    const now = new Date();
    await lenders.partners.recordConformanceRun(
      { lenderId: lenderA.id, startedAt: now, finishedAt: now, passed: true, report: { suite: 'refusals' } },
      SYSTEM_ACTOR,
    );
    await lenders.partners.transition(lenderA.id, { to: 'active', reason: 'refusals test' }, SYSTEM_ACTOR);
    const partner = await lenders.partners.findByCode(lenderA.code);
    const product = await lenders.products.create(
      lenderA.id,
      {
        code: 'refusals-cash',
        name: '拒绝测试快贷',
        aprMin: '0.072',
        aprMax: '0.18',
        amountMinFen: 100_000,
        amountMaxFen: 5_000_000,
        termsMonths: [6, 12],
        repaymentMethods: ['equal_installment'],
        dataCategories: ['name', 'id_number', 'phone'],
        funderId: partner?.funders[0]?.id ?? null,
      },
      SYSTEM_ACTOR,
    );
    for (const to of ['in_review', 'approved'] as const) {
      await lenders.products.transition(
        lenderA.id,
        product.id,
        { to, reason: 'refusals test' },
        SYSTEM_ACTOR,
      );
    }
    productId = product.id;
    await borrowers.agreements.publish({ kind: 'platform_service', ...DEMO_PLATFORM_SERVICE }, SYSTEM_ACTOR);
    await borrowers.agreements.publishPiAuthorization(
      lenderA.id,
      {
        categories: ['name', 'id_number', 'phone'],
        purpose: '贷款申请审核（测试）',
        retention: '5年（测试）',
      },
      SYSTEM_ACTOR,
    );
    await borrowers.agreements.publish(
      {
        kind: 'lender_loan_agreement',
        lenderId: lenderA.id,
        title: '借款合同（测试）',
        text: '测试借款合同 v1',
      },
      SYSTEM_ACTOR,
    );

    // A whitelisted borrower with a profile, pre-approved by lender A, consents and applies twice.
    const session = await signInTestBorrower(t, 'shop', 'refusals-user');
    borrowerToken = session.token;
    await whitelist.importer.import(
      'shop',
      ['channel_user_id,segment,limit_fen\nrefusals-user,prime,5000000\n'],
      {
        actor: SYSTEM_ACTOR,
        source: 'seed',
        activate: true,
      },
    );
    await borrowerCall('PUT', '/api/v1/borrower/profile', {
      name: '欧阳娜娜',
      idNumber: idNumberOf('310104', '19880512', '345'),
      phone: '13912345670',
      bankCard: cardNumberOf('622202123456789012'),
    });
    const { offers } = await borrowerCall<{ offers: { productId: string; preCheck: string }[] }>(
      'GET',
      '/api/v1/borrower/offers',
    );
    expect(offers).toContainEqual(expect.objectContaining({ productId, preCheck: 'accepted' }));
    const texts = await borrowerCall<{ items: { id: string; version: number }[] }>(
      'GET',
      `/api/v1/agreements?lenderId=${lenderA.id}`,
    );
    await borrowerCall('POST', '/api/v1/borrower/consents', {
      lenderId: lenderA.id,
      agreements: texts.items.map((a) => ({ id: a.id, version: a.version })),
      device: { platform: 'web' },
    });
    const apply = () =>
      borrowerCall<{ id: string }>('POST', '/api/v1/borrower/applications', {
        productId,
        amountFen: 1_000_000,
        termMonths: 12,
        method: 'equal_installment',
      });
    applicationId = (await apply()).id;
    await t.app.services.applications.applyAcknowledged(applicationId);
    cancelledId = (await apply()).id;
    await borrowerCall('POST', `/api/v1/borrower/applications/${cancelledId}/cancel`);

    platformKeys = (await t.server.inject({ method: 'GET', url: '/open/v1/keys' })).json().keys;
  }, 60_000);
  afterAll(async () => t?.close());

  async function borrowerCall<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: Record<string, unknown>,
  ): Promise<T> {
    const response = await t.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${borrowerToken}` },
      ...(payload === undefined ? {} : { payload }),
    });
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url} → ${response.statusCode} ${response.body}`);
    return response.json() as T;
  }

  /** Sends one callback signed by `from` over HTTP; the answer's signature is checked too. */
  async function send(
    kind: CallbackKind,
    message: { body?: unknown; bodyText?: string; contentType?: string; requestId: string; from?: Lender },
  ) {
    const from = message.from ?? lenderA;
    const path = callbackPath(kind);
    const signed = signRequest({
      method: 'POST',
      path,
      ...(message.bodyText === undefined ? { body: message.body } : { bodyText: message.bodyText }),
      partnerId: from.code,
      key: from.key,
      requestId: message.requestId,
      nowMs: Date.now(),
    });
    const headers = Object.fromEntries(
      Object.entries(signed.headers as Record<string, string>).map(([name, value]) => [
        name.toLowerCase(),
        value,
      ]),
    );
    if (message.contentType) headers['content-type'] = message.contentType;
    const response = await t.server.inject({ method: 'POST', url: path, headers, payload: signed.body });
    const verdict = verifyResponse({
      request: { method: 'POST', path, partnerId: from.code, requestId: message.requestId },
      status: response.statusCode,
      headers: response.headers as Record<string, string>,
      body: response.body,
      keys: platformKeys,
      nowMs: Date.now(),
    });
    return { status: response.statusCode, json: response.json(), signed: verdict.ok };
  }

  /** Every row of every table (the nonces excepted: accepting a nonce is the point of the envelope). */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const { rows: tables } = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'protocol_nonces'
      ORDER BY table_name`.execute(t.database.db);
    const columns = tables.map(
      ({ name }) =>
        sql`(SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY to_jsonb(x)::text), '[]'::jsonb) FROM ${sql.table(name)} x) AS ${sql.ref(name)}`,
    );
    const { rows } = await sql<Record<string, unknown[]>>`SELECT ${sql.join(columns)}`.execute(t.database.db);
    return rows[0]!;
  }

  /**
   * Nothing changed between the snapshots, but for the one `refused` row a kept refusal adds under
   * its own request id.
   */
  function expectUnchanged(
    before: Record<string, unknown[]>,
    after: Record<string, unknown[]>,
    refusal: Refusal,
    requestId: string,
  ) {
    const known = new Set(before.inbound_messages!.map((row) => JSON.stringify(row)));
    const added = after.inbound_messages!.filter((row) => !known.has(JSON.stringify(row)));
    const partner = (refusal.from ?? lenderA).code;
    const seen = before.inbound_messages!.some(
      (row) =>
        (row as { partner_id: string }).partner_id === partner &&
        (row as { request_id: string }).request_id === requestId,
    );
    expect(added, refusal.reason).toEqual(
      refusal.kept && !seen
        ? [
            expect.objectContaining({
              partner_id: partner,
              request_id: requestId,
              status: 'refused',
              response_status: refusal.status,
              response_body: { error: expect.objectContaining({ code: refusal.code }) },
            }),
          ]
        : [],
    );
    expect({
      reason: refusal.reason,
      ...after,
      inbound_messages: after.inbound_messages!.filter((row) => !added.includes(row)),
    }).toEqual({ reason: refusal.reason, ...before });
  }

  let sequence = 0;
  /** Sends each refusal twice (a retry gets the same answer) and checks that nothing changed. */
  async function expectRefused(kind: CallbackKind, refusals: readonly Refusal[]) {
    for (const refusal of refusals) {
      const undo = await refusal.arrange?.();
      const before = await snapshot();
      sequence += 1;
      const requestId = refusal.requestId ?? `${kind}-refused-${sequence}`;
      for (const attempt of ['first', 'retry']) {
        const answer = await send(kind, { ...refusal, requestId });
        expect({
          reason: refusal.reason,
          attempt,
          status: answer.status,
          code: answer.json.error?.code,
        }).toEqual({
          reason: refusal.reason,
          attempt,
          status: refusal.status,
          code: refusal.code,
        });
        expect({ reason: refusal.reason, signed: answer.signed }).toEqual({
          reason: refusal.reason,
          signed: true,
        });
      }
      expectUnchanged(before, await snapshot(), refusal, requestId);
      await undo?.();
    }
  }

  /** The refusals any callback route gives before its handler runs, for a valid body of the kind. */
  function atTheRoute(valid: unknown): Refusal[] {
    return [
      {
        reason: 'the verified body is not JSON',
        status: 400,
        code: 'MALFORMED_JSON',
        kept: false,
        bodyText: JSON.stringify(valid).slice(0, -1),
      },
      {
        reason: 'the body is not sent as application/json',
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        kept: false,
        body: valid,
        contentType: 'text/plain; charset=utf-8',
      },
      {
        reason: 'the body is larger than 256 KiB',
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        kept: false,
        bodyText: JSON.stringify({ ...(valid as object), padding: 'x'.repeat(CALLBACK_BODY_LIMIT_BYTES) }),
      },
      {
        reason: 'a field the contract does not know',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: false,
        body: { ...(valid as object), extra: 1 },
      },
    ];
  }

  /**
   * A partner may have at most 1,000 callbacks waiting: with its room full, one that would wait is
   * refused. The room is filled in the database (1,000 signed callbacks would take seconds).
   */
  const roomFull = async () => {
    const receivedAt = new Date();
    await sql`
      INSERT INTO inbound_messages (partner_id, request_id, kind, business_id, body_sha256, body, status,
        response_status, response_body, received_at, waiting_for)
      SELECT ${lenderA.code}, 'filler-' || n, 'loan-status', 'LA-NEVER-' || n || ':1', 'x', '{}'::jsonb, 'deferred',
        202, '{"status":"deferred","waitingFor":"disbursement of loan LA-NEVER"}'::jsonb, ${receivedAt},
        'disbursement of loan LA-NEVER'
      FROM generate_series(1, 1000) AS n`.execute(t.database.db);
    return async () => {
      await sql`DELETE FROM inbound_messages WHERE request_id LIKE 'filler-%'`.execute(t.database.db);
    };
  };

  const application = (id: string) =>
    t.database.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('credit-decision: refused for each reason, then the corrected decision is applied', async () => {
    const approval = (extra: Record<string, unknown> = {}) => ({
      applicationId,
      decision: 'approved',
      limitFen: 2_000_000,
      apr: '0.15',
      termsMonths: [6, 12],
      methods: ['equal_installment'],
      validUntil: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      decidedAt: new Date().toISOString(),
      ...extra,
    });
    const { limitFen: _limit, apr: _apr, ...withoutPrice } = approval();
    await expectRefused('credit-decision', [
      ...atTheRoute(approval()),
      {
        reason: 'a limit below one fen',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: false,
        body: approval({ limitFen: 0 }),
      },
      {
        reason: 'an approval without limitFen and apr',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: false,
        body: withoutPrice,
      },
      {
        reason: 'no such application (a UUID)',
        status: 404,
        code: 'NOT_FOUND',
        kept: true,
        body: approval({ applicationId: randomUUID() }),
      },
      {
        reason: 'no such application (an id of another shape)',
        status: 404,
        code: 'NOT_FOUND',
        kept: true,
        body: approval({ applicationId: 'app_0001' }),
      },
      {
        reason: 'the application was sent to another lender',
        status: 403,
        code: 'FORBIDDEN',
        kept: true,
        body: approval(),
        from: lenderB,
      },
      {
        reason: 'an approval above the 24% all-in APR',
        status: 422,
        code: 'APR_CAP_EXCEEDED',
        kept: true,
        body: approval({ apr: '0.36' }),
        requestId: 'decision-above-cap',
      },
      {
        reason: 'the borrower cancelled the application',
        status: 409,
        code: 'INVALID_STATE',
        kept: true,
        body: approval({ applicationId: cancelledId }),
      },
    ]);
    await expectRefused('credit-decision', [
      {
        reason: 'the corrected decision under the refused request id',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: approval(),
        requestId: 'decision-above-cap',
      },
    ]);
    expect(await application(applicationId)).toMatchObject({ status: 'sent', approved_apr: null });

    const applied = await send('credit-decision', { body: approval(), requestId: 'decision-1' });
    expect(applied).toEqual({ status: 200, json: { status: 'applied' }, signed: true });
    expect(await application(applicationId)).toMatchObject({
      status: 'approved',
      approved_limit_fen: 2_000_000,
      approved_terms: [6, 12],
    });

    await expectRefused('credit-decision', [
      {
        reason: 'another decision about the decided application',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: approval({ limitFen: 3_000_000 }),
      },
      {
        reason: 'the applied request id with another body',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: approval({ decision: 'rejected' }),
        requestId: 'decision-1',
      },
    ]);
  });

  it('disbursement: refused for each reason, then the corrected disbursement is applied', async () => {
    const terms = { amountFen: 1_000_000, termMonths: 12, method: 'equal_installment' };
    await borrowerCall('POST', `/api/v1/borrower/applications/${applicationId}/disclosure`, terms);
    ({ drawdownId } = await borrowerCall<{ drawdownId: string }>(
      'POST',
      `/api/v1/borrower/applications/${applicationId}/drawdowns`,
      { ...terms, disclosureAccepted: true },
    ));
    const disbursed = (extra: Record<string, unknown> = {}) => ({
      drawdownId,
      applicationId,
      loanId: lenderLoanId,
      status: 'succeeded',
      principalFen: 1_000_000,
      disbursedAt: new Date().toISOString(),
      startDate: today,
      ...extra,
    });
    await expectRefused('disbursement', [
      ...atTheRoute(disbursed()),
      {
        reason: 'a principal of zero',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: false,
        body: disbursed({ principalFen: 0 }),
      },
      {
        reason: 'no such drawdown (a UUID)',
        status: 404,
        code: 'NOT_FOUND',
        kept: true,
        body: disbursed({ drawdownId: randomUUID() }),
      },
      {
        reason: 'no such drawdown (an id of another shape)',
        status: 404,
        code: 'NOT_FOUND',
        kept: true,
        body: disbursed({ drawdownId: 'dd_0001' }),
      },
      {
        reason: 'the drawdown was sent to another lender',
        status: 403,
        code: 'FORBIDDEN',
        kept: true,
        body: disbursed(),
        from: lenderB,
      },
      {
        reason: 'the applicationId is not the drawdown’s',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: true,
        body: disbursed({ applicationId: cancelledId }),
      },
      {
        reason: 'a principal other than the drawdown’s',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: true,
        body: disbursed({ principalFen: 900_000 }),
        requestId: 'disbursement-short',
      },
    ]);
    await expectRefused('disbursement', [
      {
        reason: 'the corrected disbursement under the refused request id',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: disbursed(),
        requestId: 'disbursement-short',
      },
    ]);

    const applied = await send('disbursement', { body: disbursed(), requestId: 'disbursement-1' });
    expect(applied).toEqual({
      status: 200,
      json: { status: 'applied', loanId: expect.any(String) },
      signed: true,
    });
    loanId = applied.json.loanId;
    expect(await application(applicationId)).toMatchObject({ status: 'disbursed' });
    expect(
      await t.database.db.selectFrom('loans').selectAll().where('id', '=', loanId).executeTakeFirstOrThrow(),
    ).toMatchObject({ lender_loan_id: lenderLoanId, principal_fen: 1_000_000, status: 'repaying' });

    await expectRefused('disbursement', [
      {
        reason: 'a failure reported for the disbursed drawdown',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: disbursed({ status: 'failed', reason: 'account closed' }),
      },
      {
        reason: 'the applied request id with another body',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: disbursed({ disbursedAt: '2026-01-01T00:00:00Z' }),
        requestId: 'disbursement-1',
      },
    ]);
  });

  it('repayment-schedule: refused for each reason, then the corrected schedule is applied', async () => {
    const quoted = quoteLoan({
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
    const schedule = (installments = quoted, extra: Record<string, unknown> = {}) => ({
      loanId: lenderLoanId,
      version: 1,
      installments,
      ...extra,
    });
    const [first, second, ...rest] = quoted;
    await expectRefused('repayment-schedule', [
      ...atTheRoute(schedule()),
      {
        reason: 'version 0',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: false,
        body: schedule(quoted, { version: 0 }),
      },
      {
        reason: 'installments not numbered 1, 2, 3…',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: false,
        body: schedule([second!, first!, ...rest]),
      },
      {
        reason: 'a principal other than the loan’s',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: true,
        body: schedule(
          quoted.map((row, i) => (i === 0 ? { ...row, principalFen: row.principalFen + 1 } : row)),
        ),
      },
      {
        reason: 'a due date that is not a monthly due date of the start date',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: true,
        body: schedule(quoted.map((row, i) => (i === 0 ? { ...row, dueDate: today } : row))),
      },
      {
        reason: 'a price above the 24% all-in APR',
        status: 422,
        code: 'APR_CAP_EXCEEDED',
        kept: true,
        body: schedule(quoted.map((row) => ({ ...row, feeFen: 20_000 }))),
        requestId: 'schedule-above-cap',
      },
      {
        reason: 'it would wait (no such loan yet) while 1,000 callbacks already wait',
        status: 409,
        code: 'PREREQUISITE_MISSING',
        kept: true,
        body: schedule(quoted, { loanId: 'LA-LOAN-LATER' }),
        arrange: roomFull,
      },
    ]);
    await expectRefused('repayment-schedule', [
      {
        reason: 'the corrected schedule under the refused request id',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: schedule(),
        requestId: 'schedule-above-cap',
      },
    ]);

    const applied = await send('repayment-schedule', { body: schedule(), requestId: 'schedule-1' });
    expect(applied).toEqual({ status: 200, json: { status: 'applied' }, signed: true });
    const installments = await t.database.db
      .selectFrom('loan_installments')
      .select(['period', 'due_date', 'principal_fen', 'interest_fen'])
      .where('loan_id', '=', loanId)
      .orderBy('period')
      .execute();
    expect(installments).toEqual(
      quoted.map((row) => ({
        period: row.period,
        due_date: row.dueDate,
        principal_fen: row.principalFen,
        interest_fen: row.interestFen,
      })),
    );
    expect(await application(applicationId)).toMatchObject({ status: 'repaying' });

    await expectRefused('repayment-schedule', [
      {
        reason: 'the applied version with other installments',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: schedule(quoted.map((row, i) => (i === 0 ? { ...row, status: 'paid', paidFen: 1 } : row))),
      },
      {
        reason: 'the applied request id with another body',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: schedule(quoted, { version: 2 }),
        requestId: 'schedule-1',
      },
    ]);
  });

  it('repayment: refused for each reason, then the corrected repayment is applied', async () => {
    const { repaymentId, amountFen } = await borrowerCall<{ repaymentId: string; amountFen: number }>(
      'POST',
      `/api/v1/borrower/loans/${loanId}/repayments`,
      { kind: 'installment', periods: [1] },
    );
    const due = await t.database.db
      .selectFrom('loan_installments')
      .selectAll()
      .where('loan_id', '=', loanId)
      .where('period', '=', 1)
      .executeTakeFirstOrThrow();
    expect(due.principal_fen + due.interest_fen).toBe(amountFen);
    const repaid = (extra: Record<string, unknown> = {}) => ({
      loanId: lenderLoanId,
      repaymentId: 'LA-RP-0001',
      paidAt: new Date().toISOString(),
      principalFen: due.principal_fen,
      interestFen: due.interest_fen,
      feeFen: 0,
      penaltyFen: 0,
      periods: [1],
      earlyPayoff: false,
      ...extra,
    });
    await expectRefused('repayment', [
      ...atTheRoute(repaid()),
      {
        reason: 'a negative principal',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: false,
        body: repaid({ principalFen: -1 }),
      },
      {
        reason: 'periods not increasing',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: false,
        body: repaid({ periods: [2, 1] }),
      },
      {
        reason: 'it would wait (no such loan yet) while 1,000 callbacks already wait',
        status: 409,
        code: 'PREREQUISITE_MISSING',
        kept: true,
        body: repaid({ loanId: 'LA-LOAN-LATER' }),
        arrange: roomFull,
        requestId: 'repayment-waits',
      },
    ]);
    await expectRefused('repayment', [
      {
        reason: 'the corrected repayment under the refused request id',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: repaid(),
        requestId: 'repayment-waits',
      },
    ]);

    const applied = await send('repayment', { body: repaid(), requestId: 'repayment-1' });
    expect(applied).toEqual({ status: 200, json: { status: 'applied' }, signed: true });
    expect(
      await t.database.db
        .selectFrom('loan_repayments')
        .select(['lender_repayment_id', 'principal_fen', 'interest_fen', 'periods'])
        .where('loan_id', '=', loanId)
        .execute(),
    ).toEqual([
      {
        lender_repayment_id: 'LA-RP-0001',
        principal_fen: due.principal_fen,
        interest_fen: due.interest_fen,
        periods: [1],
      },
    ]);
    expect(
      await t.database.db
        .selectFrom('repayment_requests')
        .select('status')
        .where('id', '=', repaymentId)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'completed' });

    await expectRefused('repayment', [
      {
        reason: 'the applied repayment id with other amounts',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: repaid({ interestFen: due.interest_fen + 1 }),
      },
      {
        reason: 'the applied request id with another body',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: repaid({ repaymentId: 'LA-RP-0002' }),
        requestId: 'repayment-1',
      },
    ]);
  });

  it('loan-status: refused for each reason, then the corrected status is applied', async () => {
    const status = (extra: Record<string, unknown> = {}) => ({
      loanId: lenderLoanId,
      status: 'overdue',
      version: 1,
      asOf: new Date().toISOString(),
      ...extra,
    });
    await expectRefused('loan-status', [
      ...atTheRoute(status()),
      {
        reason: 'a status the contract does not know',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: false,
        body: status({ status: 'closed' }),
      },
      {
        reason: 'version 0',
        status: 400,
        code: 'VALIDATION_FAILED',
        kept: false,
        body: status({ version: 0 }),
      },
      {
        reason: 'it would wait (no such loan yet) while 1,000 callbacks already wait',
        status: 409,
        code: 'PREREQUISITE_MISSING',
        kept: true,
        body: status({ loanId: 'LA-LOAN-LATER' }),
        arrange: roomFull,
        requestId: 'status-waits',
      },
    ]);
    await expectRefused('loan-status', [
      {
        reason: 'the corrected status under the refused request id',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: status(),
        requestId: 'status-waits',
      },
    ]);

    const applied = await send('loan-status', { body: status(), requestId: 'status-1' });
    expect(applied).toEqual({ status: 200, json: { status: 'applied' }, signed: true });
    expect(
      await t.database.db
        .selectFrom('loans')
        .select(['status', 'status_version'])
        .where('id', '=', loanId)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'overdue', status_version: 1 });
    expect(await application(applicationId)).toMatchObject({ status: 'overdue' });

    await expectRefused('loan-status', [
      {
        reason: 'the applied version with another status',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: status({ status: 'repaying' }),
      },
      {
        reason: 'the applied request id with another body',
        status: 409,
        code: 'CONFLICT',
        kept: false,
        body: status({ version: 2 }),
        requestId: 'status-1',
      },
    ]);
  });
});
