import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isCallbackAck } from '../../protocol/contract-validators.ts';
import {
  businessIdOf,
  CALLBACK_ACK,
  CALLBACK_KINDS,
  CALLBACK_SCHEMAS,
  type CallbackAck,
  type CallbackBodies,
  type CallbackKind,
  CONTRACT_DOCUMENT,
  callbackPath,
  contentSha256,
  ENVELOPE_HEADERS,
  type KeyLookup,
  type NonceStore,
  type PublicKeyRecord,
  signResponse,
  verifyRequest,
} from '../../protocol/envelope/index.ts';
import type { InboundCallbacks } from '../../protocol/inbound.ts';
import type { RejectionRecorder } from '../../protocol/operations.ts';
import type { PlatformKeyring } from '../../protocol/platform-keys.ts';
import type { Clock } from '../../shared/clock.ts';
import { AppError, type ErrorCode, isErrorCode } from '../../shared/errors.ts';
import { errorBody } from '../error-handler.ts';
import { errorResponses } from '../schemas.ts';

/**
 * The lender-facing open API (`/open/v1/*`). Every callback is verified before anything else —
 * signature, ±5 min window, body digest, nonce — then validated, then ingested exactly once.
 * Every answer, refusals included, is signed with the platform's key so that a lender can trust it.
 */
export interface OpenApiDependencies {
  /** Counts the messages refused at the edge (protocol/operations.ts). */
  readonly rejections: RejectionRecorder;
  readonly partnerKeys: KeyLookup;
  readonly nonces: NonceStore;
  readonly inbound: InboundCallbacks;
  readonly keyring: PlatformKeyring;
  readonly clock: Clock;
  /** Whether a partner may call from this address (its IP allow-list; empty allows all). */
  readonly ipAllowed?: (partnerId: string, ip: string) => Promise<boolean>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The lender whose signature this request carried, once verified. */
    partnerId?: string;
    /**
     * SHA-256 of the exact body bytes, whatever digest the partner's algorithm put in the header
     * (SM3 for SM2-SM3): repeats are compared on one digest even if a partner changes algorithm.
     */
    bodySha256?: string;
    /** The claimed partner's key set as verification looked it up, so the answer is signed without a second lookup. */
    partnerKeySet?: { readonly keys: readonly PublicKeyRecord[] | undefined };
  }
}

/** Largest callback body accepted; a full 360-installment schedule is about 80 KB. */
export const CALLBACK_BODY_LIMIT_BYTES = 256 * 1024;

/** The route of one callback kind, its body schema and answer schema taken from the lender contract. */
function callbackRoute<K extends CallbackKind>(kind: K) {
  const schema = CALLBACK_SCHEMAS[kind];
  return {
    kind,
    summary: `${schema.title}: ${schema.description.split('. ')[0]}`,
    body: Type.Unsafe<CallbackBodies[K]>(schema),
  };
}

const CallbackAnswer = Type.Unsafe<CallbackAck>(CALLBACK_ACK);

const PublicKey = Type.Object({
  kid: Type.String(),
  alg: Type.String(),
  use: Type.String(),
  publicKeyPem: Type.String(),
  notBefore: Type.Integer({ description: 'ms since the epoch' }),
  notAfter: Type.Union([Type.Integer(), Type.Null()]),
});

const envelopeHeaders = Type.Object(
  Object.fromEntries(
    Object.values(ENVELOPE_HEADERS).map((name) => [name.toLowerCase(), Type.String({ maxLength: 1024 })]),
  ),
  { additionalProperties: true },
);

