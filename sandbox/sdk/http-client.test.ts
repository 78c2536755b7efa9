import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ED25519_A_PRIVATE,
  ED25519_A_PUBLIC,
  ED25519_B_PRIVATE,
  ED25519_B_PUBLIC,
} from './__fixtures__/test-keys.ts';
import { ResponseVerificationError, sendCallback, sendSignedRequest } from './http-client.ts';
import { InMemoryNonceStore } from './nonce-store.ts';
import { signResponse } from './sign.ts';
import { staticKeyLookup, verifyRequest } from './verify-request.ts';

// A stand-in for the platform: verifies the lender's signature with the lender key (A) and signs its
// answer with the platform key (B).
const lenderKeys = staticKeyLookup({ 'lender-demo': [ED25519_A_PUBLIC] });
const nonces = new InMemoryNonceStore();
const seen: { method: string; path: string; body: string }[] = [];

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const path = req.url ?? '/';
  if (path.startsWith('/hang')) return; // never answers: exercises the timeout
  seen.push({ method: req.method ?? '', path, body: body.toString('utf8') });
  const verdict = await verifyRequest({
    method: req.method ?? '',
    path,
    headers: req.headers,
    body,
    keys: lenderKeys,
    nonces,
    nowMs: Date.now(),
  });
  const status = verdict.ok ? 200 : 401;
  const answer = verdict.ok ? { received: true } : { error: verdict.code };
  const requestId = verdict.ok ? verdict.requestId : String(req.headers['x-lendgate-request-id']);
  const signed = signResponse({
    request: { method: req.method ?? '', path, partnerId: 'lender-demo', requestId },
    status,
    body: answer,
    key: path.includes('forged') ? ED25519_A_PRIVATE : ED25519_B_PRIVATE,
    nowMs: Date.now(),
  });
  res.writeHead(status, signed.headers).end(signed.body);
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const options = { partnerId: 'lender-demo', key: ED25519_A_PRIVATE, responseKeys: [ED25519_B_PUBLIC] };

describe('sendCallback over real HTTP', () => {
  it('signs and posts; the platform verifies it and the signed answer verifies', async () => {
    const result = await sendCallback(
      baseUrl,
      '/v1/callbacks/credit-decision?v=1',
      { decision: 'approved' },
      {
        ...options,
        requestId: 'cb-1',
      },
    );
    expect(result).toMatchObject({
      status: 200,
      requestId: 'cb-1',
      body: { received: true },
      responseVerified: true,
    });
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      path: '/v1/callbacks/credit-decision?v=1',
      body: '{"decision":"approved"}',
    });
  });

  it('signs the path exactly as fetch percent-encodes it', async () => {
    const result = await sendSignedRequest(baseUrl, 'GET', '/v1/status/应用 1?q=a b', undefined, options);
    expect(result.status).toBe(200);
    expect(seen.at(-1)?.path).toBe('/v1/status/%E5%BA%94%E7%94%A8%201?q=a%20b');
  });

  it('throws when the answer is not signed by a key it trusts', async () => {
    const call = sendCallback(baseUrl, '/v1/forged', { a: 1 }, options);
    await expect(call).rejects.toBeInstanceOf(ResponseVerificationError);
    await expect(sendCallback(baseUrl, '/v1/forged', { a: 1 }, options)).rejects.toMatchObject({
      code: 'UNKNOWN_KEY',
      status: 200,
    });
  });

  it('returns an error status as a result, for the caller to decide about retrying', async () => {
    const result = await sendCallback(
      baseUrl,
      '/v1/x',
      { a: 1 },
      { ...options, key: { ...ED25519_B_PRIVATE, kid: ED25519_A_PRIVATE.kid } },
    );
    expect(result).toMatchObject({ status: 401, body: { error: 'SIGNATURE_INVALID' } });
  });

  it('gives up after the timeout', async () => {
    const started = Date.now();
    await expect(sendCallback(baseUrl, '/hang', {}, { ...options, timeoutMs: 100 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a path without a leading slash', async () => {
    await expect(sendCallback(baseUrl, 'v1/x', {}, options)).rejects.toThrow(/path/);
  });
});
