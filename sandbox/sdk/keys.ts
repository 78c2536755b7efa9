import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateNodeKeyPair,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';
import { smProvider } from './sm-provider.ts';
import {
  isSm2PrivateScalar,
  sm2PointFromPem,
  sm2PrivateFrom,
  sm2PrivateKeyPem,
  sm2PublicKeyPem,
  sm2SpkiDer,
} from './sm2-format.ts';

/**
 * Signature algorithms of the envelope. `RSA-SHA256` is RSASSA-PKCS1-v1_5 with SHA-256
 * ("SHA256withRSA"); `SM2-SM3` is the SM2 signature (GB/T 32918.2) over SM3 with the GM/T 0009
 * default user id, and makes the content digest SM3 (see `contentDigest`).
 */
export type SignatureAlgorithm = 'Ed25519' | 'RSA-SHA256' | 'SM2-SM3';
/**
 * Key-wrapping algorithm of PII encryption: `RSA-OAEP-256` (RSAES-OAEP with SHA-256 and
 * MGF1-SHA-256, data encrypted with AES-256-GCM) or `SM2` (SM2 public-key encryption, GB/T 32918.4,
 * C1C3C2, data encrypted with SM4-GCM).
 */
export type EncryptionAlgorithm = 'RSA-OAEP-256' | 'SM2';

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['Ed25519', 'RSA-SHA256', 'SM2-SM3'];
export const ENCRYPTION_ALGORITHMS: readonly EncryptionAlgorithm[] = ['RSA-OAEP-256', 'SM2'];

/** Whether an algorithm is one of the ShangMi (国密) suite, which needs an installed SM provider. */
export function isSmAlgorithm(alg: SignatureAlgorithm | EncryptionAlgorithm): alg is 'SM2-SM3' | 'SM2' {
  return alg === 'SM2-SM3' || alg === 'SM2';
}
/** Smallest RSA modulus accepted anywhere, for signing and for encryption. */
export const MIN_RSA_BITS = 2048;

interface PublicKeyFields {
  /** Key id, unique within one party's key set. */
  readonly kid: string;
  readonly publicKeyPem: string;
  /** First instant (ms since the Unix epoch) the key may be used. */
  readonly notBefore: number;
  /** Instant (ms since the Unix epoch) from which the key is no longer accepted; `null` = open-ended. */
  readonly notAfter: number | null;
}

/** A published public key that verifies signatures. */
export interface PublicSigningKey extends PublicKeyFields {
  readonly use: 'signing';
  readonly alg: SignatureAlgorithm;
}

/** A published public key that PII data keys are wrapped with: RSA or SM2 (Ed25519 cannot encrypt). */
export interface PublicEncryptionKey extends PublicKeyFields {
  readonly use: 'encryption';
  readonly alg: EncryptionAlgorithm;
}

/** One entry of a party's published key set. */
export type PublicKeyRecord = PublicSigningKey | PublicEncryptionKey;

/** A private signing key held by its owner. */
export interface PrivateSigningKey {
  readonly kid: string;
  readonly alg: SignatureAlgorithm;
  /** PKCS#8 PEM, or an already parsed key object (e.g. loaded once at start). */
  readonly privateKey: string | KeyObject;
}

/** A private decryption key held by its owner. */
export interface PrivateEncryptionKey {
  readonly kid: string;
  readonly alg: EncryptionAlgorithm;
  readonly privateKey: string | KeyObject;
}

/** Whether a key is inside its validity interval `[notBefore, notAfter)` at `nowMs`. */
export function isKeyValidAt(key: PublicKeyFields, nowMs: number): boolean {
  return key.notBefore <= nowMs && (key.notAfter === null || nowMs < key.notAfter);
}

/** The signing key with this id that is valid now, or `undefined` (unknown, expired or not yet valid). */
export function findSigningKey(
  keys: readonly PublicKeyRecord[],
  kid: string,
  nowMs: number,
): PublicSigningKey | undefined {
  return keys.find(
    (k): k is PublicSigningKey => k.use === 'signing' && k.kid === kid && isKeyValidAt(k, nowMs),
  );
}

/**
 * The encryption key a sender should use now: among the valid encryption keys, the one that became
 * valid last. During a rotation overlap this moves senders to the new key as soon as it is live,
 * while the recipient can still decrypt messages made with the old one.
 */
export function selectEncryptionKey(
  keys: readonly PublicKeyRecord[],
  nowMs: number,
): PublicEncryptionKey | undefined {
  let best: PublicEncryptionKey | undefined;
  for (const key of keys) {
    if (key.use !== 'encryption' || !isKeyValidAt(key, nowMs)) continue;
    if (best === undefined || key.notBefore > best.notBefore) best = key;
  }
  return best;
}