export const openRoutes = (deps: OpenApiDependencies): FastifyPluginAsync =>
  async function openApi(instance) {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    // Keep the exact bytes: the digest and the signature cover them, not a re-serialization.
    app.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer' },
      function keepRawBody(_request, body, done) {
        done(null, body);
      },
    );

    // An unsigned request (an envelope header missing) is refused on its headers, before its body
    // is read: anonymous callers get no buffering, digest or key lookup out of the platform.
    async function envelopePresent(request: FastifyRequest): Promise<void> {
      const missing = Object.values(ENVELOPE_HEADERS).find(
        (name) => typeof request.headers[name.toLowerCase()] !== 'string',
      );
      if (missing === undefined) return;
      const message = `header ${missing} is missing or repeated`;
      await recordRejection(deps, request, 'MALFORMED_ENVELOPE', message);
      throw new AppError('MALFORMED_ENVELOPE', message);
    }

    async function verify(request: FastifyRequest): Promise<void> {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const verdict = await verifyRequest({
        method: request.method,
        path: request.raw.url ?? request.url,
        headers: request.headers,
        body: raw,
        keys: {
          keysOf: async (id) => {
            const keys = await deps.partnerKeys.keysOf(id);
            request.partnerKeySet = { keys };
            return keys;
          },
        },
        nonces: deps.nonces,
        nowMs: deps.clock().getTime(),
      });
      if (!verdict.ok) {
        await recordRejection(deps, request, verdict.code, verdict.message);
        throw new AppError(verdict.code, verdict.message);
      }
      if (deps.ipAllowed && !(await deps.ipAllowed(verdict.partnerId, request.ip))) {
        await recordRejection(
          deps,
          request,
          'IP_NOT_ALLOWED',
          `address ${request.ip} is not on the allow-list`,
        );
        throw new AppError('FORBIDDEN', 'This address is not on the partner’s IP allow-list.');
      }
      request.partnerId = verdict.partnerId;
      request.bodySha256 = contentSha256(raw);
      try {
        request.body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new AppError('MALFORMED_JSON');
      }
    }

    // Sign every answer under /open/v1/callbacks, errors included (the error handler's output too).
    app.addHook('onSend', async function signAnswer(request, reply, payload) {
      if (!request.url.startsWith('/open/v1/callbacks/')) return payload;
      const partnerId = request.headers[ENVELOPE_HEADERS.partnerId.toLowerCase()];
      const requestId = request.headers[ENVELOPE_HEADERS.requestId.toLowerCase()];
      if (typeof partnerId !== 'string' || typeof requestId !== 'string') return payload;
      const bodyText = typeof payload === 'string' ? payload : '';
      try {
        const signed = signResponse({
          request: { method: request.method, path: request.raw.url ?? request.url, partnerId, requestId },
          status: reply.statusCode,
          bodyText,
          // In the partner's own family (SM2-SM3 for a partner on the 国密 suite); the standard key for
          // a partner id that is unknown or not the sender's.
          key: await deps.keyring.signingKeyFor(
            request.partnerKeySet
              ? request.partnerKeySet.keys
              : await deps.partnerKeys.keysOf(partnerId).catch(() => undefined),
          ),
          nowMs: deps.clock().getTime(),
        });
        for (const [name, value] of Object.entries(signed.headers)) {
          if (name.toLowerCase() !== 'content-type') reply.header(name, value);
        }
      } catch (error) {
        // An envelope we could not sign back (malformed ids) is answered unsigned; the error says why.
        request.log.warn({ err: error }, 'response not signed');
      }
      return payload;
    });

    app.get(
      '/open/v1/keys',
      {
        schema: {
          tags: ['open'],
          summary: "The platform's published signing keys (verify our requests and answers with them)",
          response: { 200: Type.Object({ keys: Type.Array(PublicKey) }) },
        },
      },
      async function publishedKeys() {
        return { keys: await deps.keyring.publicKeys() };
      },
    );

    // The contract as data, for lenders that validate with their own JSON Schema library.
    const contractText = JSON.stringify(CONTRACT_DOCUMENT);
    app.get(
      '/open/v1/contract',
      {
        schema: {
          tags: ['open'],
          summary: 'The lender contract: every call, callback, answer and file row as JSON Schema',
          description:
            'The same schemas the platform validates with and the SDK is built from (docs/contract.md). ' +
            'x- keywords are the rules JSON Schema cannot say; `keywords` says what each means.',
          // Sent as the text built once at start-up (a pre-serialized JSON string is sent as is).
          response: { 200: Type.Unsafe<string>({ type: 'object', additionalProperties: true }) },
        },
      },
      async function contractDocument(_request, reply) {
        return reply.type('application/json; charset=utf-8').send(contractText);
      },
    );

    // One route per callback kind of the contract; body and answers validated against its schemas.
    function registerCallback<K extends CallbackKind>(kind: K): void {
      const route = callbackRoute(kind);
      app.post(
        callbackPath(kind),
        {
          onRequest: envelopePresent,
          preValidation: verify,
          // The largest callback (a 360-installment schedule) is under 100 KB.
          bodyLimit: CALLBACK_BODY_LIMIT_BYTES,
          schema: {
            tags: ['open'],
            summary: route.summary,
            description:
              'Signed with the Lendgate envelope (docs/protocol.md). Idempotent on X-Lendgate-Request-Id and on the ' +
              'business id: a repeat gets the first answer; the same id with another body gets 409 CONFLICT. ' +
              '202 means kept and applied once what it depends on arrives.',
            headers: envelopeHeaders,
            body: route.body,
            response: {
              200: CallbackAnswer,
              202: CallbackAnswer,
              ...errorResponses(...REFUSAL_STATUSES),
            },
          },
        },
        async function ingestCallback(request, reply) {
          const header = (name: string) => String(request.headers[name.toLowerCase()]);
          const answer = await deps.inbound.ingest({
            partnerId: request.partnerId!,
            requestId: header(ENVELOPE_HEADERS.requestId),
            kind,
            // The schema requires the fields the business id is made of, so it is always there.
            businessId: businessIdOf(kind, request.body) ?? '',
            // SHA-256 of the exact bytes received (see verify above).
            bodySha256: request.bodySha256!,
            body: request.body,
          });
          const { httpStatus, body } = answer;
          if (httpStatus === 200 || httpStatus === 202) {
            if (isCallbackAck(body)) return reply.code(httpStatus).send(body);
            throw new Error(`stored answer of ${kind} callback is not an acknowledgement`);
          }
          // A refusal, new or recorded: its code and message as stored, under this request's id.
          const refusal = refusalOf(body);
          if (refusal && isRefusalStatus(httpStatus))
            return reply.code(httpStatus).send(errorBody(request.id, refusal.code, refusal.message));
          throw new Error(`stored answer of ${kind} callback is neither an acknowledgement nor a refusal`);
        },
      );
    }
    for (const { kind } of CALLBACK_KINDS) registerCallback(kind);
  };

