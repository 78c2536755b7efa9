/**
 * Envelope checks: the lender must refuse a forged signature, altered bytes, a stale timestamp, a
 * replayed nonce, an unknown partner, a missing header and an unknown key id, each with its
 * documented code, and sign its refusals (except to an unknown partner: no key of its own stands
 * behind that id); and a well-signed call whose body breaks the contract, is not JSON, or carries
 * PII that does not decrypt is `400 VALIDATION_FAILED`, signed. The first five use the pre-check,
 * the others a status query or a call that is refused before it could change anything.
 */
import { randomUUID } from 'node:crypto';
import {
  APPLY,
  DRAWDOWN,
  ENVELOPE_HEADERS,
  encryptPii,
  PRE_CHECK,
  STATUS_QUERY,
  selectEncryptionKey,
} from '../protocol/envelope/index.ts';
import { expectRefusal, expectSuccess, fail } from './checks.ts';
import { call, newId, type RunContext, send } from './context.ts';
import { applyFields, preCheckBody } from './happy-path.ts';

export async function runSecurity(ctx: RunContext): Promise<void> {
  const { checks } = ctx;
  const body = preCheckBody(ctx);

  await checks.run('security.bad-signature', 'a forged signature → 401 SIGNATURE_INVALID', async () =>
    expectRefusal(
      await call(ctx, 'pre-check', 'bad signature', PRE_CHECK, body, randomUUID(), {
        corruptSignature: true,
      }),
      401,
      'SIGNATURE_INVALID',
    ),
  );

  await checks.run(
    'security.digest-mismatch',
    'bytes other than the signed ones → 400 DIGEST_MISMATCH',
    async () =>
      expectRefusal(
        await call(ctx, 'pre-check', 'altered body', PRE_CHECK, body, randomUUID(), { alterBody: true }),
        400,
        'DIGEST_MISMATCH',
      ),
  );

  await checks.run(
    'security.expired-timestamp',
    'a timestamp 10 minutes old → 401 TIMESTAMP_OUT_OF_WINDOW',
    async () =>
      expectRefusal(
        await call(ctx, 'pre-check', 'expired timestamp', PRE_CHECK, body, randomUUID(), {
          nowMs: Date.now() - 10 * 60_000,
        }),
        401,
        'TIMESTAMP_OUT_OF_WINDOW',
      ),
  );

  await checks.run(
    'security.replayed-nonce',
    'the same signed message twice → 401 NONCE_REPLAYED',
    async () => {
      const prepared = ctx.client.prepare(PRE_CHECK, body, randomUUID());
      const first = await send(ctx, 'pre-check', 'replay (first)', prepared);
      try {
        expectSuccess('pre-check', first);
      } catch (error) {
        fail(`the first copy was not accepted: ${(error as Error).message}`);
      }
      return expectRefusal(await send(ctx, 'pre-check', 'replay (second)', prepared), 401, 'NONCE_REPLAYED');
    },
  );

  await checks.run(
    'security.unknown-partner',
    'a message for another partner id → 401 UNKNOWN_PARTNER',
    async () =>
      expectRefusal(
        await call(ctx, 'pre-check', 'unknown partner', PRE_CHECK, body, randomUUID(), {
          partnerId: `${ctx.partnerId.slice(0, 40)}-not-this-lender`,
        }),
        401,
        'UNKNOWN_PARTNER',
        false,
      ),
  );

  // A status query about an id the lender never saw: well signed it would be 404, so any other
  // answer is the envelope's.
  const unknown = () => JSON.stringify({ applicationId: newId('conf-none') });

  await checks.run(
    'security.malformed-envelope',
    'an envelope header left out → 400 MALFORMED_ENVELOPE, signed',
    async () =>
      expectRefusal(
        await call(ctx, 'status-query', 'no nonce', STATUS_QUERY, unknown(), randomUUID(), {
          dropHeader: ENVELOPE_HEADERS.nonce,
        }),
        400,
        'MALFORMED_ENVELOPE',
      ),
  );

  await checks.run(
    'security.unknown-key',
    'a key id the lender does not hold for the platform → 401 UNKNOWN_KEY, signed',
    async () =>
      expectRefusal(
        await call(ctx, 'status-query', 'unknown key id', STATUS_QUERY, unknown(), randomUUID(), {
          keyId: 'conformance-no-such-key',
        }),
        401,
        'UNKNOWN_KEY',
      ),
  );

  await checks.run(
    'security.invalid-body',
    'a well-signed body that breaks the contract, or is not JSON → 400 VALIDATION_FAILED, signed',
    async () => {
      const broken = expectRefusal(
        await call(ctx, 'drawdown', 'drawdown (empty body)', DRAWDOWN, '{}'),
        400,
        'VALIDATION_FAILED',
      );
      try {
        expectRefusal(
          await call(ctx, 'drawdown', 'drawdown (not JSON)', DRAWDOWN, 'not json'),
          400,
          'VALIDATION_FAILED',
        );
      } catch (error) {
        fail(`a body that is not JSON: ${(error as Error).message}`);
      }
      return `${broken} for either`;
    },
  );

  await checks.run(
    'security.undecryptable-pii',
    'an apply whose PII block was sealed for another request id → 400 VALIDATION_FAILED, signed',
    async () => {
      const recipient = selectEncryptionKey(ctx.lenderKeys, Date.now());
      if (recipient === undefined) fail('the lender publishes no valid encryption key');
      const requestId = randomUUID();
      // The block's additional data binds partner and request id: under this request id it must not open.
      const pii = encryptPii(ctx.scenario.applicant, recipient, {
        partnerId: ctx.partnerId,
        requestId: randomUUID(),
      });
      const body = JSON.stringify({ ...applyFields(ctx, newId('conf-pii')), pii });
      return expectRefusal(
        await call(ctx, 'apply', 'apply (PII for another request)', APPLY, body, requestId),
        400,
        'VALIDATION_FAILED',
      );
    },
  );
}
