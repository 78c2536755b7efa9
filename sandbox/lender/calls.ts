/**
 * The lender side of one platform call, independent of the HTTP framework: verify the envelope
 * (SDK), apply faults, validate the body (contract), decrypt PII, answer repeats from memory,
 * run the transition on the lender's book, write the change through to the lender's store with
 * its callbacks (one transaction), start their delivery, and sign the answer (SDK) — errors
 * included.
 *
 * Personal data is decrypted only to derive the applicant's profile and a fingerprint; it is never
 * logged, stored or echoed.
 */
import type { Logger } from 'pino';
import { chinaDate } from '../../src/shared/china-date.ts';
import {
  type ApplicantPii,
  type ApplyRequest,
  businessIdOf,
  type CallKind,
  type CallRequests,
  type DisbursementCallback,
  type DrawdownRequest,
  decryptPii,
  ENVELOPE_HEADERS,
  errorBody,
  type KeyLookup,
  type NonceStore,
  PROTOCOL_ERRORS,
  type PreCheckRequest,
  type ProtocolErrorCode,
  type RepayRequest,
  type StatusQueryRequest,
  signResponse,
  validateApplicantPii,
  validateCallRequest,
  verifyRequest,
} from '../sdk/index.ts';
import type { BookAnswer, PlannedCallback } from './book.ts';
import type { CallbackDelivery } from './delivery.ts';
import { corruptSignature, injectError, REFUSED_REPAYMENT_REASON } from './faults.ts';
import type { HostedLender } from './hosted.ts';
import { fingerprint, type StoredAnswer } from './idempotency.ts';
import type { PlatformKeySource } from './platform-keys.ts';
import { type ApplicantProfile, profileOf } from './policy.ts';
import type { SandboxStats } from './stats.ts';

export interface CallContext {
  readonly lenders: ReadonlyMap<string, HostedLender>;
  readonly platformKeys: PlatformKeySource;
  readonly nonces: NonceStore;
  readonly delivery: CallbackDelivery;
  readonly stats: SandboxStats;
  readonly log: Logger;
  readonly now: () => number;
  readonly random: () => number;
}

