import { execFileSync, spawnSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SM2_ENC_PRIVATE,
  SM2_ENC_PUBLIC,
  SM2_SIGN_PRIVATE,
  SM2_SIGN_PUBLIC,
} from './__fixtures__/test-keys.ts';
import { requestCanonicalString, responseCanonicalString } from './canonical.ts';
import { ENVELOPE_HEADERS } from './headers.ts';
import { generateKeyPair, sm2PrivateKey, sm2PublicPoint } from './keys.ts';
import { InMemoryNonceStore } from './nonce-store.ts';
import { decryptPii, encryptPii, PII_SM_ALGORITHM, piiAdditionalData } from './pii.ts';
import { signRequest, signResponse } from './sign.ts';
import { signCanonical, verifyCanonical } from './signature.ts';
import { installSm, smCryptoV2Provider as sm } from './sm.ts';
import { SM2_DEFAULT_USER_ID } from './sm-provider.ts';
import { staticKeyLookup, verifyRequest } from './verify-request.ts';
import { verifyResponse } from './verify-response.ts';

/**
 * Our SM suite (the SDK on sm-crypto-v2) against a second, independent implementation: OpenSSL.
 * Node's own OpenSSL has SM3 and the SM4 block cipher (ECB, CTR), from which the test builds
 * SM4-GCM by the book (NIST SP 800-38D, checked first against Node's AES-GCM). Node cannot make an
 * SM2 signature with the Z value or SM2-encrypt, so those go to the `openssl` command (3.x), with
 * `-pkeyopt distid:1234567812345678`; that part is skipped where no such `openssl` is installed.
 */
installSm();

// --- GCM by the book, over any block cipher Node has in ECB and CTR ---------------------------

const R = 0xe1n << 120n;
const big = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
const block = (n: bigint) => Buffer.from(n.toString(16).padStart(32, '0'), 'hex');

function gfMul(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}

function ghash(h: bigint, aad: Uint8Array, ct: Uint8Array): bigint {
  const padded = (b: Uint8Array) => Buffer.concat([b, Buffer.alloc((16 - (b.length % 16)) % 16)]);
  const lengths = Buffer.alloc(16);
  lengths.writeBigUInt64BE(BigInt(aad.length * 8), 0);
  lengths.writeBigUInt64BE(BigInt(ct.length * 8), 8);
  const data = Buffer.concat([padded(aad), padded(ct), lengths]);
  let y = 0n;
  for (let i = 0; i < data.length; i += 16) y = gfMul(y ^ big(data.subarray(i, i + 16)), h);
  return y;
}

/** GCM with a 96-bit IV from `${cipher}-ecb` and `${cipher}-ctr` (e.g. `sm4`, `aes-128`). */
function bookGcm(
  cipher: string,
  key: Uint8Array,
  iv: Uint8Array,
  input: Uint8Array,
  aad: Uint8Array,
  decrypt = false,
) {
  const ecb = (b: Uint8Array) => createCipheriv(`${cipher}-ecb`, key, null).setAutoPadding(false).update(b);
  const h = big(ecb(Buffer.alloc(16)));
  const j0 = Buffer.concat([iv, Buffer.from([0, 0, 0, 1])]);
  const counter = Buffer.concat([iv, Buffer.from([0, 0, 0, 2])]);
  const output = createCipheriv(`${cipher}-ctr`, key, counter).update(input);
  const ct = decrypt ? input : output;
  const tag = block(big(ecb(j0)) ^ ghash(h, aad, ct));
  return { output, tag };
}

// --- OpenSSL ---------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'lendgate-sm-interop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let fileCount = 0;
function file(content: string | Uint8Array): string {
  const path = join(work, `f${fileCount++}`);
  writeFileSync(path, content);
  return path;
}
const DISTID = `distid:${SM2_DEFAULT_USER_ID}`;

/**
 * `openssl pkeyutl` arguments for an SM2 signature with SM3 over the whole message (`-rawin`, so
 * OpenSSL computes the Z value itself) under the default SM2 user id, as the envelope signs.
 */
