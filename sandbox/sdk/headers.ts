/** HTTP header names of the Lendgate envelope (HTTP header names are case-insensitive). */
export const ENVELOPE_HEADERS = {
  partnerId: 'X-Lendgate-Partner',
  requestId: 'X-Lendgate-Request-Id',
  timestamp: 'X-Lendgate-Timestamp',
  nonce: 'X-Lendgate-Nonce',
  keyId: 'X-Lendgate-Key-Id',
  algorithm: 'X-Lendgate-Algorithm',
  contentSha256: 'X-Lendgate-Content-SHA256',
  signature: 'X-Lendgate-Signature',
} as const;

/** Header name → value, as produced by the signing helpers. */
export type EnvelopeHeaders = Readonly<Record<string, string>>;

/**
 * Incoming headers in either shape a Node server meets: a fetch `Headers` object, or a plain record
 * such as `IncomingHttpHeaders` (lower-case keys; repeated headers as arrays).
 */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads one header case-insensitively. Returns `undefined` when absent, and also when the header
 * was sent more than once: an envelope field with two values is ambiguous, so it is malformed.
 */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) {
    const value = headers.get(name);
    // fetch joins repeated headers with ", "; none of our values may contain a comma or space.
    return value === null || value.includes(',') ? undefined : value;
  }
  const wanted = name.toLowerCase();
  let found: string | undefined;
  let count = 0;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (typeof value !== 'string') {
      if (value.length !== 1) return undefined;
      found = value[0];
    } else {
      found = value;
    }
    count += 1;
  }
  return count === 1 ? found : undefined;
}
