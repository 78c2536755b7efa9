import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateNodeKeyPair,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';

/** Signature algorithms of the envelope. `RSA-SHA256` is RSASSA-PKCS1-v1_5 with SHA-256 ("SHA256withRSA"). */
export type SignatureAlgorithm = 'Ed25519' | 'RSA-SHA256';
/** Key-wrapping algorithm of PII encryption: RSAES-OAEP with SHA-256 and MGF1-SHA-256. */
export type EncryptionAlgorithm = 'RSA-OAEP-256';

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['Ed25519', 'RSA-SHA256'];
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

/** A published public key that PII data keys are wrapped with. Ed25519 cannot encrypt, so this is RSA. */
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

/**
 * Default key id: the first 128 bits of SHA-256 over the public key's SPKI DER, base64url. It is
 * stable for a given key, so both sides can recompute it from the PEM.
 */
export function spkiThumbprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest().subarray(0, 16).toString('base64url');
}

/** Options of {@link generateKeyPair}. */
export interface GenerateKeyPairOptions {
  /** Key id; defaults to {@link spkiThumbprint} of the new public key. */
  readonly kid?: string;
  /** RSA modulus length in bits (default 3072, minimum 2048). Ignored for Ed25519. */
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
 * Generates a key pair for one use: a signing pair (`Ed25519` or `RSA-SHA256`) or an encryption
 * pair (`RSA-OAEP-256`).
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
  if (alg !== 'Ed25519' && bits < MIN_RSA_BITS)
    throw new Error(`RSA keys must have at least ${MIN_RSA_BITS} bits`);
  const pair = alg === 'Ed25519' ? await generate('ed25519') : await generate('rsa', { modulusLength: bits });
  const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const kid = options.kid ?? spkiThumbprint(publicKeyPem);
  const validity = { publicKeyPem, notBefore: options.notBefore, notAfter: options.notAfter ?? null };
  if (alg === 'RSA-OAEP-256') {
    return {
      publicKey: { use: 'encryption', kid, alg, ...validity },
      privateKey: { kid, alg, privateKey: pair.privateKey },
      privateKeyPem,
    };
  }
  return {
    publicKey: { use: 'signing', kid, alg, ...validity },
    privateKey: { kid, alg, privateKey: pair.privateKey },
    privateKeyPem,
  };
}