function sm2SignatureArgs(
  operation: '-sign' | '-verify',
  keyArgs: readonly string[],
  message: string,
): string[] {
  return [
    'pkeyutl',
    operation,
    ...keyArgs,
    '-rawin',
    '-digest',
    'sm3',
    '-pkeyopt',
    DISTID,
    '-in',
    file(message),
  ];
}

/** OpenSSL's DER signature of `message`; `stdio: 'ignore'` keeps a probe's failure quiet. */
function opensslSign(privatePem: string, message: string, stdio: 'pipe' | 'ignore' = 'pipe'): Buffer {
  const out = join(work, `s${fileCount++}`);
  execFileSync(
    'openssl',
    [...sm2SignatureArgs('-sign', ['-inkey', file(privatePem)], message), '-out', out],
    {
      stdio,
    },
  );
  return readFileSync(out);
}

function opensslVerify(publicPem: string, message: string, der: Uint8Array): boolean {
  const keyArgs = ['-pubin', '-inkey', file(publicPem)];
  const run = spawnSync('openssl', [...sm2SignatureArgs('-verify', keyArgs, message), '-sigfile', file(der)]);
  return run.status === 0;
}

/** An OpenSSL 3 whose `pkeyutl` can make an SM2 signature with a user id (the interop tests need it). */
function opensslHasSm2(): boolean {
  try {
    const version = execFileSync('openssl', ['version'], { encoding: 'utf8' });
    if (!/^OpenSSL 3\./.test(version)) return false;
    return opensslSign(SM2_SIGN_PRIVATE.privateKey as string, 'probe', 'ignore').length > 0;
  } catch {
    return false;
  }
}
const HAS_OPENSSL_SM2 = opensslHasSm2();

