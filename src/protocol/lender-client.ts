import { type PublicKeyRecord, ResponseVerificationError, sendSignedRequest } from './envelope/index.ts';
import type { LenderCall, OutboxMessage } from './outbox.ts';
import type { DeliveryOutcome, LenderError } from './outbox-worker.ts';
import type { PlatformKeyring } from './platform-keys.ts';

/** Where and how to call one lender; provided by the lender registry. */
export interface LenderEndpoint {
  readonly baseUrl: string;
  readonly timeoutMs: Readonly<Record<LenderCall, number>>;
  /** The lender's published signing keys, to verify its answers. */
  readonly signingKeys: readonly PublicKeyRecord[];
}

export interface LenderEndpoints {
  endpointOf(partnerId: string): Promise<LenderEndpoint | undefined>;
}

/**
 * The one client for calls to lenders: signs with the platform key, keeps the outbox message's
 * request id on every retry (the lender's idempotency key), enforces the per-call timeout, and
 * accepts an answer only if the lender signed it. Failures become outcomes, never exceptions, so
 * the outbox worker can decide between retrying and dead-lettering.
 */
export function lenderDelivery(
  endpoints: LenderEndpoints,
  keyring: PlatformKeyring,
  now: () => number,
  fetchImpl: typeof fetch = fetch,
): (message: OutboxMessage) => Promise<DeliveryOutcome> {
  return async (message) => {
    const endpoint = await endpoints.endpointOf(message.partnerId);
    if (!endpoint)
      return { ok: false, error: `no endpoint for partner ${message.partnerId}`, retryable: true };
    try {
      const result = await sendSignedRequest(endpoint.baseUrl, message.method, message.path, message.body, {
        partnerId: message.partnerId,
        // A partner on the SM suite gets SM2-SM3 (its key set says so), the others Ed25519.
        key: await keyring.signingKeyFor(endpoint.signingKeys),
        requestId: message.requestId,
        timeoutMs: endpoint.timeoutMs[message.call],
        responseKeys: endpoint.signingKeys,
        now,
        fetch: fetchImpl,
      });
      if (result.status >= 200 && result.status < 300)
        return { ok: true, status: result.status, body: result.body };
      const lenderError = lenderErrorOf(result.body);
      return {
        ok: false,
        error: `lender answered ${result.status}${lenderError ? ` ${lenderError.code}: ${lenderError.message}` : ''}`,
        status: result.status,
        retryable: true,
        ...(lenderError ? { lenderError } : {}),
      };
    } catch (error) {
      if (error instanceof ResponseVerificationError) {
        return { ok: false, error: error.message, retryable: true };
      }
      const name = error instanceof Error ? error.name : 'Error';
      const reason =
        name === 'TimeoutError' ? 'timed out' : error instanceof Error ? error.message : String(error);
      return { ok: false, error: `call failed: ${reason}`, retryable: true };
    }
  };
}

/** The `{ error: { code, message } }` of a lender's refusal, bounded; undefined for anything else. */
function lenderErrorOf(body: unknown): LenderError | undefined {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.code !== 'string') return undefined;
  return {
    code: error.code.slice(0, 64),
    message: typeof error.message === 'string' ? error.message.slice(0, 300) : '',
  };
}
