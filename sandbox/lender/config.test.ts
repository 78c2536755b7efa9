import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARTNER_ID, parseSandboxConfig, SandboxConfigError } from './config.ts';
import { DEFAULT_PRODUCT } from './policy.ts';

const KEY = { use: 'signing', kid: 'p1', alg: 'Ed25519', publicKeyPem: 'PEM', notBefore: 0, notAfter: null };

describe('sandbox configuration', () => {
  it('has working defaults: one lender with the default product, port 4100, fetch the platform keys', () => {
    const config = parseSandboxConfig({}, {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4100, dataDir: '.sandbox-data', rsaBits: 3072 });
    expect(config.platform).toEqual({
      url: undefined,
      keys: undefined,
      keysFile: undefined,
      fetchKeys: true,
    });
    expect(config.lenders).toHaveLength(1);
    expect(config.lenders[0]).toMatchObject({ partnerId: DEFAULT_PARTNER_ID, signingAlg: 'Ed25519' });
    expect(config.lenders[0]!.products).toEqual([DEFAULT_PRODUCT]);
  });

  it('takes overrides from the environment', () => {
    const config = parseSandboxConfig(
      { port: 1, platform: { url: 'http://x' } },
      {
        SANDBOX_PORT: '0',
        SANDBOX_PLATFORM_URL: 'http://127.0.0.1:3000/',
        SANDBOX_PLATFORM_KEYS: JSON.stringify({ keys: [KEY] }),
        SANDBOX_PARTNERS: 'bank-a, bank-b',
        SANDBOX_RSA_BITS: '2048',
      },
    );
    expect(config.port).toBe(0);
    expect(config.platform.url).toBe('http://127.0.0.1:3000');
    expect(config.platform.keys).toEqual([KEY]);
    expect(config.lenders.map((l) => l.partnerId)).toEqual(['bank-a', 'bank-b']);
    expect(config.rsaBits).toBe(2048);
  });

  it('keeps the book beside the keys unless told otherwise', () => {
    expect(parseSandboxConfig({}, {}).bookFile).toBe(join('.sandbox-data', 'book.sqlite'));
    expect(parseSandboxConfig({ dataDir: '/d' }, {}).bookFile).toBe(join('/d', 'book.sqlite'));
    expect(parseSandboxConfig({}, { SANDBOX_DATA_DIR: '/e' }).bookFile).toBe(join('/e', 'book.sqlite'));
    expect(parseSandboxConfig({ bookFile: ':memory:' }, {}).bookFile).toBe(':memory:');
    expect(parseSandboxConfig({ bookFile: ':memory:' }, { SANDBOX_BOOK_FILE: '/b.sqlite' }).bookFile).toBe(
      '/b.sqlite',
    );
  });

  it('reads lenders with products, delays and faults from the document', () => {
    const config = parseSandboxConfig(
      {
        lenders: [
          {
            partnerId: 'bank-a',
            products: [{ productCode: 'P1', aprByTerm: { '6': '0.1' }, dailyQuota: 5 }],
            delays: { decisionMs: 0 },
            faults: { duplicateCallbacks: true },
          },
        ],
      },
      {},
    );
    const lender = config.lenders[0]!;
    expect(lender.products[0]).toMatchObject({ productCode: 'P1', aprByTerm: { '6': '0.1' }, dailyQuota: 5 });
    expect(lender.delays).toEqual({ decisionMs: 0, disbursementMs: 500, repaymentMs: 200 });
    expect(lender.faults.duplicateCallbacks).toBe(true);
  });

  it('plays a partner on the 国密 suite: SM2-SM3 signing, and SM2 encryption unless told otherwise', () => {
    const config = parseSandboxConfig(
      {
        lenders: [
          { partnerId: 'sm-bank', signingAlg: 'SM2-SM3' },
          { partnerId: 'sm-sign-rsa-pii', signingAlg: 'SM2-SM3', encryptionAlg: 'RSA-OAEP-256' },
          { partnerId: 'ed-sm-pii', encryptionAlg: 'SM2' },
          { partnerId: 'plain' },
        ],
      },
      {},
    );
    expect(config.lenders.map((l) => [l.partnerId, l.signingAlg, l.encryptionAlg])).toEqual([
      ['sm-bank', 'SM2-SM3', 'SM2'],
      ['sm-sign-rsa-pii', 'SM2-SM3', 'RSA-OAEP-256'],
      ['ed-sm-pii', 'Ed25519', 'SM2'],
      ['plain', 'Ed25519', 'RSA-OAEP-256'],
    ]);
    expect(() => parseSandboxConfig({ lenders: [{ partnerId: 'x', encryptionAlg: 'SM4' }] }, {})).toThrow(
      /encryptionAlg: must be RSA-OAEP-256 or SM2/,
    );
  });

  it('lists every problem at once', () => {
    const attempt = () =>
      parseSandboxConfig(
        {
          lenders: [
            { partnerId: 'a', products: [{ aprByTerm: { '12': '0.30' } }], faults: { slow: 1 } },
            { partnerId: 'a', signingAlg: 'MD5' },
          ],
          callbacks: { retryBaseMs: 0 },
        },
        { SANDBOX_PORT: 'x', SANDBOX_PLATFORM_KEYS: '{' },
      );
    expect(attempt).toThrow(SandboxConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as SandboxConfigError).problems;
      expect(problems).toEqual(
        expect.arrayContaining([
          'SANDBOX_PORT: must be 0–65535',
          'SANDBOX_PLATFORM_KEYS: must be JSON',
          expect.stringMatching(/products\[0\].*APR for 12 months/),
          'config.lenders[0].faults.slow: is not a fault setting',
          'config.lenders[1].signingAlg: must be Ed25519, RSA-SHA256 or SM2-SM3',
          'config.lenders: partner id a appears twice',
          'config.callbacks.retryBaseMs: must be an integer ≥ 1',
        ]),
      );
    }
  });
});
