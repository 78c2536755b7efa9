import { constants, type KeyObject, sign, verify } from 'node:crypto';
import type { SignatureAlgorithm } from './keys.ts';

// Ed25519 hashes internally (digest argument null). RSA-SHA256 is PKCS#1 v1.5, the scheme Java calls
// "SHA256withRSA", which lender stacks already have; v1.5 *signatures* have no known practical
// weakness (unlike v1.5 encryption, which this protocol never uses).
function digestOf(alg: SignatureAlgorithm): string | null {
  return alg === 'Ed25519' ? null : 'sha256';
}

function keyInput(alg: SignatureAlgorithm, key: KeyObject): KeyObject | { key: KeyObject; padding: number } {
  return alg === 'Ed25519' ? key : { key, padding: constants.RSA_PKCS1_PADDING };
}

/** Signs the UTF-8 bytes of a canonical string; returns standard base64 with padding. */
export function signCanonical(alg: SignatureAlgorithm, privateKey: KeyObject, canonical: string): string {
  return sign(digestOf(alg), Buffer.from(canonical, 'utf8'), keyInput(alg, privateKey)).toString('base64');
}

/** Checks a signature over the UTF-8 bytes of a canonical string. */
export function verifyCanonical(
  alg: SignatureAlgorithm,
  publicKey: KeyObject,
  canonical: string,
  signature: Uint8Array,
): boolean {
  return verify(digestOf(alg), Buffer.from(canonical, 'utf8'), keyInput(alg, publicKey), signature);
}
