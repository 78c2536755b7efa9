import { describe, expect, it } from 'vitest';
import {
  ED25519_A_PRIVATE,
  ED25519_A_PUBLIC,
  RSA_SIGN_PRIVATE,
  RSA_SIGN_PUBLIC,
  TEST_EPOCH_MS,
} from './__fixtures__/test-keys.ts';
import { ENVELOPE_HEADERS } from './headers.ts';
import { InMemoryNonceStore } from './nonce-store.ts';
import { type AnsweredRequest, signRequest, signResponse } from './sign.ts';
import { staticKeyLookup, verifyRequest } from './verify-request.ts';
import { verifyResponse } from './verify-response.ts';

const NOW = TEST_EPOCH_MS + 3_600_000;
const REQUEST: AnsweredRequest = {
  method: 'POST',
  path: '/v1/lender/pre-check',
  partnerId: 'lender-demo',
  requestId: 'req-7',
};
const ANSWER = { decision: 'accept', limitFen: 2_000_000 };

function answer(status = 200, request = REQUEST) {
  return signResponse({ request, status, body: ANSWER, key: RSA_SIGN_PRIVATE, nowMs: NOW });
}

function check(
  signed: { headers: Record<string, string>; body: string },
  overrides: { status?: number; request?: AnsweredRequest; nowMs?: number } = {},
) {
  return verifyResponse({
    request: overrides.request ?? REQUEST,
    status: overrides.status ?? 200,
    headers: signed.headers,
    body: signed.body,
    keys: [RSA_SIGN_PUBLIC],
    nowMs: overrides.nowMs ?? NOW,
  });
}

describe('signed responses', () => {
  it('verify against the request they answer', () => {
    expect(check(answer())).toEqual({
      ok: true,
      keyId: RSA_SIGN_PUBLIC.kid,
      alg: 'RSA-SHA256',
      timestamp: NOW / 1000,
    });
  });

  it('cannot have their status changed', () => {
    expect(check(answer(200), { status: 409 })).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('cannot be moved to another request', () => {
    expect(check(answer(), { request: { ...REQUEST, path: '/v1/lender/apply' } })).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
    expect(check(answer(), { request: { ...REQUEST, requestId: 'req-8' } })).toMatchObject({
      code: 'MALFORMED_ENVELOPE',
    });
  });

  it('cannot have their body changed', () => {
    const signed = answer();
    expect(check({ ...signed, body: signed.body.replace('accept', 'decline') })).toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
  });

  it('are refused outside the time window', () => {
    expect(check(answer(), { nowMs: NOW + 301_000 })).toMatchObject({ code: 'TIMESTAMP_OUT_OF_WINDOW' });
  });

  it('are never accepted as requests, even though they carry the same headers and key', async () => {
    const signed = signResponse({
      request: REQUEST,
      status: 200,
      body: ANSWER,
      key: ED25519_A_PRIVATE,
      nowMs: NOW,
    });
    const asRequest = await verifyRequest({
      method: REQUEST.method,
      path: REQUEST.path,
      headers: signed.headers,
      body: signed.body,
      keys: staticKeyLookup({ [REQUEST.partnerId]: [ED25519_A_PUBLIC] }),
      nonces: new InMemoryNonceStore(),
      nowMs: NOW,
    });
    expect(asRequest).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('and requests are never accepted as responses', () => {
    const signed = signRequest({ ...REQUEST, body: ANSWER, key: RSA_SIGN_PRIVATE, nowMs: NOW });
    expect(check(signed)).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('echo the partner and request id in their headers', () => {
    const signed = answer();
    expect(signed.headers[ENVELOPE_HEADERS.requestId]).toBe('req-7');
    expect(signed.canonical.split('\n').slice(0, 4)).toEqual([
      'LENDGATE-RESPONSE-V1',
      '200',
      'POST',
      '/v1/lender/pre-check',
    ]);
  });

  it('refuse an invalid status', () => {
    expect(() => answer(99)).toThrow(/status/);
  });
});
