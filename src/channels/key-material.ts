/**
 * Checks a channel's published public key before it is stored: a public key only (never a private
 * one), of the type its JWS algorithm needs, and normalised to a minimal public JWK with its RFC 7638
 * thumbprint. Pure computation on node:crypto.
 */
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { ChannelKeyAlgorithm } from './model.ts';

const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

export interface CheckedChannelKey {
  readonly publicJwk: Readonly<Record<string, string>>;
  readonly thumbprint: string;
}

export type KeyCheck =
  | { readonly ok: true; readonly key: CheckedChannelKey }
  | { readonly ok: false; readonly field: string; readonly message: string };

function fail(field: string, message: string): KeyCheck {
  return { ok: false, field, message };
}

/** The members RFC 7638 hashes, in its (lexicographic) order, for each key type. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/** The minimal public JWK (only the members RFC 7638 names) of a key object. */
export function minimalPublicJwk(key: KeyObject): Record<string, string> {
  const full = key.export({ format: 'jwk' }) as Record<string, unknown>;
  const members = THUMBPRINT_MEMBERS[String(full.kty)];
  if (!members) throw new Error(`unsupported key type ${String(full.kty)}`);
  const out: Record<string, string> = {};
  for (const name of members) out[name] = String(full[name]);
  return out;
}

/** RFC 7638 SHA-256 thumbprint, base64url, of a minimal public JWK. */
export function jwkThumbprint(jwk: Readonly<Record<string, string>>): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? ''] ?? [];
  const canonical = `{${members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

function keyFitsAlgorithm(key: KeyObject, alg: ChannelKeyAlgorithm): string | null {
  const type = key.asymmetricKeyType;
  if (alg === 'EdDSA')
    return type === 'ed25519' ? null : `EdDSA needs an Ed25519 key, got ${type ?? 'unknown'}`;
  if (alg === 'ES256') {
    if (type !== 'ec') return `ES256 needs an EC P-256 key, got ${type ?? 'unknown'}`;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'prime256v1' ? null : `ES256 needs the P-256 curve, got ${curve ?? 'unknown'}`;
  }
  if (type !== 'rsa') return `RS256 needs an RSA key, got ${type ?? 'unknown'}`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  return bits >= MIN_RSA_BITS && bits <= MAX_RSA_BITS
    ? null
    : `RSA keys must have ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits, this one has ${bits}`;
}

/** Validates and normalises a channel's public key given as a JWK or as a PEM (SPKI). */
export function checkChannelKey(input: {
  readonly alg: ChannelKeyAlgorithm;
  readonly jwk?: Readonly<Record<string, unknown>>;
  readonly publicKeyPem?: string;
}): KeyCheck {
  if ((input.jwk === undefined) === (input.publicKeyPem === undefined)) {
    return fail('jwk', 'send exactly one of jwk or publicKeyPem');
  }
  let key: KeyObject;
  if (input.jwk !== undefined) {
    const jwk = input.jwk;
    if (PRIVATE_JWK_MEMBERS.some((name) => name in jwk)) {
      return fail('jwk', 'is a private key: send only the public key, and keep the private key secret');
    }
    if (jwk.alg !== undefined && jwk.alg !== input.alg)
      return fail('jwk.alg', `must be ${input.alg} or absent`);
    if (jwk.use !== undefined && jwk.use !== 'sig') return fail('jwk.use', 'must be sig or absent');
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      return fail('jwk', 'is not a readable public JWK');
    }
  } else {
    const pem = input.publicKeyPem!.trim();
    if (pem.includes('PRIVATE KEY')) {
      return fail(
        'publicKeyPem',
        'is a private key: send only the public key, and keep the private key secret',
      );
    }
    if (!pem.startsWith('-----BEGIN PUBLIC KEY-----')) {
      return fail('publicKeyPem', 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
    }
    try {
      key = createPublicKey(pem);
    } catch {
      return fail('publicKeyPem', 'is not a readable public key');
    }
  }
  if (key.type !== 'public') return fail(input.jwk ? 'jwk' : 'publicKeyPem', 'must be a public key');
  const mismatch = keyFitsAlgorithm(key, input.alg);
  if (mismatch) return fail(input.jwk ? 'jwk' : 'publicKeyPem', mismatch);
  const publicJwk = minimalPublicJwk(key);
  return { ok: true, key: { publicJwk, thumbprint: jwkThumbprint(publicJwk) } };
}
