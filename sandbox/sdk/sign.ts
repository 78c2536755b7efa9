import { randomBytes, randomUUID } from 'node:crypto';
import {
  invalidField,
  type RequestSigningFields,
  requestCanonicalString,
  responseCanonicalString,
} from './canonical.ts';
import { contentDigest, toBase64Url } from './encoding.ts';
import { ENVELOPE_HEADERS, type EnvelopeHeaders } from './headers.ts';
import type { PrivateSigningKey } from './keys.ts';
import { signCanonical } from './signature.ts';

/** Bytes of a fresh nonce: 128 random bits. */
const NONCE_BYTES = 16;

/** A fresh random nonce, 22 base64url characters. */
export function newNonce(): string {
  return toBase64Url(randomBytes(NONCE_BYTES));
}

/** Input of {@link signRequest}. */
export interface SignRequestInput {
  /** HTTP method; upper-cased before signing. */
  readonly method: string;
  /** Request target exactly as it goes on the wire: path plus query string, percent-encoded. */
  readonly path: string;
  /**
   * The body: any JSON value is serialized with `JSON.stringify`; `undefined` means an empty body
   * (GET).
   */
  readonly body?: unknown;
  /** Alternative to `body`: text that is already serialized, signed and sent byte for byte. */
  readonly bodyText?: string;
  readonly partnerId: string;
  /**
   * Business-level idempotency key of the call. Keep it across retries of the same call; the
   * timestamp and nonce are fresh on every attempt. Defaults to a random UUID.
   */
  readonly requestId?: string;
  readonly key: PrivateSigningKey;
  /** Clock, ms since the epoch; the header carries whole seconds. */
  readonly nowMs: number;
  /** Fixed nonce, for reproducible examples and tests only. Defaults to 128 fresh random bits. */
  readonly nonce?: string;
}

/** A signed message, ready to send. */
export interface SignedMessage {
  /** Envelope headers plus `Content-Type` when there is a body. */
  readonly headers: EnvelopeHeaders;
  /** The exact body text that was digested; send these bytes and no others. */
  readonly body: string;
  readonly requestId: string;
  /** The string that was signed, useful when a partner debugs a mismatch. */
  readonly canonical: string;
}

function serializeBody(input: { readonly body?: unknown; readonly bodyText?: string }): string {
  if (input.bodyText !== undefined) {
    if (input.body !== undefined) throw new TypeError('pass either body or bodyText, not both');
    return input.bodyText;
  }
  if (input.body === undefined) return '';
  const text: string | undefined = JSON.stringify(input.body);
  if (text === undefined) throw new TypeError('body is not serializable as JSON');
  return text;
}

function envelopeFields(input: SignRequestInput, body: string): RequestSigningFields {
  const fields: RequestSigningFields = {
    method: input.method.toUpperCase(),
    path: input.path,
    timestamp: String(Math.floor(input.nowMs / 1000)),
    nonce: input.nonce ?? newNonce(),
    contentSha256: contentDigest(input.key.alg, body),
    partnerId: input.partnerId,
    requestId: input.requestId ?? randomUUID(),
  };
  const bad = invalidField({ ...fields, keyId: input.key.kid });
  // Signing something the verifier will refuse is a programming error: fail loudly here.
  if (bad !== undefined) throw new TypeError(`cannot sign: invalid ${bad}`);
  return fields;
}

function headersFor(
  fields: RequestSigningFields,
  key: PrivateSigningKey,
  signature: string,
  body: string,
): EnvelopeHeaders {
  const headers: Record<string, string> = {
    [ENVELOPE_HEADERS.partnerId]: fields.partnerId,
    [ENVELOPE_HEADERS.requestId]: fields.requestId,
    [ENVELOPE_HEADERS.timestamp]: fields.timestamp,
    [ENVELOPE_HEADERS.nonce]: fields.nonce,
    [ENVELOPE_HEADERS.keyId]: key.kid,
    [ENVELOPE_HEADERS.algorithm]: key.alg,
    [ENVELOPE_HEADERS.contentSha256]: fields.contentSha256,
    [ENVELOPE_HEADERS.signature]: signature,
  };
  if (body !== '') headers['Content-Type'] = 'application/json; charset=utf-8';
  return headers;
}

/**
 * Signs `canonical` and packs the message to send. Requests and responses differ only in the
 * canonical string they sign; the headers, body and request id go out the same way for both.
 */
function signedMessage(
  fields: RequestSigningFields,
  key: PrivateSigningKey,
  canonical: string,
  body: string,
): SignedMessage {
  const signature = signCanonical(key, canonical);
  return { headers: headersFor(fields, key, signature, body), body, requestId: fields.requestId, canonical };
}

/** Serializes and signs an outgoing request (platform → lender call, or lender → platform callback). */
export function signRequest(input: SignRequestInput): SignedMessage {
  const body = serializeBody(input);
  const fields = envelopeFields(input, body);
  return signedMessage(fields, input.key, requestCanonicalString(fields), body);
}

/** The request a response answers, as the responder saw it (after verifying it). */
export interface AnsweredRequest {
  readonly method: string;
  readonly path: string;
  readonly partnerId: string;
  readonly requestId: string;
}

/** Input of {@link signResponse}. */
export interface SignResponseInput {
  readonly request: AnsweredRequest;
  /** HTTP status code of the answer; it is signed, so a 200 cannot be turned into a 409 or back. */
  readonly status: number;
  readonly body?: unknown;
  readonly bodyText?: string;
  readonly key: PrivateSigningKey;
  readonly nowMs: number;
  readonly nonce?: string;
}

/**
 * Signs a synchronous answer, bound to the request it answers (method, path, partner, request id)
 * and to its status code, so the caller can trust a sync decision such as a pre-check result.
 */
export function signResponse(input: SignResponseInput): SignedMessage {
  const body = serializeBody(input);
  const fields = envelopeFields(
    {
      ...input.request,
      key: input.key,
      nowMs: input.nowMs,
      ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
    },
    body,
  );
  const status = String(input.status);
  if (invalidField({ status }) !== undefined) throw new TypeError('cannot sign: invalid status');
  return signedMessage(fields, input.key, responseCanonicalString({ ...fields, status }), body);
}
