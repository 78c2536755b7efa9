/**
 * Checks a partner's published public key before it is stored: a public key only (never a private
 * one), of the type its algorithm needs, RSA at least MIN_RSA_BITS, SM2 a point on sm2p256v1. Pure
 * computation on node:crypto and the SDK's SM2 parser.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  MIN_RSA_BITS,
  sm2PointFromPem,
  sm2PublicKeyPem,
  spkiThumbprint,
} from '../protocol/envelope/index.ts';
import type { Problems } from './problems.ts';

/**
 * The envelope's key algorithms (sandbox/sdk/keys.ts): signing `RSA-SHA256`, `Ed25519`, `SM2-SM3`;
 * encryption `RSA-OAEP-256`, `SM2` (国密: SM2 wraps an SM4-GCM data key).
 */
export const KEY_ALGORITHMS = ['RSA-SHA256', 'Ed25519', 'SM2-SM3', 'RSA-OAEP-256', 'SM2'] as const;
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

const ENCRYPTION: readonly KeyAlgorithm[] = ['RSA-OAEP-256', 'SM2'];

/** Whether an algorithm fits a use: Ed25519, RSA-SHA256 and SM2-SM3 sign; RSA-OAEP-256 and SM2 encrypt. */
export function algorithmFitsUse(algorithm: KeyAlgorithm, use: KeyUse): boolean {
  return (use === 'encryption') === ENCRYPTION.includes(algorithm);
}

export function checkPublicKey(
  problems: Problems,
  input: { readonly algorithm: KeyAlgorithm; readonly use: KeyUse; readonly publicKeyPem: string },
): CheckedKey | null {
  if (!algorithmFitsUse(input.algorithm, input.use)) {
    problems.add(
      'algorithm',
      input.use === 'encryption'
        ? 'an encryption key must be RSA-OAEP-256 or SM2 (Ed25519 cannot encrypt)'
        : 'a signing key must be RSA-SHA256, Ed25519 or SM2-SM3',
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
  if (input.algorithm === 'SM2-SM3' || input.algorithm === 'SM2')
    return checkSm2(problems, input.algorithm, pem);
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

/**
 * An SM2 key (SM2-SM3 or SM2): an SPKI with id-ecPublicKey on sm2p256v1 whose point is on the curve;
 * stored re-encoded, so that one key has one text and one fingerprint.
 */
function checkSm2(problems: Problems, algorithm: KeyAlgorithm, pem: string): CheckedKey | null {
  let point = sm2PointFromPem(pem);
  if (point === undefined) {
    // Accept any PEM spelling OpenSSL reads (line lengths), then insist on the SM2 form.
    try {
      const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
      point = sm2PointFromPem(
        `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`,
      );
    } catch {
      // not readable at all: reported below
    }
  }
  if (point === undefined) {
    problems.add(
      'publicKeyPem',
      `${algorithm} needs an SM2 public key: SPKI with id-ecPublicKey on the sm2p256v1 curve (1.2.156.10197.1.301), uncompressed point`,
    );
    return null;
  }
  const spki = sm2PublicKeyPem(point);
  return { publicKeyPem: spki, fingerprint: spkiThumbprint(spki) };
}
