import { constants, type KeyObject, sign, verify } from 'node:crypto';
import {
  type PrivateSigningKey,
  type PublicSigningKey,
  privateKeyObject,
  publicKeyObject,
  type SignatureAlgorithm,
  sm2PrivateKey,
  sm2PublicPoint,
} from './keys.ts';
import { SM2_DEFAULT_USER_ID, smProvider } from './sm-provider.ts';
import { sm2SignatureFromDer, sm2SignatureToDer } from './sm2-format.ts';

// Ed25519 hashes internally (digest argument null). RSA-SHA256 is PKCS#1 v1.5, the scheme Java calls
// "SHA256withRSA", which lender stacks already have; v1.5 *signatures* have no known practical
// weakness (unlike v1.5 encryption, which this protocol never uses). SM2-SM3 goes to the installed
// SM provider: e = SM3(Z || canonical) with the GM/T 0009 default user id, the signature DER-encoded
// (GM/T 0009 SM2Signature, what OpenSSL and BouncyCastle's SM2Signer produce).
function digestOf(alg: SignatureAlgorithm): string | null {
  return alg === 'Ed25519' ? null : 'sha256';
}

function keyInput(alg: SignatureAlgorithm, key: KeyObject): KeyObject | { key: KeyObject; padding: number } {
  return alg === 'Ed25519' ? key : { key, padding: constants.RSA_PKCS1_PADDING };
}

/** Signs the UTF-8 bytes of a canonical string; returns standard base64 with padding. */
export function signCanonical(key: PrivateSigningKey, canonical: string): string {
  const message = Buffer.from(canonical, 'utf8');
  if (key.alg === 'SM2-SM3') {
    const { d, point } = sm2PrivateKey(key);
    const rs = smProvider().sm2Sign(d, point, message, SM2_DEFAULT_USER_ID);
    return Buffer.from(sm2SignatureToDer(rs)).toString('base64');
  }
  return sign(digestOf(key.alg), message, keyInput(key.alg, privateKeyObject(key))).toString('base64');
}

/** Checks a signature over the UTF-8 bytes of a canonical string with a published signing key. */
export function verifyCanonical(key: PublicSigningKey, canonical: string, signature: Uint8Array): boolean {
  const message = Buffer.from(canonical, 'utf8');
  if (key.alg === 'SM2-SM3') {
    const rs = sm2SignatureFromDer(signature);
    if (rs === undefined) return false;
    try {
      return smProvider().sm2Verify(sm2PublicPoint(key), message, rs, SM2_DEFAULT_USER_ID);
    } catch {
      return false;
    }
  }
  return verify(digestOf(key.alg), message, keyInput(key.alg, publicKeyObject(key)), signature);
}
