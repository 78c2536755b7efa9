import { Ajv } from 'ajv';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CALLBACK_KINDS,
  CALLBACK_SCHEMAS,
  generateKeyPair,
  type PrivateSigningKey,
  type PublicSigningKey,
  signRequest,
  staticKeyLookup,
  verifyResponse,
} from '../../protocol/envelope/index.ts';
import type { CallbackHandler } from '../../protocol/inbound.ts';
import { AppError } from '../../shared/errors.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

describe('open API: signed lender callbacks', () => {
  let t: TestApp;
  let lenderKey: PrivateSigningKey;
  let strangerKey: PrivateSigningKey;
  let smKey: PrivateSigningKey;
  const applied: string[] = [];

  beforeAll(async () => {
    const pair = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
    const smPair = await generateKeyPair('SM2-SM3', { notBefore: Date.now() - 60_000 });
    smKey = smPair.privateKey;
    const stranger = await generateKeyPair('Ed25519', {
      notBefore: Date.now() - 60_000,
      kid: pair.publicKey.kid,
    });
    lenderKey = pair.privateKey;
    strangerKey = stranger.privateKey;
    const decision: CallbackHandler = async (_trx, { body, partnerId }) => {
      const { applicationId, apr } = body as { applicationId: string; apr?: string };
      if (applicationId.startsWith('foreign-')) throw new Error('unreachable in these tests');
      // The refusals a real decision handler gives, keyed by the test's ids.
      if (applicationId.startsWith('missing-')) throw new AppError('NOT_FOUND', 'No such application.');
      if (applicationId.startsWith('theirs-')) throw new AppError('FORBIDDEN', 'Not sent to you.');
      if (apr === '0.36') throw new AppError('APR_CAP_EXCEEDED', 'Above the cap.');
      applied.push(`${partnerId}:${applicationId}`);
      return { status: 'applied' };
    };
    t = await createTestApp({
      partnerKeys: staticKeyLookup({
        'lender-a': [pair.publicKey],
        'lender-far': [pair.publicKey],
        'lender-sm': [smPair.publicKey],
      }),
      callbackHandlers: { 'credit-decision': decision },
    });
  });
  afterAll(async () => t.close());

  const decisionBody = (applicationId: string, extra: Record<string, unknown> = {}) => ({
    applicationId,
    decision: 'approved',
    limitFen: 2_000_000,
    apr: '0.18',
    termsMonths: [6, 12],
    methods: ['equal_installment'],
    decidedAt: '2026-11-29T10:00:00Z',
    ...extra,
  });

  function send(
    body: unknown,
    options: { key?: PrivateSigningKey; partnerId?: string; requestId?: string; nowMs?: number } = {},
  ) {
    const path = '/open/v1/callbacks/credit-decision';
    const signed = signRequest({
      method: 'POST',
      path,
      body,
      partnerId: options.partnerId ?? 'lender-a',
      key: options.key ?? lenderKey,
      nowMs: options.nowMs ?? Date.now(),
      ...(options.requestId ? { requestId: options.requestId } : {}),
    });
    return {
      signed,
      response: () =>
        t.server.inject({ method: 'POST', url: path, headers: signed.headers, payload: signed.body }),
    };
  }

  async function rejections(): Promise<string[]> {
    const { rows } = await sql<{ code: string }>`SELECT code FROM protocol_rejections ORDER BY id`.execute(
      t.database.db,
    );
    return rows.map((row) => row.code);
  }

  it('applies a signed callback, signs the answer, and replays it for a repeat (one effect)', async () => {
    const first = send(decisionBody('APP-1'), { requestId: 'cb-1' });
    const response = await first.response();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'applied' });

    const keys = (await t.server.inject({ method: 'GET', url: '/open/v1/keys' })).json().keys;
    const verdict = verifyResponse({
      request: {
        method: 'POST',
        path: '/open/v1/callbacks/credit-decision',
        partnerId: 'lender-a',
        requestId: 'cb-1',
      },
      status: response.statusCode,
      headers: response.headers as Record<string, string>,
      body: response.body,
      keys,
      nowMs: Date.now(),
    });
    expect(verdict.ok).toBe(true);

    // A retry is signed afresh (new nonce and timestamp) with the same request id.
    const retry = await send(decisionBody('APP-1'), { requestId: 'cb-1' }).response();
    expect(retry.statusCode).toBe(200);
    // The same decision resent under a new request id is a repeat of its business id.
    const resent = await send(decisionBody('APP-1')).response();
    expect(resent.statusCode).toBe(200);
    expect(applied.filter((entry) => entry === 'lender-a:APP-1')).toHaveLength(1);
  });

  it('answers every refusal with its own 4xx code, signed, and lets a corrected callback through', async () => {
    const keys = (await t.server.inject({ method: 'GET', url: '/open/v1/keys' })).json().keys;
    const cases = [
      { body: decisionBody('missing-1'), status: 404, code: 'NOT_FOUND' },
      { body: decisionBody('theirs-1'), status: 403, code: 'FORBIDDEN' },
      { body: decisionBody('APP-CAP', { apr: '0.36' }), status: 422, code: 'APR_CAP_EXCEEDED' },
    ];
    for (const [index, expected] of cases.entries()) {
      const requestId = `refused-${index}`;
      for (const attempt of ['first', 'repeat']) {
        const response = await send(expected.body, { requestId }).response();
        expect({ attempt, status: response.statusCode }).toEqual({ attempt, status: expected.status });
        expect(response.json().error).toMatchObject({ code: expected.code, requestId: expect.any(String) });
        const verdict = verifyResponse({
          request: {
            method: 'POST',
            path: '/open/v1/callbacks/credit-decision',
            partnerId: 'lender-a',
            requestId,
          },
          status: response.statusCode,
          headers: response.headers as Record<string, string>,
          body: response.body,
          keys,
          nowMs: Date.now(),
        });
        expect(verdict.ok).toBe(true);
      }
    }
    expect(applied).not.toContain('lender-a:APP-CAP');
    // The lender corrects its price: a new request id about the same application is judged afresh.
    const corrected = await send(decisionBody('APP-CAP', { apr: '0.18' })).response();
    expect(corrected.statusCode).toBe(200);
    expect(applied.filter((entry) => entry === 'lender-a:APP-CAP')).toHaveLength(1);
  });

  it('answers a partner on the 国密 suite signed SM2-SM3', async () => {
    const response = await send(decisionBody('APP-SM'), {
      key: smKey,
      partnerId: 'lender-sm',
      requestId: 'sm-1',
    }).response();
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-lendgate-algorithm']).toBe('SM2-SM3');
    const keys = (await t.server.inject({ method: 'GET', url: '/open/v1/keys' })).json().keys;
    const verdict = verifyResponse({
      request: {
        method: 'POST',
        path: '/open/v1/callbacks/credit-decision',
        partnerId: 'lender-sm',
        requestId: 'sm-1',
      },
      status: response.statusCode,
      headers: response.headers as Record<string, string>,
      body: response.body,
      keys,
      nowMs: Date.now(),
    });
    expect(verdict.ok).toBe(true);
  });

  it('refuses the same request id with a different body as CONFLICT', async () => {
    await send(decisionBody('APP-2'), { requestId: 'cb-2' }).response();
    const changed = await send(decisionBody('APP-2', { limitFen: 9_000_000 }), {
      requestId: 'cb-2',
    }).response();
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error.code).toBe('CONFLICT');
    expect(applied.filter((entry) => entry === 'lender-a:APP-2')).toHaveLength(1);
  });

  it('refuses a bad signature, an expired timestamp, a replayed nonce and an unknown partner, recording each', async () => {
    const before = applied.length;
    const forged = await send(decisionBody('APP-3'), { key: strangerKey }).response();
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.code).toBe('SIGNATURE_INVALID');

    const stale = await send(decisionBody('APP-3'), { nowMs: Date.now() - 6 * 60_000 }).response();
    expect(stale.json().error.code).toBe('TIMESTAMP_OUT_OF_WINDOW');

    const once = send(decisionBody('APP-4'));
    expect((await once.response()).statusCode).toBe(200);
    const replayed = await once.response();
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().error.code).toBe('NONCE_REPLAYED');

    const unknown = await send(decisionBody('APP-5'), { partnerId: 'lender-zz' }).response();
    expect(unknown.json().error.code).toBe('UNKNOWN_PARTNER');

    expect(applied.length).toBe(before + 1);
    expect(await rejections()).toEqual(
      expect.arrayContaining([
        'SIGNATURE_INVALID',
        'TIMESTAMP_OUT_OF_WINDOW',
        'NONCE_REPLAYED',
        'UNKNOWN_PARTNER',
      ]),
    );
  });

  it('refuses a correctly signed callback from an address off the partner allow-list', async () => {
    await t.app.services.lenders.partners.create(
      {
        code: 'lender-far',
        kind: 'bank',
        legalName: 'Far Bank',
        licenseType: '金融许可证',
        licenseNumber: 'FAR-1',
        contact: { name: 'Ops', email: 'ops@far.example', phone: '+86 400 000 0000' },
        dailyApplicationQuota: 10,
        callbackBaseUrl: 'https://far.example',
        ipAllowList: ['203.0.113.0/24'],
      },
      { type: 'system', id: null },
    );
    const before = applied.length;
    const response = await send(decisionBody('APP-FAR'), { partnerId: 'lender-far' }).response();
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('FORBIDDEN');
    expect(applied.length).toBe(before);
    expect(await rejections()).toContain('IP_NOT_ALLOWED');
  });

  it('refuses an unsigned request before looking at its body', async () => {
    const response = await t.server.inject({
      method: 'POST',
      url: '/open/v1/callbacks/credit-decision',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('MALFORMED_ENVELOPE');
  });

  it('validates the body of a correctly signed callback, naming the field', async () => {
    const response = await send(decisionBody('APP-6', { limitFen: -5 })).response();
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details.fields[0].field).toBe('body.limitFen');
  });

  it('publishes the platform keys and lists the callbacks in OpenAPI', async () => {
    const keys = (await t.server.inject({ method: 'GET', url: '/open/v1/keys' })).json()
      .keys as PublicSigningKey[];
    // One signing key per family: Ed25519 for most partners, SM2-SM3 for those on the 国密 suite.
    expect(keys.map((key) => key.alg).sort()).toEqual(['Ed25519', 'SM2-SM3']);
    const openapi = (await t.server.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/open/v1/callbacks/credit-decision',
        '/open/v1/callbacks/disbursement',
        '/open/v1/callbacks/repayment-schedule',
        '/open/v1/callbacks/repayment',
        '/open/v1/callbacks/loan-status',
      ]),
    );
  });
});

