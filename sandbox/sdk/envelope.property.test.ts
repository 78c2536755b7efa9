import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ED25519_A_PRIVATE,
  ED25519_A_PUBLIC,
  RSA_ENC_PRIVATE,
  RSA_ENC_PUBLIC,
  TEST_EPOCH_MS,
} from './__fixtures__/test-keys.ts';
import { contentSha256 } from './encoding.ts';
import { ENVELOPE_HEADERS } from './headers.ts';
import { InMemoryNonceStore } from './nonce-store.ts';
import { decryptPii, encryptPii } from './pii.ts';
import { signRequest } from './sign.ts';
import { staticKeyLookup, verifyRequest } from './verify-request.ts';

const NOW = TEST_EPOCH_MS + 1000;
const keys = staticKeyLookup({ 'lender-demo': [ED25519_A_PUBLIC] });

function verifyBytes(headers: Record<string, string>, body: Uint8Array) {
  return verifyRequest({
    method: 'POST',
    path: '/v1/x',
    headers,
    body,
    keys,
    nonces: new InMemoryNonceStore(),
    nowMs: NOW,
  });
}

describe('envelope properties', () => {
  it('verify(sign(body)) holds for any JSON body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        const signed = signRequest({
          method: 'POST',
          path: '/v1/x',
          body,
          partnerId: 'lender-demo',
          key: ED25519_A_PRIVATE,
          nowMs: NOW,
        });
        expect((await verifyBytes({ ...signed.headers }, Buffer.from(signed.body, 'utf8'))).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('any single-byte change of the body fails, even when the digest header is recomputed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (bytes, at, flip) => {
          const text = Buffer.from(bytes).toString('latin1');
          const signed = signRequest({
            method: 'POST',
            path: '/v1/x',
            bodyText: text,
            partnerId: 'lender-demo',
            key: ED25519_A_PRIVATE,
            nowMs: NOW,
          });
          const sent = Buffer.from(signed.body, 'utf8');
          expect((await verifyBytes({ ...signed.headers }, sent)).ok).toBe(true);

          const changed = Buffer.from(sent);
          changed[at % changed.length]! ^= flip;
          const asSent = await verifyBytes({ ...signed.headers }, changed);
          expect(asSent).toMatchObject({ ok: false, code: 'DIGEST_MISMATCH' });
          const redigested = { ...signed.headers, [ENVELOPE_HEADERS.contentSha256]: contentSha256(changed) };
          expect(await verifyBytes(redigested, changed)).toMatchObject({
            ok: false,
            code: 'SIGNATURE_INVALID',
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decrypt(encrypt(x)) holds for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/), (value, requestId) => {
        const context = { partnerId: 'lender-demo', requestId };
        // JSON round trip normalizes -0 to 0, as any JSON transport would.
        expect(decryptPii(encryptPii(value, RSA_ENC_PUBLIC, context), RSA_ENC_PRIVATE, context)).toEqual(
          JSON.parse(JSON.stringify(value)),
        );
      }),
      { numRuns: 50 },
    );
  });
});
