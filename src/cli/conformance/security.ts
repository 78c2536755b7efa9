/**
 * Envelope checks: the lender must refuse a forged signature, altered bytes, a stale timestamp, a
 * replayed nonce and an unknown partner, each with its documented code, and sign its refusals
 * (except to an unknown partner: no key of its own stands behind that id). All use the pre-check,
 * which changes nothing at the lender.
 */
import { randomUUID } from 'node:crypto';
import { PRE_CHECK } from '../../protocol/envelope/index.ts';
import { expectRefusal, expectSuccess, fail } from './checks.ts';
import { call, type RunContext, send } from './context.ts';
import { preCheckBody } from './happy-path.ts';

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
}
