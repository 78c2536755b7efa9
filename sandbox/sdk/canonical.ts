/**
 * The canonical strings that are signed. Every field is checked against a strict pattern before it
 * goes in, so no field can contain a line break and smuggle in another line.
 */

/** First line of a signed request: names the protocol version and the message kind. */
export const REQUEST_TAG = 'LENDGATE-REQUEST-V1';
/**
 * First line of a signed response. It differs from the request tag so that a signed response can
 * never be presented as a signed request (both may be made with the same key).
 */
export const RESPONSE_TAG = 'LENDGATE-RESPONSE-V1';

/** Field patterns, shared by the signer (fail fast) and the verifier (`MALFORMED_ENVELOPE`). */
export const FIELD_PATTERNS = {
  method: /^[A-Z]{1,16}$/,
  // The request target as sent: path and query, printable ASCII without spaces or a fragment.
  path: /^\/[\x21-\x22\x24-\x7e]{0,2047}$/,
  partnerId: /^[A-Za-z0-9._-]{1,64}$/,
  requestId: /^[A-Za-z0-9._:-]{1,128}$/,
  // Unix time in whole seconds, decimal, no leading zeros.
  timestamp: /^(0|[1-9][0-9]{0,11})$/,
  // base64url without padding, at least 22 characters = at least 128 bits.
  nonce: /^[A-Za-z0-9_-]{22,128}$/,
  keyId: /^[A-Za-z0-9._:-]{1,128}$/,
  contentSha256: /^[A-Za-z0-9+/]{43}=$/,
  signature: /^[A-Za-z0-9+/]{4,1400}={0,2}$/,
  status: /^[1-5][0-9]{2}$/,
} as const;

/** The fields covered by a request signature. */
export interface RequestSigningFields {
  readonly method: string;
  readonly path: string;
  readonly timestamp: string;
  readonly nonce: string;
  readonly contentSha256: string;
  readonly partnerId: string;
  readonly requestId: string;
}

/** The fields covered by a response signature: the answer plus the request it answers. */
export interface ResponseSigningFields extends RequestSigningFields {
  readonly status: string;
}

/** Names the first field that does not match its pattern, or `undefined` when all do. */
export function invalidField(fields: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(fields)) {
    const pattern = FIELD_PATTERNS[name as keyof typeof FIELD_PATTERNS];
    if (pattern !== undefined && !pattern.test(value)) return name;
  }
  return undefined;
}

/**
 * The lines both signatures cover, in this order. For a response they are the method, path, partner
 * and request id of the request it answers with the response's own timestamp, nonce and digest, so
 * the two canonical strings differ only in their tag line and the response's status line.
 */
function signedLines(f: RequestSigningFields): string[] {
  return [f.method, f.path, f.timestamp, f.nonce, f.contentSha256, f.partnerId, f.requestId];
}

/**
 * `LENDGATE-REQUEST-V1\nMETHOD\nPATH\nTIMESTAMP\nNONCE\nCONTENT_SHA256\nPARTNER\nREQUEST_ID`,
 * lines joined by a single LF, no trailing newline. The caller has validated the fields.
 */
export function requestCanonicalString(f: RequestSigningFields): string {
  return [REQUEST_TAG, ...signedLines(f)].join('\n');
}

/**
 * `LENDGATE-RESPONSE-V1\nSTATUS\nMETHOD\nPATH\nTIMESTAMP\nNONCE\nCONTENT_SHA256\nPARTNER\nREQUEST_ID`,
 * where METHOD, PATH, PARTNER and REQUEST_ID are those of the request being answered and
 * TIMESTAMP, NONCE, CONTENT_SHA256 belong to the response itself.
 */
export function responseCanonicalString(f: ResponseSigningFields): string {
  return [RESPONSE_TAG, f.status, ...signedLines(f)].join('\n');
}
