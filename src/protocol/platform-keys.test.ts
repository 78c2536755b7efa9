import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ED25519_A_PUBLIC,
  SM2_ENC_PRIVATE,
  SM2_ENC_PUBLIC,
  SM2_SIGN_PRIVATE,
  SM2_SIGN_PUBLIC,
} from '../../sandbox/sdk/__fixtures__/test-keys.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import {
  decryptPii,
  encryptPii,
  InMemoryNonceStore,
  PII_SM_ALGORITHM,
  type PublicKeyRecord,
  signResponse,
  verifyRequest,
} from './envelope/index.ts';
import { lenderDelivery } from './lender-client.ts';
import type { OutboxMessage } from './outbox.ts';
import { PlatformKeyring, signingFamilyOf } from './platform-keys.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('signingFamilyOf', () => {
  const ed = { ...ED25519_A_PUBLIC, notBefore: T0 };
  const sm = { ...SM2_SIGN_PUBLIC, notBefore: T0 + 1_000 };

  it('follows the partner’s newest valid signing key', () => {
    expect(signingFamilyOf(undefined, T0)).toBe('standard');
    expect(signingFamilyOf([ed], T0)).toBe('standard');
    expect(signingFamilyOf([sm], T0 + 1_000)).toBe('sm');
    // Moving from Ed25519 to SM2-SM3: standard until the SM key is live, SM from then on.
    expect(signingFamilyOf([ed, sm], T0)).toBe('standard');
    expect(signingFamilyOf([ed, sm], T0 + 1_000)).toBe('sm');
    // An SM2 *encryption* key alone does not make a partner SM for signatures.
    expect(signingFamilyOf([ed, { ...SM2_ENC_PUBLIC, notBefore: T0 + 5_000 }], T0 + 9_000)).toBe('standard');
  });
});

describe('the platform keyring and an SM partner', () => {
  let handle: DatabaseHandle;
  let keyring: PlatformKeyring;
  let server: Server;
  let baseUrl: string;
  const seen: { alg?: string; pii?: unknown; code?: string }[] = [];
  const partnerId = 'xinghe-sm';

  beforeAll(async () => {
    handle = await createTestDatabase();
    keyring = new PlatformKeyring(handle.db, Buffer.alloc(32, 7), () => new Date());
    await keyring.ensureSigningKey();
    const platformKeys = await keyring.publicKeys();
    const nonces = new InMemoryNonceStore();
    // A lender on the SM suite, written with the SDK: it accepts only SM2-SM3 from the platform.
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const verdict = await verifyRequest({
        method: req.method ?? '',
        path: req.url ?? '/',
        headers: req.headers,
        body,
        keys: {
          keysOf: async (id) =>
            id === partnerId ? platformKeys.filter((k) => k.alg === 'SM2-SM3') : undefined,
        },
        nonces,
        nowMs: Date.now(),
      });
      const requestId = String(req.headers['x-lendgate-request-id']);
      const request = { method: req.method ?? '', path: req.url ?? '/', partnerId, requestId };
      if (!verdict.ok) {
        seen.push({ code: verdict.code });
        const refusal = signResponse({
          request,
          status: 401,
          body: { error: verdict.code },
          key: SM2_SIGN_PRIVATE,
          nowMs: Date.now(),
        });
        return res.writeHead(401, refusal.headers).end(refusal.body);
      }
      const parsed = JSON.parse(body.toString('utf8')) as { pii: unknown };
      seen.push({ alg: verdict.alg, pii: decryptPii(parsed.pii, SM2_ENC_PRIVATE, { partnerId, requestId }) });
      const answer = signResponse({
        request,
        status: 200,
        body: { status: 'received' },
        key: SM2_SIGN_PRIVATE,
        nowMs: Date.now(),
      });
      res.writeHead(200, answer.headers).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await handle?.close();
  });

  it('has an Ed25519 and an SM2-SM3 signing key, made once', async () => {
    await keyring.ensureSigningKey();
    const algs = (await keyring.publicKeys()).map((k) => k.alg).sort();
    expect(algs).toEqual(['Ed25519', 'SM2-SM3']);
    expect((await keyring.signingKey()).alg).toBe('Ed25519');
    expect((await keyring.signingKey('sm')).alg).toBe('SM2-SM3');
    expect((await keyring.signingKeyFor([SM2_SIGN_PUBLIC])).alg).toBe('SM2-SM3');
    expect((await keyring.signingKeyFor([ED25519_A_PUBLIC])).alg).toBe('Ed25519');
  });

  it('calls the SM partner signed with SM2-SM3, SM4 PII inside, and accepts its SM2-SM3 answer', async () => {
    const lenderKeys: PublicKeyRecord[] = [SM2_SIGN_PUBLIC, SM2_ENC_PUBLIC];
    const deliver = lenderDelivery(
      {
        endpointOf: async () => ({
          baseUrl,
          timeoutMs: { pre_check: 5_000, apply: 5_000, drawdown: 5_000, repay: 5_000, status_query: 5_000 },
          signingKeys: lenderKeys.filter((k) => k.use === 'signing'),
        }),
      },
      keyring,
      () => Date.now(),
    );
    const requestId = 'apply-sm-1';
    const pii = encryptPii({ name: '王小明', idNumber: '310104198805123455' }, SM2_ENC_PUBLIC, {
      partnerId,
      requestId,
    });
    expect(pii.alg).toBe(PII_SM_ALGORITHM);
    const message: OutboxMessage = {
      id: 'm-1',
      partnerId,
      call: 'apply',
      requestId,
      method: 'POST',
      path: '/v1/apply',
      body: { applicationId: 'app-1', pii },
      attempts: 0,
      createdAt: new Date(),
      giveUpAt: new Date(Date.now() + 60_000),
    };
    const outcome = await deliver(message);
    expect(outcome).toMatchObject({ ok: true, status: 200, body: { status: 'received' } });
    expect(seen).toEqual([{ alg: 'SM2-SM3', pii: { name: '王小明', idNumber: '310104198805123455' } }]);
  });
});
