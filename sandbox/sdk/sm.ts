/**
 * The SDK's SM provider, on sm-crypto-v2 (SM2 on @noble/curves, SM3, SM4 with GCM). A separate entry
 * point: the only SDK file that imports a library, imported by nothing in the SDK core. A lender or
 * the platform that uses the SM suite imports `installSm` from this file and calls it once at start.
 *
 * Why sm-crypto-v2: it implements GM/T 0003 SM2 with the GM/T 0009 Z value (default user id
 * 1234567812345678), C1C3C2 ciphertexts, SM3 and SM4 including GCM, typed, on BigInt and the audited
 * @noble/curves arithmetic, maintained (1.15.x, 2025). Node's OpenSSL has SM3 and SM4-ECB/CBC/CTR
 * but no SM2 signature with Z and no SM4-GCM, so it cannot carry the suite alone; the tests use it as
 * the independent implementation to cross-check this one.
 */
import { sm2, sm3, sm4 } from 'sm-crypto-v2';
import type { SmProvider } from './sm-provider.ts';
import { installSmProvider } from './sm-provider.ts';

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

/** Window of the per-key precomputation: ~25 ms once per key, then verify and encrypt run ~4× faster. */
const PRECOMPUTE_WINDOW = 5;
/** Public keys kept precomputed (about 0.15 MB each), oldest dropped first. */
const PRECOMPUTED_KEYS = 64;
type Sm2Point = ReturnType<typeof sm2.precomputePublicKey>;

/**
 * A partner's public key is used again and again (every callback, every PII block), so its point is
 * parsed once and given a precomputed multiplication table, which sm-crypto-v2 accepts in place of
 * the hex key.
 */
function pointCache(): (publicKey: Uint8Array) => Sm2Point {
  const points = new Map<string, Sm2Point>();
  return (publicKey) => {
    const key = hex(publicKey);
    let point = points.get(key);
    if (point === undefined) {
      point = sm2.precomputePublicKey(key, PRECOMPUTE_WINDOW);
      if (points.size >= PRECOMPUTED_KEYS) points.delete(points.keys().next().value as string);
      points.set(key, point);
    }
    return point;
  };
}

/** A nonce source for SM2 signing: `undefined` draws a fresh random k (the only choice outside tests). */
export type Sm2NonceSource = (() => bigint) | undefined;

/**
 * The sm-crypto-v2 provider. `nonce` exists only to reproduce the standard's signature example with
 * its fixed k; never pass one in production (a repeated k reveals the private key).
 */
export function createSmCryptoV2Provider(options: { readonly nonce?: Sm2NonceSource } = {}): SmProvider {
  const nonce = options.nonce;
  const pointOf = pointCache();
  return {
    name: 'sm-crypto-v2',
    sm3: (data) => bytes(sm3(data)),
    sm2PublicKeyOf: (privateKey) => bytes(sm2.getPublicKeyFromPrivateKey(hex(privateKey))),
    sm2Sign(privateKey, publicKey, message, userId) {
      const pointPool =
        nonce === undefined
          ? undefined
          : (() => {
              const k = nonce();
              const kG = sm2.getPublicKeyFromPrivateKey(k.toString(16).padStart(64, '0'));
              return [{ k, x1: BigInt(`0x${kG.slice(2, 66)}`) }] as unknown as ReturnType<
                typeof sm2.getPoint
              >[];
            })();
      const rs = sm2.doSignature(message, hex(privateKey), {
        hash: true,
        publicKey: hex(publicKey),
        userId,
        ...(pointPool === undefined ? {} : { pointPool }),
      });
      return bytes(rs);
    },
    sm2Verify(publicKey, message, signature, userId) {
      try {
        return sm2.doVerifySignature(message, hex(signature), pointOf(publicKey), { hash: true, userId });
      } catch {
        return false;
      }
    },
    sm2Encrypt(publicKey, plaintext) {
      // sm-crypto-v2 writes C1 without its 04 prefix (x1 || y1 || C3 || C2); the envelope keeps it.
      return bytes(`04${sm2.doEncrypt(plaintext, pointOf(publicKey), 1)}`);
    },
    sm2Decrypt(privateKey, ciphertext) {
      if (ciphertext[0] !== 0x04) throw new Error('SM2 ciphertext: C1 must be an uncompressed point');
      const plain = sm2.doDecrypt(hex(ciphertext.subarray(1)), hex(privateKey), 1, { output: 'array' });
      // doDecrypt answers an empty result when C3 does not check.
      if (plain.length === 0) throw new Error('SM2 ciphertext does not decrypt');
      return Uint8Array.from(plain);
    },
    sm4GcmEncrypt(key, iv, plaintext, aad) {
      if (key.length !== 16 || iv.length !== 12) throw new Error('SM4-GCM: 16-byte key and 12-byte IV');
      const { output, tag } = sm4.encrypt(plaintext, key, {
        mode: 'gcm',
        iv,
        associatedData: aad,
        output: 'array',
        outputTag: true,
      });
      if (tag === undefined || tag.length !== 16) throw new Error('SM4-GCM: no tag');
      return { ciphertext: output, tag };
    },
    sm4GcmDecrypt(key, iv, ciphertext, aad, tag) {
      // The library skips the tag check when no tag is given: insist on one.
      if (key.length !== 16 || iv.length !== 12 || tag.length !== 16)
        throw new Error('SM4-GCM: 16-byte key, 12-byte IV and 16-byte tag');
      return sm4.decrypt(ciphertext, key, { mode: 'gcm', iv, associatedData: aad, tag, output: 'array' });
    },
  };
}

/** The provider `installSm` installs. */
export const smCryptoV2Provider: SmProvider = createSmCryptoV2Provider();

/** Installs the sm-crypto-v2 provider for this process (idempotent). */
export function installSm(): SmProvider {
  installSmProvider(smCryptoV2Provider);
  return smCryptoV2Provider;
}
