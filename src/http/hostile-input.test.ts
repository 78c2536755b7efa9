import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeyPair } from '../channels/testing.ts';
import type { PrivateSigningKey } from '../protocol/envelope/index.ts';
import { generateKeyPair, signRequest, staticKeyLookup } from '../protocol/envelope/index.ts';
import { createLogger } from '../shared/logger.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { MAX_REPORTED_ERRORS } from './validation.ts';

/**
 * Hostile input (issue #9): bodies built to make validation expensive or its answer huge, NUL
 * bytes and out-of-range integers that the database would refuse with a 500, and a request id
 * chosen by the caller. Every answer is a 4xx in the one error shape, small, and quick.
 */

const ERROR_SHAPE = {
  error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) },
};

/** About 390 KB: `{"a":{"b":[{},{},…]}}` with 130,000 empty objects where items are expected. */
function nestedArray(path: readonly string[], items = 130_000): string {
  let json = `[${Array(items).fill('{}').join(',')}]`;
  for (const key of [...path].reverse()) json = `{"${key}":${json}}`;
  return json;
}

/** About 430 KB: an object of 40,000 fields nobody asked for. */
const UNKNOWN_FIELDS = `{${Array.from({ length: 40_000 }, (_, i) => `"u${i}":0`).join(',')}}`;

