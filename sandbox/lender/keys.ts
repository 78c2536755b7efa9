/**
 * A sandbox lender's own key pairs: a signing pair and an encryption pair (RSA, or SM2 for a lender
 * on the 国密 suite; PII is encrypted for it). Loaded from a key file, or generated on first start
 * into the data folder and reused on later starts, so a lender registered once at the platform
 * keeps its keys.
 *
 * Key file (JSON, mode 0600): `{ "partnerId", "publicKeys": [PublicKeyRecord…],
 * "privateKeys": [{ "kid", "alg", "privateKeyPem" }…] }`. Next to a generated one the public half
 * alone is written to `public-keys.json` — the file to register at the platform.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type EncryptionAlgorithm,
  generateKeyPair,
  isKeyValidAt,
  type PrivateEncryptionKey,
  type PrivateSigningKey,
  type PublicKeyRecord,
  type SignatureAlgorithm,
} from '../sdk/index.ts';

export interface LenderKeys {
  readonly signing: PrivateSigningKey;
  /** Every private encryption key held (all of them, so blocks made before a rotation still open). */
  readonly encryption: readonly PrivateEncryptionKey[];
  /** The key set to publish. */
  readonly publicKeys: readonly PublicKeyRecord[];
  /** Where the key file is. */
  readonly file: string;
  /** Where the public key set is, when the sandbox wrote it. */
  readonly publicFile: string | undefined;
  readonly generated: boolean;
}

interface KeyFile {
  readonly partnerId: string;
  readonly publicKeys: readonly PublicKeyRecord[];
  readonly privateKeys: readonly {
    readonly kid: string;
    readonly alg: string;
    readonly privateKeyPem: string;
  }[];
}

function fromFile(
  content: KeyFile,
  file: string,
  nowMs: number,
): Omit<LenderKeys, 'publicFile' | 'generated'> {
  const privateOf = (kid: string) => content.privateKeys.find((k) => k.kid === kid)?.privateKeyPem;
  // Sign with the newest valid signing key we hold the private half of (rotation: add, then switch).
  const signingRecord = content.publicKeys
    .filter((k) => k.use === 'signing' && isKeyValidAt(k, nowMs) && privateOf(k.kid) !== undefined)
    .sort((a, b) => b.notBefore - a.notBefore)[0];
  if (signingRecord === undefined || signingRecord.use !== 'signing')
    throw new Error(`${file}: no valid signing key with its private key`);
  const encryption: PrivateEncryptionKey[] = content.publicKeys
    .filter((k) => k.use === 'encryption' && privateOf(k.kid) !== undefined)
    .map((k) => ({ kid: k.kid, alg: k.alg as EncryptionAlgorithm, privateKey: privateOf(k.kid)! }));
  if (encryption.length === 0) throw new Error(`${file}: no encryption key with its private key`);
  return {
    signing: { kid: signingRecord.kid, alg: signingRecord.alg, privateKey: privateOf(signingRecord.kid)! },
    encryption,
    publicKeys: content.publicKeys,
    file,
  };
}

async function readKeyFile(file: string): Promise<KeyFile | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as KeyFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot be read as a key file (${(error as Error).message})`);
  }
}

/**
 * The lender's keys: from `keysFile` when configured (it must exist), else from
 * `<dataDir>/<partnerId>/keys.json`, generated there on first start.
 */
export async function loadLenderKeys(options: {
  readonly partnerId: string;
  readonly keysFile: string | undefined;
  readonly dataDir: string;
  readonly signingAlg: SignatureAlgorithm;
  /** Algorithm of a generated encryption key (default `RSA-OAEP-256`). */
  readonly encryptionAlg?: EncryptionAlgorithm;
  readonly rsaBits: number;
  readonly nowMs: number;
}): Promise<LenderKeys> {
  if (options.keysFile !== undefined) {
    const content = await readKeyFile(options.keysFile);
    if (content === undefined) throw new Error(`${options.keysFile}: key file not found`);
    return { ...fromFile(content, options.keysFile, options.nowMs), publicFile: undefined, generated: false };
  }
  const file = join(options.dataDir, options.partnerId, 'keys.json');
  const publicFile = join(dirname(file), 'public-keys.json');
  const existing = await readKeyFile(file);
  if (existing !== undefined)
    return { ...fromFile(existing, file, options.nowMs), publicFile, generated: false };

  // Valid from a minute ago, so a platform whose clock is slightly behind accepts them at once.
  const validity = { notBefore: options.nowMs - 60_000, modulusLength: options.rsaBits };
  const signing = await generateKeyPair(options.signingAlg, validity);
  const encryption = await generateKeyPair(options.encryptionAlg ?? 'RSA-OAEP-256', validity);
  const content: KeyFile = {
    partnerId: options.partnerId,
    publicKeys: [signing.publicKey, encryption.publicKey],
    privateKeys: [
      { kid: signing.publicKey.kid, alg: signing.publicKey.alg, privateKeyPem: signing.privateKeyPem },
      {
        kid: encryption.publicKey.kid,
        alg: encryption.publicKey.alg,
        privateKeyPem: encryption.privateKeyPem,
      },
    ],
  };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await writeFile(publicFile, `${JSON.stringify(content.publicKeys, null, 2)}\n`);
  return { ...fromFile(content, file, options.nowMs), publicFile, generated: true };
}
