import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ED25519_A_PRIVATE,
  ED25519_A_PUBLIC,
  RSA_ENC_PRIVATE,
  TEST_EPOCH_MS,
} from './__fixtures__/test-keys.ts';
import { ENVELOPE_HEADERS } from './headers.ts';
import { InMemoryNonceStore } from './nonce-store.ts';
import { decryptPii, PiiDecryptionError, piiAdditionalData } from './pii.ts';
import { signRequest } from './sign.ts';
import { staticKeyLookup, verifyRequest } from './verify-request.ts';

// Recomputes the worked example of docs/protocol.md from its inputs, so the page stays true.
const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** The fenced block that follows `<!-- worked-example:NAME -->` in the doc. */
function block(name: string): string {
  const match = new RegExp(`<!-- worked-example:${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``).exec(
    doc,
  );
  if (match === null) throw new Error(`docs/protocol.md has no worked-example:${name} block`);
  return match[1]!;
}

const INPUT = {
  method: 'POST',
  path: '/v1/callbacks/credit-decision',
  partnerId: 'lender-demo',
  requestId: 'req-demo-0001',
  nowMs: TEST_EPOCH_MS,
  nonce: 'AAECAwQFBgcICQoLDA0ODw',
  key: ED25519_A_PRIVATE,
};

describe('docs/protocol.md worked example', () => {
  const signed = signRequest({ ...INPUT, bodyText: block('body') });

  it('shows the published test keys', () => {
    expect(`${block('private-key')}\n`).toBe(ED25519_A_PRIVATE.privateKey);
    expect(`${block('public-key')}\n`).toBe(ED25519_A_PUBLIC.publicKeyPem);
  });

  it('shows the digest, canonical string and signature the SDK computes', () => {
    expect(signed.headers[ENVELOPE_HEADERS.contentSha256]).toBe(block('digest'));
    expect(signed.canonical).toBe(block('canonical'));
    expect(signed.headers[ENVELOPE_HEADERS.signature]).toBe(block('signature'));
  });

  it('shows a message that verifies', async () => {
    const result = await verifyRequest({
      method: INPUT.method,
      path: INPUT.path,
      headers: signed.headers,
      body: block('body'),
      keys: staticKeyLookup({ 'lender-demo': [ED25519_A_PUBLIC] }),
      nonces: new InMemoryNonceStore(),
      nowMs: TEST_EPOCH_MS,
    });
    expect(result).toMatchObject({ ok: true, requestId: 'req-demo-0001' });
  });

  it('shows every header in the wire example', () => {
    for (const [name, value] of Object.entries(signed.headers)) expect(doc).toContain(`${name}: ${value}`);
  });

  it('shows a PII test vector that decrypts only in its own message', () => {
    const vector = JSON.parse(block('pii-block'));
    const context = { partnerId: 'lender-demo', requestId: 'req-demo-0002' };
    expect(decryptPii(vector, RSA_ENC_PRIVATE, context)).toEqual(JSON.parse(block('pii-plaintext')));
    expect(piiAdditionalData(vector.kid, context).toString('utf8')).toBe(block('pii-aad'));
    expect(() => decryptPii(vector, RSA_ENC_PRIVATE, { ...context, requestId: 'req-demo-0001' })).toThrow(
      PiiDecryptionError,
    );
  });
});
