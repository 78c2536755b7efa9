import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ED25519_A_PRIVATE,
  ED25519_A_PUBLIC,
  RSA_ENC_PRIVATE,
  RSA_ENC_PUBLIC,
  TEST_EPOCH_MS,
} from './__fixtures__/test-keys.ts';
import { CALLBACK_CREDIT_DECISION, callbackKindOf, validateCallback } from './contract.ts';
import { ENVELOPE_HEADERS } from './headers.ts';
import { InMemoryNonceStore } from './nonce-store.ts';
import { decryptPii, PiiDecryptionError, piiAdditionalData } from './pii.ts';
import { signRequest } from './sign.ts';
import { staticKeyLookup, verifyRequest } from './verify-request.ts';

/**
 * The worked example of docs/protocol.md, recomputed from the page itself: its inputs table, its
 * key, body, digest, canonical string, signature and wire blocks, its OpenSSL commands (run when an
 * OpenSSL 3 is installed) and its Node snippets (run), and its PII vector. Nothing here restates a
 * value of the example, so the page cannot drift from the code.
 */
const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** The fenced block that follows `<!-- worked-example:NAME -->` in the doc. */
function block(name: string): string {
  const match = new RegExp(`<!-- worked-example:${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``).exec(
    doc,
  );
  if (match === null) throw new Error(`docs/protocol.md has no worked-example:${name} block`);
  return match[1]!;
}

/** The table that follows `<!-- worked-example:NAME -->`: first cell → the code spans of the second. */
function table(name: string): Map<string, string[]> {
  const match = new RegExp(`<!-- worked-example:${name} -->\\n((?:\\|.*\\|\\n)+)`).exec(doc);
  if (match === null) throw new Error(`docs/protocol.md has no worked-example:${name} table`);
  const rows = new Map<string, string[]>();
  for (const line of match[1]!.trim().split('\n').slice(2)) {
    const [key, value] = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    rows.set(
      key!,
      [...value!.matchAll(/`([^`]*)`/g)].map((m) => m[1]!),
    );
  }
  return rows;
}

function input(name: string): string[] {
  const values = table('inputs').get(name);
  if (values === undefined) throw new Error(`the inputs table has no row ${name}`);
  return values;
}

const [method, path] = input('method, path') as [string, string];
const [keyId, algorithm] = input('`X-Lendgate-Key-Id`, `X-Lendgate-Algorithm`') as [string, string];
const INPUT = {
  method,
  path,
  partnerId: input('`X-Lendgate-Partner`')[0]!,
  requestId: input('`X-Lendgate-Request-Id`')[0]!,
  nowMs: Number(input('`X-Lendgate-Timestamp`')[0]) * 1000,
  nonce: input('`X-Lendgate-Nonce`')[0]!,
};
const body = block('body');

