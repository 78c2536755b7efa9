/**
 * The platform side of one call to the lender under test, with the SDK: sign, optionally tamper
 * (to check that the lender refuses), send, time, and verify the signed answer.
 */
import {
  ENVELOPE_HEADERS,
  type PrivateSigningKey,
  type PublicKeyRecord,
  type SignedMessage,
  signRequest,
  verifyResponse,
} from '../protocol/envelope/index.ts';

/** How a request is spoiled on purpose. */
export interface Tamper {
  /** Sign with this clock instead of now (an expired timestamp). */
  readonly nowMs?: number;
  /** Flip a bit of the signature after signing. */
  readonly corruptSignature?: boolean;
  /** Send other bytes than the ones signed. */
  readonly alterBody?: boolean;
  /** Sign for this partner id instead. */
  readonly partnerId?: string;
  /** Leave this envelope header out after signing (a malformed envelope). */
  readonly dropHeader?: string;
  /** Name this key id in the header instead of the signing key's (a key the lender does not know). */
  readonly keyId?: string;
}

/** The answer to a call, or why there was none. */
export type CallOutcome =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly body: unknown;
      readonly durationMs: number;
      readonly requestId: string;
      /** `valid`, `unsigned`, or the envelope code the answer's signature failed with. */
      readonly signature: string;
    }
  | {
      readonly kind: 'no-answer';
      readonly reason: string;
      readonly durationMs: number;
      readonly requestId: string;
    };

export interface Prepared {
  readonly signed: SignedMessage;
  readonly partnerId: string;
  /** The request target as signed (path and query of the final URL). */
  readonly target: string;
  readonly url: URL;
}

export class LenderClient {
  readonly #baseUrl: string;
  readonly #partnerId: string;
  readonly #key: PrivateSigningKey;
  readonly #lenderKeys: readonly PublicKeyRecord[];

  constructor(
    baseUrl: string,
    partnerId: string,
    key: PrivateSigningKey,
    lenderKeys: readonly PublicKeyRecord[],
  ) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#partnerId = partnerId;
    this.#key = key;
    this.#lenderKeys = lenderKeys;
  }

  /** Signs a POST of `bodyText` (already serialized, so a repeat can send identical bytes). */
  prepare(path: string, bodyText: string, requestId: string, tamper: Tamper = {}): Prepared {
    const url = new URL(this.#baseUrl + path);
    const target = url.pathname + url.search;
    const partnerId = tamper.partnerId ?? this.#partnerId;
    const signed = signRequest({
      method: 'POST',
      path: target,
      bodyText,
      partnerId,
      requestId,
      key: this.#key,
      nowMs: tamper.nowMs ?? Date.now(),
    });
    if (
      !tamper.corruptSignature &&
      !tamper.alterBody &&
      tamper.dropHeader === undefined &&
      tamper.keyId === undefined
    )
      return { signed, partnerId, target, url };
    const headers: Record<string, string> = { ...signed.headers };
    if (tamper.keyId !== undefined) headers[ENVELOPE_HEADERS.keyId] = tamper.keyId;
    if (tamper.dropHeader !== undefined) {
      const drop = tamper.dropHeader.toLowerCase();
      for (const name of Object.keys(headers)) if (name.toLowerCase() === drop) delete headers[name];
    }
    if (tamper.corruptSignature) {
      const bytes = Buffer.from(headers[ENVELOPE_HEADERS.signature]!, 'base64');
      bytes[0] = bytes[0]! ^ 0x01;
      headers[ENVELOPE_HEADERS.signature] = bytes.toString('base64');
    }
    const body = tamper.alterBody ? `${signed.body} ` : signed.body;
    return { signed: { ...signed, headers, body }, partnerId, target, url };
  }

  /**
   * Sends a prepared request (again, for a replay) and verifies the answer's signature; `signal`
   * (the run's) abandons it early.
   */
  async send(prepared: Prepared, timeoutMs: number, signal?: AbortSignal): Promise<CallOutcome> {
    const started = performance.now();
    const requestId = prepared.signed.requestId;
    let response: Response;
    let bytes: Uint8Array;
    try {
      response = await fetch(prepared.url, {
        method: 'POST',
        headers: prepared.signed.headers,
        body: prepared.signed.body,
        signal:
          signal === undefined
            ? AbortSignal.timeout(timeoutMs)
            : AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]),
        redirect: 'error',
      });
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : (error as Error).message;
      return { kind: 'no-answer', reason, durationMs: Math.round(performance.now() - started), requestId };
    }
    const durationMs = Math.round(performance.now() - started);
    let signature = 'unsigned';
    if (response.headers.get(ENVELOPE_HEADERS.signature) !== null) {
      const verdict = verifyResponse({
        request: { method: 'POST', path: prepared.target, partnerId: prepared.partnerId, requestId },
        status: response.status,
        headers: response.headers,
        body: bytes,
        keys: this.#lenderKeys,
        nowMs: Date.now(),
      });
      signature = verdict.ok ? 'valid' : verdict.code;
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      body = undefined;
    }
    return { kind: 'answered', status: response.status, body, durationMs, requestId, signature };
  }

  call(
    path: string,
    bodyText: string,
    requestId: string,
    timeoutMs: number,
    tamper?: Tamper,
  ): Promise<CallOutcome> {
    return this.send(this.prepare(path, bodyText, requestId, tamper), timeoutMs);
  }
}