/** The 4xx statuses a callback can be refused with (the error codes' statuses; 413, 415 at the edge). */
const REFUSAL_STATUSES = [400, 401, 403, 404, 409, 413, 415, 422, 429] as const;
type RefusalStatus = (typeof REFUSAL_STATUSES)[number];

function isRefusalStatus(status: number): status is RefusalStatus {
  return (REFUSAL_STATUSES as readonly number[]).includes(status);
}

/** The code and message of a stored refusal `{ error: { code, message } }`. */
function refusalOf(
  stored: Readonly<Record<string, unknown>>,
): { code: ErrorCode; message: string } | undefined {
  const error = stored.error;
  if (typeof error !== 'object' || error === null || !('code' in error) || !('message' in error))
    return undefined;
  return isErrorCode(error.code) ? { code: error.code, message: String(error.message) } : undefined;
}

/** Counts a refusal at the edge (one row per minute, source, claimed partner and code). */
async function recordRejection(
  deps: OpenApiDependencies,
  request: FastifyRequest,
  code: string,
  message: string,
): Promise<void> {
  const header = (name: string) => {
    const value = request.headers[name.toLowerCase()];
    return typeof value === 'string' ? value : null;
  };
  await deps.rejections.record({
    sourceIp: request.ip,
    partnerId: header(ENVELOPE_HEADERS.partnerId),
    requestId: header(ENVELOPE_HEADERS.requestId),
    path: request.url,
    code,
    message,
  });
}