/** A received call, as bytes. */
export interface RawCall {
  readonly method: string;
  /** The request target exactly as received (path and query). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

export interface CallReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function header(call: RawCall, name: string): string | undefined {
  const value = call.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Signs an answer with the lender's key (or leaves it unsigned when there is no lender or no valid ids). */
function reply(
  ctx: CallContext,
  call: RawCall,
  lender: HostedLender | undefined,
  answer: StoredAnswer,
): CallReply {
  const fallback = {
    status: answer.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(answer.body),
  };
  const requestId = header(call, ENVELOPE_HEADERS.requestId);
  if (lender === undefined || requestId === undefined) return fallback;
  try {
    const signed = signResponse({
      request: { method: call.method, path: call.path, partnerId: lender.partnerId, requestId },
      status: answer.status,
      body: answer.body,
      key: lender.keys.signing,
      nowMs: ctx.now(),
    });
    if (!lender.faults().badSignature)
      return { status: answer.status, headers: signed.headers, body: signed.body };
    const headers = { ...signed.headers };
    headers[ENVELOPE_HEADERS.signature] = corruptSignature(headers[ENVELOPE_HEADERS.signature]!);
    return { status: answer.status, headers, body: signed.body };
  } catch {
    // Ids that cannot be signed (malformed envelope): answer unsigned, the error says why.
    return fallback;
  }
}

function failure(code: ProtocolErrorCode, message: string, requestId: string | undefined): StoredAnswer {
  return { status: PROTOCOL_ERRORS[code], body: errorBody(code, message, requestId ?? '') };
}

/** The platform's keys stand behind every hosted partner id, and no other. */
function keyLookup(ctx: CallContext): KeyLookup {
  return {
    keysOf: async (partnerId) => (ctx.lenders.has(partnerId) ? ctx.platformKeys.keys() : undefined),
  };
}

/** What a call means, for idempotency: its body, with an apply's PII decrypted (and checked). */
type Prepared =
  | { readonly ok: true; readonly meaning: unknown; readonly applicant?: ApplicantProfile }
  | { readonly ok: false; readonly answer: StoredAnswer };

function prepare(
  lender: HostedLender,
  kind: CallKind,
  body: CallRequests[CallKind],
  requestId: string,
  nowMs: number,
): Prepared {
  if (kind !== 'apply') return { ok: true, meaning: body };
  const apply = body as ApplyRequest;
  let pii: unknown;
  try {
    pii = decryptPii(apply.pii, lender.keys.encryption, { partnerId: lender.partnerId, requestId });
  } catch {
    return {
      ok: false,
      answer: failure('VALIDATION_FAILED', 'pii cannot be decrypted with our encryption keys', requestId),
    };
  }
  const problems = validateApplicantPii(pii);
  if (problems.length > 0)
    return { ok: false, answer: failure('VALIDATION_FAILED', problems.join('; '), requestId) };
  // An apply retried under a new request id carries a new ciphertext of the same data: what it
  // means includes the decrypted PII. Only the fingerprint is kept, never the data.
  const applicant = profileOf((pii as ApplicantPii).idNumber, chinaDate(nowMs));
  return { ok: true, meaning: { ...apply, pii }, applicant };
}

function run(
  lender: HostedLender,
  kind: CallKind,
  body: CallRequests[CallKind],
  applicant: ApplicantProfile | undefined,
  nowMs: number,
): BookAnswer {
  const { book } = lender;
  const faults = lender.faults();
  switch (kind) {
    case 'pre-check':
      return { ok: true, status: 200, body: book.preCheck(body as PreCheckRequest, nowMs), callbacks: [] };
    case 'apply':
      return book.apply(body as ApplyRequest, applicant!, nowMs, {
        decisionDelayMs: faults.decisionDelayMs,
        rejectReason: faults.rejectReason,
        approveAll: faults.approveAll,
      });
    case 'drawdown': {
      const answer = book.drawdown(body as DrawdownRequest, nowMs);
      // Under the overdue fault (for every loan), a new loan falls overdue as soon as it is disbursed.
      const overdue = faults.overdue;
      if (!answer.ok || overdue === null || overdue.loanId !== undefined) return answer;
      const disbursed = answer.callbacks.find((c) => c.kind === 'disbursement')?.body as
        | DisbursementCallback
        | undefined;
      if (disbursed?.status !== 'succeeded') return answer;
      const fallen = book.markOverdue(disbursed.loanId, overdue, nowMs);
      return fallen === undefined
        ? answer
        : { ...answer, callbacks: [...answer.callbacks, ...fallen.callbacks] };
    }
    case 'repay':
      return book.repay(body as RepayRequest, nowMs, {
        reverse: faults.reverseRepayments,
        prepaymentFeeFen: faults.prepaymentFeeFen,
      });
    case 'status-query':
      // The stale-status fault: the answer as of before anything was decided (the epoch).
      return book.statusQuery(body as StatusQueryRequest, faults.staleStatus ? 0 : nowMs);
  }
}

/**
 * Writes what the lender's book and memory just changed, with the callbacks the change causes, to
 * its store in one transaction, then starts their delivery. False when the write failed: the
 * change is undone (hosted.ts) and nothing is sent.
 */
export function commit(
  ctx: CallContext,
  lender: HostedLender,
  callbacks: readonly PlannedCallback[],
): boolean {
  const queued = ctx.delivery.plan(lender, callbacks, ctx.now());
  try {
    lender.commit(queued);
  } catch (error) {
    ctx.log.error(
      { err: error, partnerId: lender.partnerId },
      'the book could not be written; change undone',
    );
    return false;
  }
  ctx.delivery.start(lender, queued);
  return true;
}

/** A loan the overdue fault reached, and what it was charged. */
export interface FallenOverdue {
  readonly loanId: string;
  readonly periods: readonly number[];
  readonly penaltyFen: number;
  readonly capped: boolean;
}

/**
 * The overdue fault just set: the lender's open loans (or the one it names) fall overdue now.
 * Returns the loans that did; `undefined` when the store failed (nothing changed).
 */
export function applyOverdueFault(ctx: CallContext, lender: HostedLender): FallenOverdue[] | undefined {
  const overdue = lender.faults().overdue;
  if (overdue === null) return [];
  const nowMs = ctx.now();
  const fallen: FallenOverdue[] = [];
  const callbacks: PlannedCallback[] = [];
  for (const loanId of overdue.loanId === undefined ? lender.book.openLoanIds() : [overdue.loanId]) {
    const outcome = lender.book.markOverdue(loanId, overdue, nowMs);
    if (outcome === undefined) continue;
    const { periods, penaltyFen, capped } = outcome;
    fallen.push({ loanId, periods, penaltyFen, capped });
    callbacks.push(...outcome.callbacks);
    ctx.log.info(
      { partnerId: lender.partnerId, loanId, periods, penaltyFen, capped },
      'loan overdue (fault)',
    );
  }
  return commit(ctx, lender, callbacks) ? fallen : undefined;
}

/**
 * Answers a repeat from memory, or runs the call. Synchronous from the memory check to the memory
 * write, so two copies of one call arriving together cannot both take effect.
 */
function answerOnce(
  ctx: CallContext,
  lender: HostedLender,
  kind: CallKind,
  body: CallRequests[CallKind],
  requestId: string,
): StoredAnswer {
  const nowMs = ctx.now();
  const prepared = prepare(lender, kind, body, requestId, nowMs);
  if (!prepared.ok) return prepared.answer;
  const id = businessIdOf(kind, body);
  const businessKey = id === undefined ? undefined : `${kind}:${id}`;
  const print = fingerprint(kind, prepared.meaning);
  const verdict = lender.memory.check(requestId, businessKey, print);
  if (verdict.kind === 'repeat') {
    ctx.stats.replayedAnswer(lender.partnerId);
    commit(ctx, lender, []); // the new request id, learnt as another name of the business id
    return verdict.answer;
  }
  if (verdict.kind === 'conflict')
    return failure('CONFLICT', `this ${verdict.on} was already used with a different body`, requestId);
  const result = run(lender, kind, body, prepared.applicant, nowMs);
  if (!result.ok) return failure(result.code, result.message, requestId);
  const answer = { status: result.status, body: result.body };
  // Only answers with an effect are remembered: a refusal changed nothing and may change later.
  lender.memory.remember(requestId, businessKey, print, answer);
  if (!commit(ctx, lender, result.callbacks))
    return failure('INTERNAL', 'the lender could not record this call; retry it later', requestId);
  return answer;
}

/** Answers one platform → lender call. */
export async function handleCall(ctx: CallContext, kind: CallKind, call: RawCall): Promise<CallReply> {
  const partnerHeader = header(call, ENVELOPE_HEADERS.partnerId);
  const requestId = header(call, ENVELOPE_HEADERS.requestId);
  const lender = partnerHeader === undefined ? undefined : ctx.lenders.get(partnerHeader);
  const logContext = { kind, partnerId: partnerHeader, requestId };
  const done = (answer: StoredAnswer): CallReply => {
    const code = (answer.body as { error?: { code?: string } }).error?.code;
    ctx.log.info({ ...logContext, status: answer.status, code }, 'call answered');
    return reply(ctx, call, lender, answer);
  };

  if (lender !== undefined) await sleep(lender.faults().responseDelayMs);
  if (ctx.platformKeys.keys() === undefined)
    return done(failure('UNAVAILABLE', 'the platform keys are not known yet', requestId));

  const verdict = await verifyRequest({
    method: call.method,
    path: call.path,
    headers: call.headers,
    body: call.body,
    keys: keyLookup(ctx),
    nonces: ctx.nonces,
    nowMs: ctx.now(),
  });
  if (!verdict.ok) {
    ctx.stats.refusal(partnerHeader ?? '', verdict.code);
    if (verdict.code === 'UNKNOWN_KEY') ctx.platformKeys.refreshSoon();
    return done(failure(verdict.code, verdict.message, requestId));
  }
  const hosted = lender!; // verified: the partner id is one of ours
  ctx.stats.call(hosted.partnerId, kind);
  if (injectError(hosted.faults(), ctx.random)) {
    ctx.stats.injectedError(hosted.partnerId);
    return done(failure('UNAVAILABLE', 'sandbox fault: injected error, retry later', verdict.requestId));
  }

  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(call.body));
  } catch {
    return done(failure('VALIDATION_FAILED', 'the body is not UTF-8 JSON', verdict.requestId));
  }
  const problems = validateCallRequest(kind, body);
  if (problems.length > 0) return done(failure('VALIDATION_FAILED', problems.join('; '), verdict.requestId));
  if (kind === 'repay' && hosted.faults().refuseRepayments) {
    return done(failure('INVALID_STATE', REFUSED_REPAYMENT_REASON, verdict.requestId));
  }
  return done(answerOnce(ctx, hosted, kind, body as CallRequests[CallKind], verdict.requestId));
}