describe('open API: the contract as data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({});
  });
  afterAll(async () => t.close());

  it('serves the schemas the callback routes validate with, usable by any JSON Schema library', async () => {
    const response = await t.server.inject('/open/v1/contract');
    expect(response.statusCode).toBe(200);
    const contract = response.json() as {
      callbacks: { kind: string; path: string; body: object }[];
      calls: { kind: string; request: object }[];
      keywords: Record<string, string>;
    };
    expect(contract.callbacks.map((c) => c.path)).toEqual(CALLBACK_KINDS.map((c) => c.path));
    expect(contract.calls.map((c) => c.kind)).toEqual([
      'pre-check',
      'apply',
      'drawdown',
      'repay',
      'status-query',
    ]);
    expect(Object.keys(contract.keywords)).toEqual(
      expect.arrayContaining(['x-increasing', 'x-required-when']),
    );

    // A lender with a plain Ajv (no Lendgate code): the structural rules hold as the platform applies them.
    const decision = contract.callbacks.find((c) => c.kind === 'credit-decision')!.body;
    const plain = new Ajv({ strict: false }).compile(decision);
    const approval = {
      applicationId: 'APP-1',
      decision: 'approved',
      limitFen: 100_000,
      apr: '0.18',
      termsMonths: [12],
      methods: ['equal_installment'],
      decidedAt: '2026-11-29T10:00:00Z',
    };
    expect(plain(approval)).toBe(true);
    expect(plain({ ...approval, limitfen: 1 })).toBe(false);

    // And the OpenAPI document describes each callback route with that same body schema.
    const openapi = (await t.server.inject('/openapi.json')).json() as {
      paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: unknown }> } } }>;
    };
    for (const { kind, path } of CALLBACK_KINDS) {
      const body = openapi.paths[path]?.post?.requestBody?.content['application/json']?.schema;
      expect(body, kind).toMatchObject({ properties: CALLBACK_SCHEMAS[kind].properties });
    }
  });
});