// OpenSSL writes SM2 ciphertexts as GM/T 0009 ASN.1: SEQUENCE { x INTEGER, y INTEGER, hash OCTET
// STRING, ciphertext OCTET STRING }; the envelope carries the raw C1 || C3 || C2.
function tlv(der: Uint8Array, at: number): { value: Buffer; end: number } {
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = Number(big(der.subarray(start, start + n)));
    start += n;
  }
  return { value: Buffer.from(der.subarray(start, start + len)), end: start + len };
}
function asn1ToRaw(der: Uint8Array): Buffer {
  const seq = tlv(der, 0).value;
  const x = tlv(seq, 0);
  const y = tlv(seq, x.end);
  const hash = tlv(seq, y.end);
  const ct = tlv(seq, hash.end);
  // INTEGERs: drop a sign byte, restore leading zeros.
  const pad32 = (v: Buffer) => Buffer.concat([Buffer.alloc(32), v]).subarray(-32);
  return Buffer.concat([Buffer.from([4]), pad32(x.value), pad32(y.value), hash.value, ct.value]);
}
function rawToAsn1(raw: Uint8Array): Buffer {
  const len = (n: number) =>
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  const el = (tag: number, v: Buffer) => Buffer.concat([Buffer.from([tag]), len(v.length), v]);
  const int = (v: Uint8Array) => {
    let b = Buffer.from(v);
    while (b.length > 1 && b[0] === 0 && !(b[1]! & 0x80)) b = b.subarray(1);
    return el(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  const body = Buffer.concat([
    int(raw.subarray(1, 33)),
    int(raw.subarray(33, 65)),
    el(0x04, Buffer.from(raw.subarray(65, 97))),
    el(0x04, Buffer.from(raw.subarray(97))),
  ]);
  return el(0x30, body);
}

function opensslEncrypt(publicPem: string, plaintext: Uint8Array): Buffer {
  const out = join(work, `e${fileCount++}`);
  execFileSync('openssl', [
    'pkeyutl',
    '-encrypt',
    '-pubin',
    '-inkey',
    file(publicPem),
    '-in',
    file(plaintext),
    '-out',
    out,
  ]);
  return asn1ToRaw(readFileSync(out));
}

function opensslDecrypt(privatePem: string, raw: Uint8Array): Buffer {
  return execFileSync('openssl', [
    'pkeyutl',
    '-decrypt',
    '-inkey',
    file(privatePem),
    '-in',
    file(rawToAsn1(raw)),
  ]);
}

// --- tests -------------------------------------------------------------------------------------

const SIZES = [0, 1, 15, 16, 17, 55, 56, 63, 64, 65, 200, 1500];

describe('SM3: ours and Node’s OpenSSL agree', () => {
  it('on inputs of every padding case', () => {
    for (const size of SIZES) {
      const data = randomBytes(size);
      expect(Buffer.from(sm.sm3(data)).toString('hex'), `size ${size}`).toBe(
        createHash('sm3').update(data).digest('hex'),
      );
    }
  });
});

describe('SM4-GCM: ours and GCM built from Node’s SM4', () => {
  it('the book GCM is right: it matches Node’s AES-128-GCM', () => {
    for (const size of [0, 1, 16, 33]) {
      const [key, iv, pt, aad] = [randomBytes(16), randomBytes(12), randomBytes(size), randomBytes(size + 3)];
      const node = createCipheriv('aes-128-gcm', key, iv).setAAD(aad);
      const ct = Buffer.concat([node.update(pt), node.final()]);
      const book = bookGcm('aes-128', key, iv, pt, aad);
      expect(book.output.toString('hex')).toBe(ct.toString('hex'));
      expect(book.tag.toString('hex')).toBe(node.getAuthTag().toString('hex'));
    }
  });

  it('ours encrypts what Node’s SM4 decrypts, and the reverse', () => {
    for (const size of SIZES) {
      const [key, iv, pt, aad] = [
        randomBytes(16),
        randomBytes(12),
        randomBytes(size),
        randomBytes(size % 40),
      ];
      const ours = sm.sm4GcmEncrypt(key, iv, pt, aad);
      const theirs = bookGcm('sm4', key, iv, pt, aad);
      expect(Buffer.from(ours.ciphertext).toString('hex'), `size ${size}`).toBe(
        theirs.output.toString('hex'),
      );
      expect(Buffer.from(ours.tag).toString('hex')).toBe(theirs.tag.toString('hex'));
      const back = bookGcm('sm4', key, iv, ours.ciphertext, aad, true);
      expect(back.output.equals(pt) && back.tag.equals(Buffer.from(ours.tag))).toBe(true);
      expect(Buffer.from(sm.sm4GcmDecrypt(key, iv, theirs.output, aad, theirs.tag)).equals(pt)).toBe(true);
    }
  });
});

describe.skipIf(!HAS_OPENSSL_SM2)('SM2: ours and the openssl command', () => {
  const message =
    'LENDGATE-REQUEST-V1\nPOST\n/v1/apply\n1767225600\nAAECAwQFBgcICQoLDA0ODw\nx\nlender-sm\nreq-1';

  it('OpenSSL verifies our signatures, and we verify OpenSSL’s (test key and a fresh one)', async () => {
    const fresh = await generateKeyPair('SM2-SM3', { notBefore: 0 });
    const pairs = [
      {
        publicKey: SM2_SIGN_PUBLIC,
        privateKey: SM2_SIGN_PRIVATE,
        privatePem: SM2_SIGN_PRIVATE.privateKey as string,
      },
      { publicKey: fresh.publicKey, privateKey: fresh.privateKey, privatePem: fresh.privateKeyPem },
    ];
    for (const { publicKey, privateKey, privatePem } of pairs) {
      for (let i = 0; i < 3; i++) {
        const text = `${message}${i}`;
        const ours = Buffer.from(signCanonical(privateKey, text), 'base64');
        expect(opensslVerify(publicKey.publicKeyPem, text, ours)).toBe(true);
        expect(opensslVerify(publicKey.publicKeyPem, `${text}!`, ours)).toBe(false);
        const theirs = opensslSign(privatePem, text);
        expect(verifyCanonical(publicKey, text, theirs)).toBe(true);
        expect(verifyCanonical(publicKey, `${text}!`, theirs)).toBe(false);
      }
    }
  });

  it('OpenSSL decrypts what we SM2-encrypt, and we decrypt what it encrypts', async () => {
    const fresh = await generateKeyPair('SM2', { notBefore: 0 });
    for (const [record, privatePem, key] of [
      [SM2_ENC_PUBLIC, SM2_ENC_PRIVATE.privateKey as string, SM2_ENC_PRIVATE],
      [fresh.publicKey, fresh.privateKeyPem, fresh.privateKey],
    ] as const) {
      for (const size of [1, 16, 19, 100]) {
        const plain = randomBytes(size);
        const ours = sm.sm2Encrypt(sm2PublicPoint(record), plain);
        expect(opensslDecrypt(privatePem, ours).equals(plain)).toBe(true);
        const theirs = opensslEncrypt(record.publicKeyPem, plain);
        expect(theirs.length).toBe(97 + size);
        expect(Buffer.from(sm.sm2Decrypt(sm2PrivateKey(key).d, theirs)).equals(plain)).toBe(true);
      }
    }
  });

  const partnerId = 'lender-sm';
  const nowMs = Date.UTC(2026, 0, 1);
  const timestamp = String(nowMs / 1000);
  const applicant = { name: '张三', idNumber: '110101199003071234', phone: '13800138000' };

  /** A PII block made without our code: Node's SM4 (book GCM) and OpenSSL's SM2. */
  function foreignPiiBlock(requestId: string) {
    const dataKey = randomBytes(16);
    const iv = randomBytes(12);
    const aad = Buffer.from(
      ['LENDGATE-PII-V1', PII_SM_ALGORITHM, SM2_ENC_PUBLIC.kid, partnerId, requestId].join('\n'),
    );
    const sealed = bookGcm('sm4', dataKey, iv, Buffer.from(JSON.stringify(applicant)), aad);
    return {
      alg: PII_SM_ALGORITHM,
      kid: SM2_ENC_PUBLIC.kid,
      wrappedKey: opensslEncrypt(SM2_ENC_PUBLIC.publicKeyPem, dataKey).toString('base64url'),
      iv: iv.toString('base64url'),
      ciphertext: sealed.output.toString('base64url'),
      tag: sealed.tag.toString('base64url'),
    };
  }

  it('accepts a request signed and encrypted by the second implementation', async () => {
    const requestId = 'req-foreign-1';
    const body = JSON.stringify({ applicationId: 'app-1', pii: foreignPiiBlock(requestId) });
    const digest = createHash('sm3').update(body).digest('base64');
    const nonce = randomBytes(16).toString('base64url');
    const canonical = [
      'LENDGATE-REQUEST-V1',
      'POST',
      '/v1/apply',
      timestamp,
      nonce,
      digest,
      partnerId,
      requestId,
    ].join('\n');
    const headers = {
      [ENVELOPE_HEADERS.partnerId]: partnerId,
      [ENVELOPE_HEADERS.requestId]: requestId,
      [ENVELOPE_HEADERS.timestamp]: timestamp,
      [ENVELOPE_HEADERS.nonce]: nonce,
      [ENVELOPE_HEADERS.keyId]: SM2_SIGN_PUBLIC.kid,
      [ENVELOPE_HEADERS.algorithm]: 'SM2-SM3',
      [ENVELOPE_HEADERS.contentSha256]: digest,
      [ENVELOPE_HEADERS.signature]: opensslSign(SM2_SIGN_PRIVATE.privateKey as string, canonical).toString(
        'base64',
      ),
    };
    const verdict = await verifyRequest({
      method: 'POST',
      path: '/v1/apply',
      headers,
      body: Buffer.from(body),
      keys: staticKeyLookup({ [partnerId]: [SM2_SIGN_PUBLIC] }),
      nonces: new InMemoryNonceStore(),
      nowMs,
    });
    expect(verdict).toMatchObject({ ok: true, alg: 'SM2-SM3', requestId });
    const pii = (JSON.parse(body) as { pii: unknown }).pii;
    expect(decryptPii(pii, SM2_ENC_PRIVATE, { partnerId, requestId })).toEqual(applicant);
    expect(() => decryptPii(pii, SM2_ENC_PRIVATE, { partnerId, requestId: 'req-other' })).toThrow();

    // And its signed answer, checked by the caller's verifier.
    const answer = '{"status":"accepted"}';
    const answerDigest = createHash('sm3').update(answer).digest('base64');
    const answerNonce = randomBytes(16).toString('base64url');
    const answerCanonical = responseCanonicalString({
      status: '200',
      method: 'POST',
      path: '/v1/apply',
      timestamp,
      nonce: answerNonce,
      contentSha256: answerDigest,
      partnerId,
      requestId,
    });
    const response = verifyResponse({
      request: { method: 'POST', path: '/v1/apply', partnerId, requestId },
      status: 200,
      headers: {
        ...headers,
        [ENVELOPE_HEADERS.nonce]: answerNonce,
        [ENVELOPE_HEADERS.contentSha256]: answerDigest,
        [ENVELOPE_HEADERS.signature]: opensslSign(
          SM2_SIGN_PRIVATE.privateKey as string,
          answerCanonical,
        ).toString('base64'),
      },
      body: answer,
      keys: [SM2_SIGN_PUBLIC],
      nowMs,
    });
    expect(response).toMatchObject({ ok: true, alg: 'SM2-SM3' });
  });

  it('makes requests and answers that the second implementation verifies and decrypts', () => {
    const requestId = 'req-ours-1';
    const pii = encryptPii(applicant, SM2_ENC_PUBLIC, { partnerId, requestId });
    const signed = signRequest({
      method: 'POST',
      path: '/v1/apply',
      body: { applicationId: 'app-2', pii },
      partnerId,
      requestId,
      key: SM2_SIGN_PRIVATE,
      nowMs,
    });
    const h = signed.headers;
    // The digest is SM3 of the exact body, and the signature is over the canonical string rebuilt
    // from the headers: both checked with OpenSSL alone.
    expect(h[ENVELOPE_HEADERS.contentSha256]).toBe(createHash('sm3').update(signed.body).digest('base64'));
    const canonical = requestCanonicalString({
      method: 'POST',
      path: '/v1/apply',
      timestamp: h[ENVELOPE_HEADERS.timestamp]!,
      nonce: h[ENVELOPE_HEADERS.nonce]!,
      contentSha256: h[ENVELOPE_HEADERS.contentSha256]!,
      partnerId,
      requestId,
    });
    const signature = Buffer.from(h[ENVELOPE_HEADERS.signature]!, 'base64');
    expect(opensslVerify(SM2_SIGN_PUBLIC.publicKeyPem, canonical, signature)).toBe(true);

    const block = (JSON.parse(signed.body) as { pii: Record<string, string> }).pii;
    const dataKey = opensslDecrypt(
      SM2_ENC_PRIVATE.privateKey as string,
      Buffer.from(block.wrappedKey!, 'base64url'),
    );
    expect(dataKey.length).toBe(16);
    const aad = piiAdditionalData(SM2_ENC_PUBLIC.kid, { partnerId, requestId }, PII_SM_ALGORITHM);
    const opened = bookGcm(
      'sm4',
      dataKey,
      Buffer.from(block.iv!, 'base64url'),
      Buffer.from(block.ciphertext!, 'base64url'),
      aad,
      true,
    );
    expect(opened.tag.toString('base64url')).toBe(block.tag);
    expect(JSON.parse(opened.output.toString('utf8'))).toEqual(applicant);

    const answer = signResponse({
      request: { method: 'POST', path: '/v1/apply', partnerId, requestId },
      status: 200,
      body: { status: 'accepted' },
      key: SM2_SIGN_PRIVATE,
      nowMs,
    });
    const answerCanonical = responseCanonicalString({
      status: '200',
      method: 'POST',
      path: '/v1/apply',
      timestamp: answer.headers[ENVELOPE_HEADERS.timestamp]!,
      nonce: answer.headers[ENVELOPE_HEADERS.nonce]!,
      contentSha256: createHash('sm3').update(answer.body).digest('base64'),
      partnerId,
      requestId,
    });
    expect(
      opensslVerify(
        SM2_SIGN_PUBLIC.publicKeyPem,
        answerCanonical,
        Buffer.from(answer.headers[ENVELOPE_HEADERS.signature]!, 'base64'),
      ),
    ).toBe(true);
  });
});