// Parsing a PEM costs far more than an Ed25519 signature, so parsed keys are cached by their PEM text.
const CACHE_LIMIT = 512;
const publicKeyCache = new Map<string, KeyObject>();
const privateKeyCache = new Map<string, KeyObject>();

function cached(cache: Map<string, KeyObject>, pem: string, parse: (pem: string) => KeyObject): KeyObject {
  const hit = cache.get(pem);
  if (hit !== undefined) return hit;
  const key = parse(pem);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(pem, key);
  return key;
}

/** The key type an algorithm needs; throws on a mismatch or on a too-short RSA modulus. */
function checkKeyFits(key: KeyObject, alg: SignatureAlgorithm | EncryptionAlgorithm, kid: string): KeyObject {
  if (isSmAlgorithm(alg))
    throw new Error(`key ${kid}: ${alg} keys are read with sm2PublicPoint / sm2PrivateKey`);
  const expected = alg === 'Ed25519' ? 'ed25519' : 'rsa';
  if (key.asymmetricKeyType !== expected) {
    throw new Error(`key ${kid}: ${alg} needs an ${expected} key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (expected === 'rsa' && (bits === undefined || bits < MIN_RSA_BITS)) {
    throw new Error(`key ${kid}: RSA keys must have at least ${MIN_RSA_BITS} bits`);
  }
  return key;
}

/** Parses (with caching) and checks a published public key. Throws if the record is unusable. */
export function publicKeyObject(record: PublicKeyRecord): KeyObject {
  return checkKeyFits(cached(publicKeyCache, record.publicKeyPem, createPublicKey), record.alg, record.kid);
}

/** Parses (with caching) and checks a private key. Throws if it does not fit its algorithm. */
export function privateKeyObject(key: PrivateSigningKey | PrivateEncryptionKey): KeyObject {
  const parsed =
    typeof key.privateKey === 'string'
      ? cached(privateKeyCache, key.privateKey, createPrivateKey)
      : key.privateKey;
  if (parsed.type !== 'private') throw new Error(`key ${key.kid}: not a private key`);
  return checkKeyFits(parsed, key.alg, key.kid);
}

const pointCache = new Map<string, Uint8Array>();
const sm2PrivateCache = new Map<string, Sm2KeyPair>();
const sm2KeyObjectCache = new WeakMap<KeyObject, Sm2KeyPair>();

/** The public point (`04 || X || Y`) of a published SM2 key (`SM2-SM3` or `SM2`); throws if unusable. */
export function sm2PublicPoint(record: PublicKeyRecord): Uint8Array {
  if (!isSmAlgorithm(record.alg)) throw new Error(`key ${record.kid}: ${record.alg} is not an SM2 algorithm`);
  const hit = pointCache.get(record.publicKeyPem);
  if (hit !== undefined) return hit;
  const point = sm2PointFromPem(record.publicKeyPem);
  if (point === undefined)
    throw new Error(`key ${record.kid}: ${record.alg} needs an SM2 (sm2p256v1) SPKI public key`);
  if (pointCache.size >= CACHE_LIMIT) pointCache.delete(pointCache.keys().next().value as string);
  pointCache.set(record.publicKeyPem, point);
  return point;
}

/** An SM2 private scalar with its public point (which Z and the signature need). */
export interface Sm2KeyPair {
  readonly d: Uint8Array;
  readonly point: Uint8Array;
}

/**
 * Parses (with caching) an SM2 private key: PKCS#8 PEM or a Node KeyObject on sm2p256v1. The
 * public point is derived from the scalar (and must match the one the encoding carries, if any).
 */
export function sm2PrivateKey(key: PrivateSigningKey | PrivateEncryptionKey): Sm2KeyPair {
  if (!isSmAlgorithm(key.alg)) throw new Error(`key ${key.kid}: ${key.alg} is not an SM2 algorithm`);
  const source = key.privateKey;
  const hit = typeof source === 'string' ? sm2PrivateCache.get(source) : sm2KeyObjectCache.get(source);
  if (hit !== undefined) return hit;
  const parts = sm2PrivateFrom(source);
  if (parts === undefined)
    throw new Error(`key ${key.kid}: ${key.alg} needs an SM2 (sm2p256v1) PKCS#8 private key`);
  const point = smProvider().sm2PublicKeyOf(parts.d);
  if (parts.embeddedPoint !== undefined && !Buffer.from(parts.embeddedPoint).equals(Buffer.from(point)))
    throw new Error(`key ${key.kid}: the public key inside the private key does not match it`);
  const pair = { d: parts.d, point };
  if (typeof source === 'string') {
    if (sm2PrivateCache.size >= CACHE_LIMIT)
      sm2PrivateCache.delete(sm2PrivateCache.keys().next().value as string);
    sm2PrivateCache.set(source, pair);
  } else {
    sm2KeyObjectCache.set(source, pair);
  }
  return pair;
}

/**
 * Default key id: the first 128 bits of SHA-256 over the public key's SPKI DER, base64url. It is
 * stable for a given key, so both sides can recompute it from the PEM.
 */
export function spkiThumbprint(publicKeyPem: string): string {
  const point = sm2PointFromPem(publicKeyPem);
  const der =
    point === undefined
      ? createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' })
      : sm2SpkiDer(point);
  return createHash('sha256').update(der).digest().subarray(0, 16).toString('base64url');
}

/** A fresh SM2 pair: d uniform in [1, n−2] from node:crypto, its point from the SM provider. */
function generateSm2(): { publicKeyPem: string; privateKeyPem: string } {
  for (;;) {
    const d = randomBytes(32);
    if (!isSm2PrivateScalar(d)) continue;
    const point = smProvider().sm2PublicKeyOf(d);
    const pair = { publicKeyPem: sm2PublicKeyPem(point), privateKeyPem: sm2PrivateKeyPem(d, point) };
    d.fill(0);
    return pair;
  }
}

/** Options of {@link generateKeyPair}. */
export interface GenerateKeyPairOptions {
  /** Key id; defaults to {@link spkiThumbprint} of the new public key. */
  readonly kid?: string;
  /** RSA modulus length in bits (default 3072, minimum 2048). Ignored for Ed25519 and SM2. */
  readonly modulusLength?: number;
  /** Start of validity, ms since the epoch. Pass the clock in; there is no hidden `Date.now()`. */
  readonly notBefore: number;
  readonly notAfter?: number | null;
}

/** The result of {@link generateKeyPair}: the record to publish and the private key to keep. */
export interface GeneratedKeyPair<P extends PublicKeyRecord, S> {
  readonly publicKey: P;
  readonly privateKey: S;
  /** The private key as PKCS#8 PEM, for storing in a secret store. */
  readonly privateKeyPem: string;
}

const generate = promisify(generateNodeKeyPair);

/**
 * Generates a key pair for one use: a signing pair (`Ed25519`, `RSA-SHA256` or `SM2-SM3`) or an
 * encryption pair (`RSA-OAEP-256` or `SM2`). SM2 pairs need an installed SM provider; their
 * private key is returned as PKCS#8 PEM (the others as a KeyObject).
 */
export async function generateKeyPair(
  alg: SignatureAlgorithm,
  options: GenerateKeyPairOptions,
): Promise<GeneratedKeyPair<PublicSigningKey, PrivateSigningKey>>;
export async function generateKeyPair(
  alg: EncryptionAlgorithm,
  options: GenerateKeyPairOptions,
): Promise<GeneratedKeyPair<PublicEncryptionKey, PrivateEncryptionKey>>;
export async function generateKeyPair(
  alg: SignatureAlgorithm | EncryptionAlgorithm,
  options: GenerateKeyPairOptions,
): Promise<GeneratedKeyPair<PublicKeyRecord, PrivateSigningKey | PrivateEncryptionKey>> {
  const bits = options.modulusLength ?? 3072;
  const rsa = alg === 'RSA-SHA256' || alg === 'RSA-OAEP-256';
  if (rsa && bits < MIN_RSA_BITS) throw new Error(`RSA keys must have at least ${MIN_RSA_BITS} bits`);
  let publicKeyPem: string;
  let privateKeyPem: string;
  let privateKey: string | KeyObject;
  if (isSmAlgorithm(alg)) {
    ({ publicKeyPem, privateKeyPem } = generateSm2());
    privateKey = privateKeyPem;
  } else {
    const pair =
      alg === 'Ed25519' ? await generate('ed25519') : await generate('rsa', { modulusLength: bits });
    publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    privateKey = pair.privateKey;
  }
  const kid = options.kid ?? spkiThumbprint(publicKeyPem);
  const validity = { publicKeyPem, notBefore: options.notBefore, notAfter: options.notAfter ?? null };
  if (alg === 'RSA-OAEP-256' || alg === 'SM2') {
    return {
      publicKey: { use: 'encryption', kid, alg, ...validity },
      privateKey: { kid, alg, privateKey },
      privateKeyPem,
    };
  }
  return {
    publicKey: { use: 'signing', kid, alg, ...validity },
    privateKey: { kid, alg, privateKey },
    privateKeyPem,
  };
}