describe('hostile input', () => {
  let t: TestApp;
  let operator: string;
  let borrower: string;
  let lenderKey: PrivateSigningKey;
  const logLines: string[] = [];

  beforeAll(async () => {
    const pair = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
    lenderKey = pair.privateKey;
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({
      logger: createLogger('info', sink),
      partnerKeys: staticKeyLookup({ 'lender-a': [pair.publicKey] }),
    });
    operator = await t.signIn(['admin', 'operator', 'finance', 'compliance']);
    const borrowerId = await t.app.services.borrowerSessions.createBorrower();
    borrower = (await t.app.services.borrowerSessions.open({ borrowerId, channelCode: 'shop' })).token;
  });
  afterAll(async () => t.close());

  const post = (url: string, payload: string, token?: string) =>
    t.server.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload,
    });

  const CONTRACT = '/api/v1/admin/settlement/contracts/lender-a/versions';

  describe('validation amplification', () => {
    it('refuses an anonymous 400 KB body on a guarded route on its headers, without validating it', async () => {
      for (const [url, payload] of [
        [CONTRACT, nestedArray(['terms', 'rules'])],
        ['/api/v1/admin/operators', UNKNOWN_FIELDS],
        ['/api/v1/borrower/profile', nestedArray(['contacts'])],
        ['/api/v1/borrower/consents', nestedArray(['agreements'])],
      ] as const) {
        const method = url === '/api/v1/borrower/profile' ? 'PUT' : 'POST';
        const response = await t.server.inject({
          method,
          url,
          headers: { 'content-type': 'application/json' },
          payload,
        });
        expect(response.statusCode, url).toBe(401);
        expect(response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
        expect(response.rawPayload.length, url).toBeLessThan(1_000);
      }
    });

    it('answers a signed-in caller’s 400 KB of wrong array items with a bounded reply', async () => {
      // Before: 44 MB of errors, one per item, and 3 s of blocked event loop.
      for (const [url, payload, token] of [
        [CONTRACT, nestedArray(['terms', 'rules']), operator],
        ['/api/v1/borrower/consents', nestedArray(['agreements']), borrower],
      ] as const) {
        const response = await post(url, payload, token);
        expect(response.statusCode, url).toBe(400);
        expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
        expect(response.json().error.details.fields.length).toBeLessThanOrEqual(MAX_REPORTED_ERRORS + 1);
        expect(response.rawPayload.length, url).toBeLessThan(5_000);
      }
    });

    it('refuses 400 KB on a public route on its length, before reading or parsing it', async () => {
      for (const url of ['/api/v1/quotes', '/api/v1/admin/sessions', '/api/v1/channels/shop/sessions']) {
        const response = await post(url, UNKNOWN_FIELDS);
        expect(response.statusCode, url).toBe(413);
        expect(response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
      }
    });

    it('answers 40,000 unknown fields with one problem, not 40,000', async () => {
      // Before: 3.6 MB naming every field, anonymous callers included.
      for (const url of ['/api/v1/admin/channels', '/api/v1/admin/operators']) {
        const response = await post(url, UNKNOWN_FIELDS, operator);
        expect(response.statusCode, url).toBe(400);
        expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
        expect(response.json().error.details.fields).toHaveLength(1);
        expect(response.rawPayload.length, url).toBeLessThan(2_000);
      }
    });

    it('still lists every problem of a small body, at most MAX_REPORTED_ERRORS and a count of the rest', async () => {
      const extra = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`extra${i}`, i]));
      const response = await post('/api/v1/quotes', JSON.stringify({ principalFen: 'x', ...extra }));
      expect(response.statusCode).toBe(400);
      const fields = response.json().error.details.fields as { field: string; message: string }[];
      expect(fields).toHaveLength(MAX_REPORTED_ERRORS + 1);
      expect(fields.at(-1)!.message).toMatch(/more problems not listed/);
      expect(fields.map((f) => f.field)).toContain('body.termMonths');
    });

    it('does not echo a 100 KB field name back', async () => {
      const response = await post(
        '/api/v1/admin/channels',
        JSON.stringify({ ['k'.repeat(100_000)]: 1 }),
        operator,
      );
      expect(response.statusCode).toBe(400);
      expect(response.rawPayload.length).toBeLessThan(2_000);
    });

    it('refuses an unsigned callback on its headers, and a signed one above the callback body limit', async () => {
      const unsigned = await post('/open/v1/callbacks/repayment-schedule', nestedArray(['installments']));
      expect(unsigned.statusCode).toBe(400);
      expect(unsigned.json()).toMatchObject({ error: { code: 'MALFORMED_ENVELOPE' } });
      expect(unsigned.rawPayload.length).toBeLessThan(1_000);
      const body = JSON.parse(nestedArray(['installments'])) as unknown;
      const signed = signRequest({
        method: 'POST',
        path: '/open/v1/callbacks/repayment-schedule',
        body,
        partnerId: 'lender-a',
        key: lenderKey,
        nowMs: Date.now(),
      });
      const large = await t.server.inject({
        method: 'POST',
        url: '/open/v1/callbacks/repayment-schedule',
        headers: signed.headers,
        payload: signed.body,
      });
      expect(large.statusCode).toBe(413);
      expect(large.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    });
  });

  describe('NUL bytes', () => {
    const auth = () => ({ authorization: `Bearer ${operator}` });

    it('refuses NUL in a query string, naming the field (PostgreSQL refuses it in text: a 500 before)', async () => {
      for (const url of [
        '/api/v1/admin/audit?action=operator.sign_in%00',
        '/api/v1/admin/audit?targetId=%00',
        '/api/v1/admin/protocol/rejections?partnerId=lender%00a',
        '/api/v1/admin/settlement/ledger/entries?account=a%00',
      ]) {
        const response = await t.server.inject({ method: 'GET', url, headers: auth() });
        expect(response.statusCode, url).toBe(400);
        expect(response.json(), url).toMatchObject(ERROR_SHAPE);
        expect(response.json().error.code).toBe('VALIDATION_FAILED');
        expect(response.json().error.message).toMatch(/^querystring\.\w+ must not contain the NUL character/);
      }
    });

    it('refuses NUL in a JSON body, in a value or a member name', async () => {
      const channel = await t.server.inject({
        method: 'POST',
        url: '/api/v1/admin/channels',
        headers: auth(),
        payload: { code: 'nulshop', name: 'shop\u0000' },
      });
      expect(channel.statusCode).toBe(400);
      expect(channel.json().error.details.fields).toEqual([
        { field: 'body.name', message: 'must not contain the NUL character (\\u0000)' },
      ]);
      const device = await t.server.inject({
        method: 'POST',
        url: '/api/v1/channels/shop/sessions',
        payload: { token: 'eyJhbGciOiJFUzI1NiJ9.e30.sig', device: { 'os\u0000': 'ios' } },
      });
      expect(device.statusCode).toBe(400);
      expect(device.json().error.code).toBe('VALIDATION_FAILED');
    });

    it('refuses a lone UTF-16 surrogate in a JSON body, a value or a member name (jsonb and text refuse it: a 500 before)', async () => {
      // JSON.stringify writes a lone surrogate as the escape "\ud800", which JSON.parse turns back
      // into a string that is not Unicode; found by the fuzz suite.
      for (const name of ['shop\ud800', '\udfff', 'a\udc00b', '\ud83d']) {
        const channel = await t.server.inject({
          method: 'POST',
          url: '/api/v1/admin/channels',
          headers: auth(),
          payload: { code: 'surrogateshop', name },
        });
        expect(channel.statusCode, JSON.stringify(name)).toBe(400);
        expect(channel.json().error.details.fields).toEqual([
          {
            field: 'body.name',
            message: 'must be well-formed Unicode (no lone UTF-16 surrogate such as \\ud800)',
          },
        ]);
      }
      const device = await t.server.inject({
        method: 'POST',
        url: '/api/v1/channels/shop/sessions',
        payload: { token: 'eyJhbGciOiJFUzI1NiJ9.e30.sig', device: { 'os\ud800': 'ios' } },
      });
      expect(device.statusCode).toBe(400);
      // A real pair is a character like any other.
      const emoji = await t.server.inject({
        method: 'POST',
        url: '/api/v1/admin/channels',
        headers: auth(),
        payload: { code: 'emojishop', name: 'shop 😀' },
      });
      expect(emoji.statusCode).toBe(201);
    });

    it('refuses NUL in a path parameter', async () => {
      for (const url of ['/api/v1/admin/channels/sh%00op', '/api/v1/admin/settlement/contracts/lender%00a']) {
        const response = await t.server.inject({ method: 'GET', url, headers: auth() });
        expect(response.statusCode, url).toBe(400);
        expect(response.json().error.code).toBe('VALIDATION_FAILED');
      }
    });

    it('refuses NUL in a signed callback body (jsonb refuses \\u0000: a 500 before)', async () => {
      const body = {
        applicationId: 'APP-NUL',
        decision: 'rejected',
        reason: 'no\u0000',
        decidedAt: '2026-11-29T10:00:00Z',
      };
      const path = '/open/v1/callbacks/credit-decision';
      const signed = signRequest({
        method: 'POST',
        path,
        body,
        partnerId: 'lender-a',
        key: lenderKey,
        nowMs: Date.now(),
      });
      const response = await t.server.inject({
        method: 'POST',
        url: path,
        headers: signed.headers,
        payload: signed.body,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.details.fields).toEqual([
        { field: 'body.reason', message: 'must not contain the NUL character (\\u0000)' },
      ]);
    });

    it('refuses a channel sign-in token whose kid holds a NUL as an unknown key (a 500 before)', async () => {
      const created = await t.server.inject({
        method: 'POST',
        url: '/api/v1/admin/channels',
        headers: auth(),
        payload: { code: 'kidshop', name: 'Kid shop' },
      });
      expect(created.statusCode).toBe(201);
      const key = testKeyPair('ES256', 'kidshop-1');
      expect(
        (
          await t.server.inject({
            method: 'POST',
            url: '/api/v1/admin/channels/kidshop/keys',
            headers: auth(),
            payload: { kid: key.kid, alg: key.alg, jwk: key.publicJwk },
          })
        ).statusCode,
      ).toBe(201);
      const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const kid of ['kidshop-1\u0000', 'k'.repeat(5_000), '../kidshop-1']) {
        const token = `${segment({ alg: 'ES256', kid })}.${segment({ sub: 'u1' })}.${'A'.repeat(86)}`;
        const response = await t.server.inject({
          method: 'POST',
          url: '/api/v1/channels/kidshop/sessions',
          payload: { token },
        });
        expect(response.statusCode).toBe(401);
        expect(response.json()).toMatchObject({
          error: { code: 'CHANNEL_TOKEN_INVALID', details: { reason: 'unknown_key' } },
        });
        expect(response.body).not.toContain('k'.repeat(200));
      }
    });
  });

  describe('out-of-range integers', () => {
    const HUGE = ['1e20', '99999999999999999999', '-1e20', '9007199254740993'];

    it('refuses them in query strings and path parameters (int8 overflow or an unsafe integer before)', async () => {
      const urls = HUGE.flatMap((n) => [
        `/api/v1/admin/audit?beforeId=${n}`,
        `/api/v1/admin/protocol/rejections?beforeId=${n}`,
        `/api/v1/admin/protocol/callbacks?status=refused&beforeId=${n}`,
        `/api/v1/admin/settlement/ledger/entries?beforeSeq=${n}`,
        `/api/v1/admin/settlement/statements/6a1c1d2e-0000-4000-8000-000000000000/lines?afterLineNo=${n}`,
      ]);
      for (const url of urls) {
        const response = await t.server.inject({
          method: 'GET',
          url,
          headers: { authorization: `Bearer ${operator}` },
        });
        expect(response.statusCode, url).toBe(400);
        expect(response.json(), url).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      }
      const resolve = await post(
        '/api/v1/admin/settlement/reconciliations/6a1c1d2e-0000-4000-8000-000000000000/differences/99999999999999999999/resolve',
        JSON.stringify({ note: 'x' }),
        operator,
      );
      expect(resolve.statusCode).toBe(400);
      expect(resolve.json().error.code).toBe('VALIDATION_FAILED');
    });

    it('refuses them in bodies where an integer is declared', async () => {
      for (const version of [1e20, -1e20, 2_147_483_648]) {
        const consent = await post(
          '/api/v1/borrower/consents',
          JSON.stringify({
            lenderId: '6a1c1d2e-0000-4000-8000-000000000000',
            agreements: [{ id: '6a1c1d2e-0000-4000-8000-000000000001', version }],
            device: { platform: 'ios' },
          }),
          borrower,
        );
        expect(consent.statusCode, String(version)).toBe(400);
        expect(consent.json().error.details.fields[0].field).toBe('body.agreements.0.version');
        const body = { loanId: 'L-1', status: 'repaying', version, asOf: '2026-11-29T10:00:00Z' };
        const path = '/open/v1/callbacks/loan-status';
        const signed = signRequest({
          method: 'POST',
          path,
          body,
          partnerId: 'lender-a',
          key: lenderKey,
          nowMs: Date.now(),
        });
        const callback = await t.server.inject({
          method: 'POST',
          url: path,
          headers: signed.headers,
          payload: signed.body,
        });
        expect(callback.statusCode, String(version)).toBe(400);
        expect(callback.json().error.details.fields[0].field).toBe('body.version');
      }
    });
  });

  it('answers a URL that is not valid percent-encoding 400 in the error shape', async () => {
    for (const url of ['/api/v1/admin/%', '/h5/assets/%zz', '/api/v1/quotes%']) {
      const response = await t.server.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toMatchObject({
        error: { code: 'VALIDATION_FAILED', requestId: expect.any(String) },
      });
    }
  });

  it('never takes the request id from the caller: the audit trail keeps the server’s', async () => {
    const email = 'forged-id@test.lendgate.local';
    await t.app.services.operators.create(
      { email, displayName: 'Forged', password: 'test-password-123', roles: ['operator'] },
      { type: 'system', id: null },
    );
    const forged = 'forged-request-id-0001';
    const response = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/sessions',
      headers: { 'x-request-id': forged },
      payload: { email, password: 'test-password-123' },
    });
    expect(response.statusCode).toBe(201);
    const serverId = response.headers['x-request-id'];
    expect(serverId).not.toBe(forged);
    expect(response.headers['x-client-request-id']).toBe(forged);

    const entries = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'request_id'])
      .where('action', '=', 'operator.sign_in')
      .execute();
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.map((entry) => entry.request_id)).not.toContain(forged);
    expect(entries.map((entry) => entry.request_id)).toContain(serverId);
    // The caller's id is kept apart in the logs, next to the server's.
    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.reqId === serverId && line.clientRequestId === forged)).toBe(true);
    expect(lines.some((line) => line.reqId === forged)).toBe(false);
  });
});
