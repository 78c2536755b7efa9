/**
 * The ShangMi (国密) primitives behind the envelope's `SM2-SM3` signatures, `SM2` key encryption and
 * SM4-GCM PII blocks, as a small interface on raw bytes. The SDK core formats, parses and checks
 * everything itself (PEM and DER, signature encoding, ciphertext layout, scalar and point ranges)
 * and only asks a provider for the arithmetic, so the core stays dependency-free.
 *
 * A provider is installed once per process: `installSm()` from `sandbox/sdk/sm.ts` (the one SDK file
 * that imports a library, sm-crypto-v2), or `installSmProvider(yours)` to plug in another
 * implementation (a native binding, an HSM). Without one, SM keys cannot be used: signing or
 * encrypting throws {@link SmUnavailableError}, and a message that names `SM2-SM3` is refused as
 * `MALFORMED_ENVELOPE` (algorithm not supported here).
 */

/** GM/T 0009-2012 §10 default user id (distinguishing identifier) for Z: the ASCII string 1234567812345678. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

/** Raw SM primitives. Byte layouts are fixed; inputs have been range- and length-checked by the caller. */
export interface SmProvider {
  /** For logs and errors, e.g. `sm-crypto-v2`. */
  readonly name: string;
  /** SM3 (GB/T 32905-2016) digest: 32 bytes. */
  sm3(data: Uint8Array): Uint8Array;
  /** The public point d·G of a private scalar: 65 bytes `04 || X || Y`. */
  sm2PublicKeyOf(privateKey: Uint8Array): Uint8Array;
  /**
   * SM2 signature (GB/T 32918.2-2016) over e = SM3(Z || message), Z as in GB/T 32918.2 §5.5 with
   * `userId` (ASCII) and `publicKey`. `privateKey` is the 32-byte scalar, `publicKey` its point
   * (65 bytes). Returns `r || s`, 64 bytes, each big-endian and zero-padded.
   */
  sm2Sign(privateKey: Uint8Array, publicKey: Uint8Array, message: Uint8Array, userId: string): Uint8Array;
  /** Checks an `r || s` signature (64 bytes, r and s already known to lie in [1, n−1]). */
  sm2Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, userId: string): boolean;
  /**
   * SM2 public-key encryption (GB/T 32918.4-2016) with SM3 in the KDF and C3. Returns
   * `C1 || C3 || C2`, C1 the uncompressed point `04 || x1 || y1` (65 bytes), C3 32 bytes, C2 as long
   * as the plaintext.
   */
  sm2Encrypt(publicKey: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** The inverse of {@link sm2Encrypt}; throws (or returns an empty array) when C3 does not check. */
  sm2Decrypt(privateKey: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  /** SM4-GCM (GB/T 36624-2018 GCM with the SM4 block cipher, as in RFC 8998): 16-byte key, 12-byte IV, 16-byte tag. */
  sm4GcmEncrypt(
    key: Uint8Array,
    iv: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): { readonly ciphertext: Uint8Array; readonly tag: Uint8Array };
  /** Throws when the tag does not verify. */
  sm4GcmDecrypt(
    key: Uint8Array,
    iv: Uint8Array,
    ciphertext: Uint8Array,
    aad: Uint8Array,
    tag: Uint8Array,
  ): Uint8Array;
}

/** Thrown when an SM algorithm is used in a process without an installed {@link SmProvider}. */
export class SmUnavailableError extends Error {
  override readonly name = 'SmUnavailableError';
  constructor() {
    super('SM2/SM3/SM4 are not available: install a provider first (installSm() from sandbox/sdk/sm.ts)');
  }
}

let installed: SmProvider | undefined;

/** Installs the process-wide SM provider (or removes it with `undefined`); returns the previous one. */
export function installSmProvider(provider: SmProvider | undefined): SmProvider | undefined {
  const previous = installed;
  installed = provider;
  return previous;
}

/** Whether SM algorithms can be used in this process. */
export function smAvailable(): boolean {
  return installed !== undefined;
}

/** The installed provider; throws {@link SmUnavailableError} when there is none. */
export function smProvider(): SmProvider {
  if (installed === undefined) throw new SmUnavailableError();
  return installed;
}
