/**
 * Checks a partner's published public key before it is stored: a public key only (never a private
 * one), of the type its algorithm needs, RSA at least MIN_RSA_BITS. Pure computation on node:crypto.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { MIN_RSA_BITS, spkiThumbprint } from '../protocol/envelope/index.ts';
import type { Problems } from './problems.ts';

export const KEY_ALGORITHMS = ['RSA-SHA256', 'Ed25519', 'RSA-OAEP-256'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];
export const KEY_USES = ['signing', 'encryption'] as const;
export type KeyUse = (typeof KEY_USES)[number];

export const KID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Beyond this an RSA key only slows every verification down; nobody needs it. */
export const MAX_RSA_BITS = 8192;
const PUBLIC_PEM =
  /^-----BEGIN (RSA )?PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (RSA )?PUBLIC KEY-----\s*$/;

export interface CheckedKey {
  /** The key re-exported as SPKI PEM, the one form the envelope code parses. */
  readonly publicKeyPem: string;
  readonly fingerprint: string;
}

/** Whether an algorithm fits a use: Ed25519 and RSA-SHA256 sign; encryption is RSA-OAEP-256 only. */
export function algorithmFitsUse(algorithm: KeyAlgorithm, use: KeyUse): boolean {
  return use === 'encryption' ? algorithm === 'RSA-OAEP-256' : algorithm !== 'RSA-OAEP-256';
}

export function checkPublicKey(
  problems: Problems,
  input: { readonly algorithm: KeyAlgorithm; readonly use: KeyUse; readonly publicKeyPem: string },
): CheckedKey | null {
  if (!algorithmFitsUse(input.algorithm, input.use)) {
    problems.add(
      'algorithm',
      input.use === 'encryption'
        ? 'an encryption key must be RSA-OAEP-256 (Ed25519 cannot encrypt)'
        : 'a signing key must be RSA-SHA256 or Ed25519',
    );
    return null;
  }
  const pem = input.publicKeyPem.trim();
  if (pem.includes('PRIVATE KEY')) {
    problems.add(
      'publicKeyPem',
      'is a private key: send only the public key, and keep the private key secret',
    );
    return null;
  }
  if (!PUBLIC_PEM.test(`${pem}\n`)) {
    problems.add('publicKeyPem', 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
    return null;
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    problems.add('publicKeyPem', 'is not a readable public key');
    return null;
  }
  const expected = input.algorithm === 'Ed25519' ? 'ed25519' : 'rsa';
  if (key.asymmetricKeyType !== expected) {
    problems.add(
      'publicKeyPem',
      `${input.algorithm} needs an ${expected} key, got ${key.asymmetricKeyType ?? 'unknown'}`,
    );
    return null;
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (expected === 'rsa' && (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS)) {
    problems.add(
      'publicKeyPem',
      `RSA keys must have ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits, this one has ${bits}`,
    );
    return null;
  }
  const spki = key.export({ type: 'spki', format: 'pem' }).toString();
  return { publicKeyPem: spki, fingerprint: spkiThumbprint(spki) };
}
