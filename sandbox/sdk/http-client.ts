import type { PrivateSigningKey, PublicKeyRecord } from './keys.ts';
import type { EnvelopeErrorCode } from './result.ts';
import { signRequest } from './sign.ts';
import { verifyResponse } from './verify-response.ts';

/** Options shared by {@link sendSignedRequest} and {@link sendCallback}. */
export interface SendOptions {
  readonly partnerId: string;
  readonly key: PrivateSigningKey;
  /** Idempotency key of the call; reuse it when retrying. Defaults to a random UUID. */
  readonly requestId?: string;
  /** Whole-call timeout in ms (default 10 000), enforced with `AbortSignal.timeout`. */
  readonly timeoutMs?: number;
  /**
   * Signing keys of the party being called. When given, the response must carry a valid signature
   * bound to this request, or the call throws {@link ResponseVerificationError}.
   */
  readonly responseKeys?: readonly PublicKeyRecord[];
  /** Clock, ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** `fetch` implementation (default the global one); injected by tests. */
  readonly fetch?: typeof fetch;
}

/** The answer to a signed call. */
export interface SignedCallResult {
  readonly status: number;
  readonly requestId: string;
  /** Raw response body text. */
  readonly bodyText: string;
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  readonly body: unknown;
  /** Whether the response signature was checked (true exactly when `responseKeys` was given). */
  readonly responseVerified: boolean;
}

/** The called party answered, but its answer did not verify. */
export class ResponseVerificationError extends Error {
  override readonly name = 'ResponseVerificationError';
  readonly code: EnvelopeErrorCode;
  readonly status: number;
  constructor(code: EnvelopeErrorCode, status: number, message: string) {
    super(`response refused (${code}): ${message}`);
    this.code = code;
    this.status = status;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Signs and sends one request with `fetch`. The signed path is the path and query of the final URL
 * (`baseUrl` + `path`) exactly as `fetch` will put it on the request line. Network errors and the
 * timeout reject (`TimeoutError`); any HTTP status resolves, so the caller decides about retries.
 */
export async function sendSignedRequest(
  baseUrl: string,
  method: string,
  path: string,
  body: unknown,
  options: SendOptions,
): Promise<SignedCallResult> {
  if (!path.startsWith('/')) throw new TypeError('path must start with "/"');
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  const target = url.pathname + url.search;
  const now = options.now ?? Date.now;
  const signed = signRequest({
    method,
    path: target,
    body,
    partnerId: options.partnerId,
    key: options.key,
    nowMs: now(),
    ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
  });
  const doFetch = options.fetch ?? fetch;
  const response = await doFetch(url, {
    method: method.toUpperCase(),
    headers: signed.headers,
    ...(signed.body === '' ? {} : { body: signed.body }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    redirect: 'error', // a redirect would change the signed path
  });
  // Verify the bytes as received: decoding first could alter invalid UTF-8 and break the digest.
  const bodyBytes = new Uint8Array(await response.arrayBuffer());
  const bodyText = new TextDecoder().decode(bodyBytes);
  if (options.responseKeys !== undefined) {
    const verdict = verifyResponse({
      request: { method, path: target, partnerId: options.partnerId, requestId: signed.requestId },
      status: response.status,
      headers: response.headers,
      body: bodyBytes,
      keys: options.responseKeys,
      nowMs: now(),
    });
    if (!verdict.ok) throw new ResponseVerificationError(verdict.code, response.status, verdict.message);
  }
  return {
    status: response.status,
    requestId: signed.requestId,
    bodyText,
    body: parseJson(bodyText),
    responseVerified: options.responseKeys !== undefined,
  };
}

/**
 * Lender → platform callback: signs `body` and POSTs it to `baseUrl` + `path`
 * (e.g. `sendCallback('https://lendgate.example.com', '/v1/...', decision, opts)`).
 */
export function sendCallback(
  baseUrl: string,
  path: string,
  body: unknown,
  options: SendOptions,
): Promise<SignedCallResult> {
  return sendSignedRequest(baseUrl, 'POST', path, body, options);
}
