import { createHash } from 'node:crypto';
import { smProvider } from './sm-provider.ts';

/** Bytes of a message body exactly as sent: strings are UTF-8 encoded, byte arrays are used as they are. */
export function bodyBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** SHA-256 of the exact body bytes, standard base64 with padding (the `X-Lendgate-Content-SHA256` value). */
export function contentSha256(body: string | Uint8Array): string {
  return createHash('sha256').update(bodyBytes(body)).digest('base64');
}

/**
 * The `X-Lendgate-Content-SHA256` value for a message signed with `alg`: SHA-256 of the body, or SM3
 * when the signature is `SM2-SM3` (a partner on the SM suite uses SM algorithms only). Both digests
 * are 32 bytes, standard base64 with padding (44 characters).
 */
export function contentDigest(alg: string, body: string | Uint8Array): string {
  if (alg !== 'SM2-SM3') return contentSha256(body);
  return Buffer.from(smProvider().sm3(bodyBytes(body))).toString('base64');
}

/** Base64url without padding (RFC 4648 §5), used for nonces and the encrypted PII block. */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Strict base64url decoding. Node's decoder silently skips characters outside the alphabet, which
 * would let two different strings stand for the same bytes; we refuse them instead.
 */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Reject non-canonical encodings (stray bits in the last character).
  return bytes.toString('base64url') === text ? bytes : undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict standard-base64 decoding (with padding), used for signatures. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