const work = mkdtempSync(join(tmpdir(), 'lendgate-worked-example-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
// The files the page tells a reader to save.
writeFileSync(join(work, 'test-ed25519-a.pem'), `${block('private-key')}\n`);
writeFileSync(join(work, 'test-ed25519-a.pub.pem'), `${block('public-key')}\n`);
writeFileSync(join(work, 'body.json'), body);
writeFileSync(join(work, 'test-rsa-enc.pem'), `${block('pii-private-key')}\n`);
writeFileSync(join(work, 'pii-block.json'), block('pii-block'));

/** Runs a Node snippet of the page in the work folder and returns the values it names. */
function runNode(snippet: string, names: readonly string[]): Record<string, string> {
  const file = join(work, `snippet-${names.join('-')}.mjs`);
  writeFileSync(file, `${snippet}\nconsole.log(JSON.stringify({ ${names.join(', ')} }));\n`);
  const run = spawnSync(process.execPath, [file], { cwd: work, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, string>;
}

/** OpenSSL 3 or later (its `pkeyutl -rawin` signs Ed25519), or why not. */
function openssl3(): string | null {
  const version = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (version.status !== 0) return 'no openssl command';
  return /^OpenSSL [3-9]\./.test(version.stdout) ? null : `${version.stdout.trim()} is older than 3.0`;
}

describe('docs/protocol.md worked example', () => {
  const signed = signRequest({ ...INPUT, key: ED25519_A_PRIVATE, bodyText: body });

  it('is a real credit-decision callback: its path, a body the contract accepts', () => {
    expect(method).toBe('POST');
    expect(path).toBe(CALLBACK_CREDIT_DECISION);
    expect(callbackKindOf(path)).toBe('credit-decision');
    expect(validateCallback('credit-decision', JSON.parse(body))).toEqual([]);
    expect(JSON.parse(body)).toMatchObject({ decision: 'approved' });
    expect(INPUT.nowMs).toBe(TEST_EPOCH_MS);
    expect(input('`X-Lendgate-Timestamp`')).toHaveLength(1);
    expect(doc).toContain(
      `\`${input('`X-Lendgate-Timestamp`')[0]}\` (${new Date(INPUT.nowMs).toISOString().replace('.000Z', 'Z')})`,
    );
    expect(INPUT.nonce).toBe(Buffer.from([...Array(16).keys()]).toString('base64url'));
  });

  it('shows the published test keys, marked as test keys', () => {
    expect([keyId, algorithm]).toEqual([ED25519_A_PRIVATE.kid, ED25519_A_PRIVATE.alg]);
    expect(`${block('private-key')}\n`).toBe(ED25519_A_PRIVATE.privateKey);
    expect(`${block('public-key')}\n`).toBe(ED25519_A_PUBLIC.publicKeyPem);
    expect(`${block('pii-private-key')}\n`).toBe(RSA_ENC_PRIVATE.privateKey);
    expect(`${block('pii-public-key')}\n`).toBe(RSA_ENC_PUBLIC.publicKeyPem);
    const section = doc.slice(doc.indexOf('## Worked example'), doc.indexOf('## Lender SDK'));
    expect(section).toMatch(/\*\*Test keys only\.\*\*/);
    expect(section.match(/\*\*test key, never use it in production\*\*/g)).toHaveLength(2);
  });

  it('shows the digest, canonical string and signature the SDK computes', () => {
    expect(signed.headers[ENVELOPE_HEADERS.contentSha256]).toBe(block('digest'));
    expect(signed.canonical).toBe(block('canonical'));
    expect(signed.headers[ENVELOPE_HEADERS.signature]).toBe(block('signature'));
  });

  it('shows a message that verifies', async () => {
    const result = await verifyRequest({
      method,
      path,
      headers: signed.headers,
      body,
      keys: staticKeyLookup({ [INPUT.partnerId]: [ED25519_A_PUBLIC] }),
      nonces: new InMemoryNonceStore(),
      nowMs: INPUT.nowMs,
    });
    expect(result).toMatchObject({ ok: true, partnerId: INPUT.partnerId, requestId: INPUT.requestId });
  });

  it('shows the request on the wire: request line, every header, the body', () => {
    const [head, wireBody] = block('wire').split('\n\n') as [string, string];
    const [requestLine, ...headerLines] = head.split('\n');
    expect(requestLine).toBe(`${method} ${path} HTTP/1.1`);
    const headers = Object.fromEntries(
      headerLines.map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
    );
    expect(headers).toEqual({ Host: 'lendgate.example.com', ...signed.headers });
    expect(wireBody).toBe(body);
  });

  it('shows a Node snippet that computes the same digest, canonical string and signature', () => {
    const values = runNode(block('node'), ['digest', 'canonical', 'signature']);
    expect(values).toEqual({
      digest: block('digest'),
      canonical: block('canonical'),
      signature: block('signature'),
    });
  });

  const noOpenssl = openssl3();
  it.skipIf(noOpenssl !== null)(
    `shows OpenSSL commands that print what they say${noOpenssl ? ` (skipped: ${noOpenssl})` : ''}`,
    () => {
      const script = block('openssl');
      // The commands are the page's; the file body.json they write must be the body above.
      rmSync(join(work, 'body.json'));
      const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: work, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(readFileSync(join(work, 'body.json'), 'utf8')).toBe(body);
      expect(readFileSync(join(work, 'canonical.txt'), 'utf8')).toBe(block('canonical'));
      const promised = [...script.matchAll(/^# → (.*)$/gm)].map((m) => m[1]!);
      expect(promised).toEqual([block('digest'), block('signature'), 'Signature Verified Successfully']);
      expect(run.stdout.trim().split('\n')).toEqual(promised);
    },
  );

  it('shows a PII test vector that decrypts only in its own message', () => {
    const vector = JSON.parse(block('pii-block'));
    const context = { partnerId: INPUT.partnerId, requestId: 'req-demo-0002' };
    expect(vector.kid).toBe(RSA_ENC_PUBLIC.kid);
    expect(doc).toContain(
      `\`X-Lendgate-Partner: ${context.partnerId}\` and \`X-Lendgate-Request-Id: ${context.requestId}\``,
    );
    expect(decryptPii(vector, RSA_ENC_PRIVATE, context)).toEqual(JSON.parse(block('pii-plaintext')));
    expect(piiAdditionalData(vector.kid, context).toString('utf8')).toBe(block('pii-aad'));
    for (const other of [
      { ...context, requestId: INPUT.requestId },
      { ...context, partnerId: 'lender-other' },
    ]) {
      expect(() => decryptPii(vector, RSA_ENC_PRIVATE, other)).toThrow(PiiDecryptionError);
    }
  });

  it('shows a Node snippet that decrypts the PII vector', () => {
    const { plaintext } = runNode(block('pii-node'), ['plaintext']);
    expect(plaintext).toBe(block('pii-plaintext'));
  });

  it('uses synthetic PII with valid check characters', () => {
    const { idNumber } = JSON.parse(block('pii-plaintext')) as { idNumber: string };
    const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const sum = weights.reduce((total, weight, i) => total + weight * Number(idNumber[i]), 0);
    expect(idNumber[17]).toBe('10X98765432'[sum % 11]);
  });
});
