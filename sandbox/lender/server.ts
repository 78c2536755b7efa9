/**
 * HTTP surface of the sandbox (Fastify): the five protocol calls under `/lendgate/v1`, the public
 * keys to register at the platform, and the operator routes under `/sandbox` (faults, counters,
 * reconciliation files). Bodies of protocol calls are kept as raw bytes: the envelope signs bytes.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { CALL_KINDS } from '../sdk/index.ts';
import { applyOverdueFault, type CallContext, type FallenOverdue, handleCall } from './calls.ts';
import { type FaultSettings, mergeFaults, NO_FAULTS } from './faults.ts';
import type { HostedLender } from './hosted.ts';
import { reconciliationCsv } from './reconciliation.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function isLocal(request: FastifyRequest): boolean {
  return LOOPBACK.has(request.socket.remoteAddress ?? '');
}

function faultsOf(lenders: ReadonlyMap<string, HostedLender>): Record<string, FaultSettings> {
  return Object.fromEntries([...lenders].map(([id, lender]) => [id, lender.faults()]));
}

function sandboxError(code: string, message: string) {
  return { error: { code, message, requestId: '' } };
}

export function buildSandboxServer(ctx: CallContext): FastifyInstance {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
  });
  // Every body arrives as bytes; the protocol routes verify the digest over exactly these bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  for (const { kind, path } of CALL_KINDS) {
    app.post(path, async (request, reply) => {
      const answer = await handleCall(ctx, kind, {
        method: request.method,
        path: request.raw.url ?? request.url,
        headers: request.headers,
        body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      });
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
  }

  app.get('/healthz', async () => ({ ok: true, platformKeys: ctx.platformKeys.keys() !== undefined }));

  // Public keys to register at the platform (and for the conformance kit's --lender-keys).
  app.get('/keys', async () => ({
    lenders: [...ctx.lenders.values()].map((l) => ({
      partnerId: l.partnerId,
      name: l.config.name,
      keys: l.keys.publicKeys,
    })),
  }));
  app.get<{ Params: { partnerId: string } }>('/keys/:partnerId', async (request, reply) => {
    const lender = ctx.lenders.get(request.params.partnerId);
    if (lender === undefined) return reply.code(404).send(sandboxError('NOT_FOUND', 'no such partner here'));
    return { keys: lender.keys.publicKeys };
  });

  app.get('/sandbox/stats', async () => ctx.stats.snapshot());

  app.get('/sandbox/faults', async () => ({ faults: faultsOf(ctx.lenders) }));
  // Switch faults at run time: `{ "partnerId"?: id, "reset"?: true, ...settings }`. Local callers only.
  app.post('/sandbox/faults', async (request, reply) => {
    if (!isLocal(request)) return reply.code(403).send(sandboxError('FORBIDDEN', 'local callers only'));
    let update: Record<string, unknown>;
    try {
      update = JSON.parse(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '{}');
    } catch {
      return reply.code(400).send(sandboxError('VALIDATION_FAILED', 'the body is not JSON'));
    }
    const { partnerId, reset, ...settings } = update ?? {};
    const targets =
      partnerId === undefined
        ? [...ctx.lenders.values()]
        : [ctx.lenders.get(String(partnerId))].filter((l) => l);
    if (targets.length === 0) return reply.code(404).send(sandboxError('NOT_FOUND', 'no such partner here'));
    const merged = targets.map((lender) => ({
      lender,
      result: mergeFaults(reset === true ? NO_FAULTS : lender!.faults(), settings),
    }));
    const bad = merged.find((m) => !m.result.ok);
    if (bad !== undefined && !bad.result.ok)
      return reply.code(400).send(sandboxError('VALIDATION_FAILED', bad.result.problems.join('; ')));
    for (const { lender, result } of merged) if (result.ok) lender!.setFaults(result.faults);
    ctx.log.info({ partnerId, faults: settings, reset }, 'faults changed');
    if (!('overdue' in settings)) return { faults: faultsOf(ctx.lenders) };
    // Setting `overdue` makes the open loans fall overdue now; the answer says which did.
    const overdue: Record<string, FallenOverdue[]> = {};
    for (const { lender } of merged) {
      const fallen = applyOverdueFault(ctx, lender!);
      if (fallen === undefined)
        return reply.code(500).send(sandboxError('INTERNAL', 'the book could not be written'));
      overdue[lender!.partnerId] = fallen;
    }
    return { faults: faultsOf(ctx.lenders), overdue };
  });

  // Ends every callback delay now (late-callback fault included): they go out at once. Local callers only.
  app.post('/sandbox/callbacks/release', async (request, reply) => {
    if (!isLocal(request)) return reply.code(403).send(sandboxError('FORBIDDEN', 'local callers only'));
    return { released: ctx.delivery.releaseDelayed() };
  });

  app.get<{ Params: { partnerId: string; file: string } }>(
    '/sandbox/reconciliation/:partnerId/:file',
    async (request, reply) => {
      const lender = ctx.lenders.get(request.params.partnerId);
      const date = /^([0-9]{4}-[0-9]{2}-[0-9]{2})\.csv$/.exec(request.params.file)?.[1];
      if (lender === undefined || date === undefined)
        return reply
          .code(404)
          .send(sandboxError('NOT_FOUND', 'use /sandbox/reconciliation/{partnerId}/{YYYY-MM-DD}.csv'));
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${lender.partnerId}-${date}.csv"`)
        .send(reconciliationCsv(lender.book.ledger(), date));
    },
  );

  return app;
}
