import {
  constants,
  createCipheriv,
  createDecipheriv,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { fromBase64Url, toBase64Url } from './encoding.ts';
import {
  type EncryptionAlgorithm,
  type PrivateEncryptionKey,
  type PublicEncryptionKey,
  privateKeyObject,
  publicKeyObject,
  sm2PrivateKey,
  sm2PublicPoint,
} from './keys.ts';
import { smProvider } from './sm-provider.ts';
import { SM2_CIPHERTEXT_OVERHEAD } from './sm2-format.ts';

/** Content-encryption scheme of blocks for an RSA-OAEP-256 key: RSA-OAEP wraps an AES-256-GCM key. */
export const PII_ALGORITHM = 'RSA-OAEP-256+A256GCM';
/**
 * Scheme of blocks for an SM2 key (国密 digital envelope): SM2 encryption (GB/T 32918.4, C1C3C2)
 * wraps an SM4 key, and SM4-GCM (GB/T 36624 / RFC 8998) encrypts the data.
 */
export const PII_SM_ALGORITHM = 'SM2+SM4-GCM';
export type PiiAlgorithm = typeof PII_ALGORITHM | typeof PII_SM_ALGORITHM;
export const PII_ALGORITHMS: readonly PiiAlgorithm[] = [PII_ALGORITHM, PII_SM_ALGORITHM];

/** The block scheme used for a recipient key of this algorithm. */
export function piiAlgorithmFor(alg: EncryptionAlgorithm): PiiAlgorithm {
  return alg === 'SM2' ? PII_SM_ALGORITHM : PII_ALGORITHM;
}

/**
 * PII encrypted for one recipient. All binary fields are base64url without padding.
 * `RSA-OAEP-256+A256GCM`: `wrappedKey` is a fresh AES-256 key encrypted with the recipient's RSA key
 * (OAEP, SHA-256); `ciphertext` and `tag` come from AES-256-GCM with a fresh 96-bit `iv`.
 * `SM2+SM4-GCM`: `wrappedKey` is a fresh 128-bit SM4 key encrypted with the recipient's SM2 key
 * (C1 || C3 || C2, 113 bytes); `ciphertext` and `tag` come from SM4-GCM with a fresh 96-bit `iv`.
 */
export interface EncryptedPii {
  readonly alg: PiiAlgorithm;
  readonly kid: string;
  readonly wrappedKey: string;
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

/** The message an encrypted block belongs to; it is authenticated as AES-GCM additional data. */
export interface PiiContext {
  readonly partnerId: string;
  readonly requestId: string;
}

/** Thrown when a block cannot be decrypted. Deliberately uninformative about which check failed. */
export class PiiDecryptionError extends Error {
  override readonly name = 'PiiDecryptionError';
}

const DATA_KEY_BYTES = 32;
const SM4_KEY_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * `LENDGATE-PII-V1\nALG\nKID\nPARTNER\nREQUEST_ID` as UTF-8. Binding the request id means a block
 * lifted from one message does not decrypt inside another; binding alg and kid stops a block's
 * header from being rewritten.
 */
export function piiAdditionalData(
  kid: string,
  context: PiiContext,
  alg: PiiAlgorithm = PII_ALGORITHM,
): Buffer {
  return Buffer.from(['LENDGATE-PII-V1', alg, kid, context.partnerId, context.requestId].join('\n'), 'utf8');
}

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

/**
 * Encrypts a JSON value for the holder of `recipient` (use {@link selectEncryptionKey} to pick the
 * current key from a key set). A new data key and IV are drawn for every call, so encrypting the same
 * value twice gives unrelated ciphertexts.
 */
export function encryptPii(
  value: unknown,
  recipient: PublicEncryptionKey,
  context: PiiContext,
): EncryptedPii {
  const plaintext: string | undefined = JSON.stringify(value);
  if (plaintext === undefined) throw new TypeError('PII value is not serializable as JSON');
  if (recipient.alg === 'SM2') return encryptSm(Buffer.from(plaintext, 'utf8'), recipient, context);
  const dataKey = randomBytes(DATA_KEY_BYTES);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(piiAdditionalData(recipient.kid, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const wrappedKey = publicEncrypt({ key: publicKeyObject(recipient), ...OAEP }, dataKey);
  dataKey.fill(0);
  return {
    alg: PII_ALGORITHM,
    kid: recipient.kid,
    wrappedKey: toBase64Url(wrappedKey),
    iv: toBase64Url(iv),
    ciphertext: toBase64Url(ciphertext),
    tag: toBase64Url(cipher.getAuthTag()),
  };
}

function encryptSm(plaintext: Buffer, recipient: PublicEncryptionKey, context: PiiContext): EncryptedPii {
  const sm = smProvider();
  const point = sm2PublicPoint(recipient);
  const dataKey = randomBytes(SM4_KEY_BYTES);
  const iv = randomBytes(IV_BYTES);
  try {
    const aad = piiAdditionalData(recipient.kid, context, PII_SM_ALGORITHM);
    const { ciphertext, tag } = sm.sm4GcmEncrypt(dataKey, iv, plaintext, aad);
    const wrappedKey = sm.sm2Encrypt(point, dataKey);
    return {
      alg: PII_SM_ALGORITHM,
      kid: recipient.kid,
      wrappedKey: toBase64Url(wrappedKey),
      iv: toBase64Url(iv),
      ciphertext: toBase64Url(ciphertext),
      tag: toBase64Url(tag),
    };
  } finally {
    dataKey.fill(0);
  }
}

function field(block: Readonly<Record<string, unknown>>, name: string): Uint8Array {
  const value = block[name];
  const bytes = typeof value === 'string' ? fromBase64Url(value) : undefined;
  if (bytes === undefined) throw new PiiDecryptionError(`encrypted PII: ${name} is not base64url`);
  return bytes;
}

function unwrapDataKey(key: KeyObject, wrapped: Uint8Array): Buffer {
  try {
    const dataKey = privateDecrypt({ key, ...OAEP }, wrapped);
    if (dataKey.length === DATA_KEY_BYTES) return dataKey;
  } catch {
    // fall through: a wrong key and a corrupted wrap look the same to the caller
  }
  throw new PiiDecryptionError('encrypted PII cannot be decrypted');
}

/**
 * Decrypts a block made by {@link encryptPii}. `keys` are the recipient's private encryption keys;
 * during a rotation overlap pass both, and the block's `kid` picks one. The context must be the one
 * of the message the block arrived in. Returns the parsed JSON value (validate it before use).
 */
export function decryptPii(
  block: unknown,
  keys: PrivateEncryptionKey | readonly PrivateEncryptionKey[],
  context: PiiContext,
): unknown {
  if (typeof block !== 'object' || block === null)
    throw new PiiDecryptionError('encrypted PII is not an object');
  const b = block as Readonly<Record<string, unknown>>;
  const alg = PII_ALGORITHMS.find((a) => a === b.alg);
  if (alg === undefined)
    throw new PiiDecryptionError(`encrypted PII: alg must be one of ${PII_ALGORITHMS.join(', ')}`);
  const candidates: readonly PrivateEncryptionKey[] = Array.isArray(keys)
    ? keys
    : [keys as PrivateEncryptionKey];
  const key = candidates.find((k) => k.kid === b.kid);
  if (key === undefined) throw new PiiDecryptionError('encrypted PII is for a key we do not hold');
  // The scheme follows the key, never the block: an RSA key never opens an SM block, or the reverse.
  if (piiAlgorithmFor(key.alg) !== alg)
    throw new PiiDecryptionError(`encrypted PII: key ${key.kid} is not for ${alg}`);
  const iv = field(b, 'iv');
  const tag = field(b, 'tag');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    throw new PiiDecryptionError('encrypted PII: bad iv or tag length');
  if (alg === PII_SM_ALGORITHM) return decryptSm(b, key, iv, tag, context);
  const dataKey = unwrapDataKey(privateKeyObject(key), field(b, 'wrappedKey'));
  try {
    // authTagLength pins the tag size: without it GCM would accept a truncated, forgeable tag.
    const decipher = createDecipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(piiAdditionalData(key.kid, context));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(field(b, 'ciphertext')), decipher.final()]);
    return JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw new PiiDecryptionError('encrypted PII cannot be decrypted');
  } finally {
    dataKey.fill(0);
  }
}

function decryptSm(
  b: Readonly<Record<string, unknown>>,
  key: PrivateEncryptionKey,
  iv: Uint8Array,
  tag: Uint8Array,
  context: PiiContext,
): unknown {
  const wrapped = field(b, 'wrappedKey');
  const ciphertext = field(b, 'ciphertext');
  if (wrapped.length !== SM2_CIPHERTEXT_OVERHEAD + SM4_KEY_BYTES || wrapped[0] !== 0x04)
    throw new PiiDecryptionError('encrypted PII: bad wrappedKey length');
  const sm = smProvider();
  const { d } = sm2PrivateKey(key);
  let dataKey: Uint8Array | undefined;
  try {
    dataKey = sm.sm2Decrypt(d, wrapped);
    if (dataKey.length !== SM4_KEY_BYTES) throw new PiiDecryptionError('encrypted PII cannot be decrypted');
    const aad = piiAdditionalData(key.kid, context, PII_SM_ALGORITHM);
    const plaintext = sm.sm4GcmDecrypt(dataKey, iv, ciphertext, aad, tag);
    return JSON.parse(Buffer.from(plaintext).toString('utf8'));
  } catch {
    // a wrong key, a corrupted wrap, a bad tag and bad JSON look the same to the caller
    throw new PiiDecryptionError('encrypted PII cannot be decrypted');
  } finally {
    dataKey?.fill(0);
  }
}
