import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { spkiThumbprint } from '../protocol/envelope/index.ts';
import { algorithmFitsUse, checkPublicKey } from './key-material.ts';
import { Problems } from './problems.ts';
import { ed25519PublicPem, rsaPublicPem } from './testing.ts';

function verdict(input: Parameters<typeof checkPublicKey>[1]) {
  const problems = new Problems();
  const key = checkPublicKey(problems, input);
  try {
    problems.throwIfAny();
    return { key };
  } catch (error) {
    return {
      problem: (error as { details: { fields: { field: string; message: string }[] } }).details.fields[0],
    };
  }
}

describe('public key checks (pure)', () => {
  const rsa2048 = rsaPublicPem(2048);
  const ed = ed25519PublicPem();

  it('accepts Ed25519 and RSA-2048 signing keys and RSA-OAEP encryption keys, with their thumbprint', () => {
    expect(verdict({ algorithm: 'Ed25519', use: 'signing', publicKeyPem: ed }).key?.fingerprint).toBe(
      spkiThumbprint(ed),
    );
    expect(verdict({ algorithm: 'RSA-SHA256', use: 'signing', publicKeyPem: rsa2048 }).key).toBeDefined();
    expect(
      verdict({ algorithm: 'RSA-OAEP-256', use: 'encryption', publicKeyPem: rsa2048 }).key,
    ).toBeDefined();
  });

  it('accepts a PKCS#1 RSA public key and stores it as SPKI', () => {
    const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    const key = verdict({ algorithm: 'RSA-SHA256', use: 'signing', publicKeyPem: pkcs1 }).key;
    expect(key?.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('refuses RSA-1024, garbage, private keys and mismatched types, naming publicKeyPem', () => {
    const rsa1024 = rsaPublicPem(1024);
    const privatePem = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const cases: [Parameters<typeof checkPublicKey>[1], RegExp][] = [
      [
        { algorithm: 'RSA-SHA256', use: 'signing', publicKeyPem: rsa1024 },
        /2048 to 8192 bits, this one has 1024/,
      ],
      [{ algorithm: 'RSA-OAEP-256', use: 'encryption', publicKeyPem: rsa1024 }, /1024/],
      [{ algorithm: 'Ed25519', use: 'signing', publicKeyPem: 'hello' }, /PEM public key/],
      [
        {
          algorithm: 'Ed25519',
          use: 'signing',
          publicKeyPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
        },
        /not a readable public key/,
      ],
      [{ algorithm: 'Ed25519', use: 'signing', publicKeyPem: privatePem }, /private key/],
      [{ algorithm: 'Ed25519', use: 'signing', publicKeyPem: rsa2048 }, /needs an ed25519 key, got rsa/],
      [{ algorithm: 'RSA-SHA256', use: 'signing', publicKeyPem: ed }, /needs an rsa key, got ed25519/],
    ];
    for (const [input, message] of cases) {
      const { problem } = verdict(input);
      expect(problem?.field).toBe('publicKeyPem');
      expect(problem?.message).toMatch(message);
    }
  });

  it('refuses Ed25519 for encryption and RSA-OAEP for signing, naming algorithm', () => {
    expect(algorithmFitsUse('Ed25519', 'encryption')).toBe(false);
    expect(algorithmFitsUse('RSA-SHA256', 'encryption')).toBe(false);
    expect(algorithmFitsUse('RSA-OAEP-256', 'signing')).toBe(false);
    const { problem } = verdict({ algorithm: 'Ed25519', use: 'encryption', publicKeyPem: ed });
    expect(problem).toMatchObject({
      field: 'algorithm',
      message: expect.stringMatching(/Ed25519 cannot encrypt/),
    });
  });
});
