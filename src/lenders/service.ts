import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import { chinaDate } from '../shared/china-date.ts';
import type { Clock } from '../shared/clock.ts';
import { decodeIdCursor, decodeTimeCursor, encodeIdCursor, encodeTimeCursor } from '../shared/cursor.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import { conformanceStanding, targetColumns } from './conformance-runs.ts';
import type { FunderService } from './funders.ts';
import type {
  ConformanceRun,
  Lender,
  LenderChanges,
  LenderKind,
  NewConformanceRun,
  NewLender,
  Page,
  StatusChange,
} from './model.ts';
import { pageOf } from './pagination.ts';
import { requirePartner } from './partner-guards.ts';
import {
  type CheckedLender,
  checkLenderChanges,
  checkNewLender,
  isCertificationValid,
} from './partner-rules.ts';
import type { IssuedPreCheckKey, PreCheckKeyService } from './pre-check-keys.ts';
import { Problems } from './problems.ts';
import {
  type ActivationReadiness,
  checkLenderTransition,
  isAcceptingApplications,
  type LenderStatus,
  type TransitionVerdict,
} from './status.ts';
import type { LenderRow, LenderTables } from './tables.ts';
import { toConformanceRun, toLender, toStatusChange } from './views.ts';

export interface ListQuery {
  readonly limit: number;
  readonly cursor?: string;
}

export interface LenderListQuery extends ListQuery {
  readonly status?: LenderStatus;
  readonly kind?: LenderKind;
}

export interface Transition {
  readonly to: LenderStatus;
  readonly reason: string;
}

/** Largest conformance report kept, as JSON text. */
export const MAX_REPORT_BYTES = 1_048_576;

function checkReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed === '' || trimmed.length > 500) throw invalidField('reason', 'must be 1–500 characters');
  return trimmed;
}

function refusal(
  from: LenderStatus,
  to: LenderStatus,
  verdict: Exclude<TransitionVerdict, { ok: true }>,
): AppError {
  switch (verdict.reason) {
    case 'not_allowed':
      return new AppError(
        'CONFLICT',
        verdict.allowed.length === 0
          ? `A ${from} partner cannot change status.`
          : `A ${from} partner can move only to: ${verdict.allowed.join(', ')}.`,
        { from, to, allowed: verdict.allowed },
      );
    case 'not_conformant':
      return new AppError(
        'LENDER_NOT_CONFORMANT',
        verdict.latestConformancePassed === null
          ? 'The partner has no conformance run; it cannot become active before one passes.'
          : verdict.latestConformancePassed === false
            ? 'The partner’s latest conformance run failed; it cannot become active before one passes.'
            : `The partner’s latest conformance run passed against another ${verdict.outdated
                .map((what) => (what === 'keys' ? 'key set' : 'base URL'))
                .join(' and ')} than it has now; it cannot become active before a run against them passes.`,
        {
          from,
          to,
          latestConformancePassed: verdict.latestConformancePassed,
          ...(verdict.outdated.length > 0 ? { outdated: verdict.outdated } : {}),
        },
      );
    case 'admission_incomplete':
      return new AppError(
        'CONFLICT',
        `The admission record is incomplete: ${verdict.missing.join(', ')} (a valid, unexpired certification is needed).`,
        { from, to, missing: verdict.missing },
      );
  }
}

/** Which columns an update changed, for the audit log (names only: contacts are personal data). */
function changedFields(changes: LenderChanges): string[] {
  return Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
}

function lenderColumns(checked: Omit<CheckedLender, 'funders' | 'code' | 'kind'>) {
  const cert = checked.securityCertification;
  return {
    legal_name: checked.legalName,
    license_type: checked.licenseType,
    license_number: checked.licenseNumber,
    contact_name: checked.contact.name,
    contact_email: checked.contact.email,
    contact_phone: checked.contact.phone,
    security_cert_level: cert?.level ?? null,
    security_cert_number: cert?.certificateNumber ?? null,
    security_cert_expires_on: cert?.expiresOn ?? null,
    contract_reference: checked.contractReference,
    daily_application_quota: checked.dailyApplicationQuota,
    ip_allow_list: [...checked.ipAllowList],
    callback_base_url: checked.callbackBaseUrl,
    timeout_pre_check_ms: checked.timeouts.preCheckMs,
    timeout_apply_ms: checked.timeouts.applyMs,
    timeout_drawdown_ms: checked.timeouts.drawdownMs,
    timeout_repay_ms: checked.timeouts.repayMs,
    timeout_status_query_ms: checked.timeouts.statusQueryMs,
  };
}

export interface LenderServiceOptions {
  readonly clock: Clock;
  /** The partners' funders (资金方), read and replaced in the registry's transactions. */
  readonly funders: FunderService;
  /** Issues each new partner its first pre-check key (when it can seal one: a master key). */
  readonly preCheckKeys?: PreCheckKeyService;
}

/**
 * A partner just registered, with its first pre-check key — the one answer that carries the key's
 * secret, for the operator to hand over out of band (absent where no master key was at hand).
 */
export type CreatedLender = Lender & { readonly preCheckKey?: IssuedPreCheckKey };

/**
 * The partner registry: admission records, the status life cycle with its history, and
 * conformance runs. Every change is audited in the transaction that makes it.
 */
export class LenderService {
  readonly #db: Executor<LenderTables>;
  readonly #clock: Clock;
  readonly #funders: FunderService;
  readonly #preCheckKeys: PreCheckKeyService | undefined;

  constructor(db: Executor<LenderTables>, options: LenderServiceOptions) {
    this.#db = db;
    this.#clock = options.clock;
    this.#funders = options.funders;
    this.#preCheckKeys = options.preCheckKeys;
  }

  async create(input: NewLender, actor: Actor, requestId?: string): Promise<CreatedLender> {
    const problems = new Problems();
    const checked = checkNewLender(problems, input);
    problems.throwIfAny();
    return inTransaction(this.#db, async (trx) => {
      const now = this.#clock();
      const id = randomUUID();
      const row = await trx
        .insertInto('lenders')
        .values({
          id,
          code: checked.code,
          kind: checked.kind,
          status: 'applied',
          created_at: now,
          updated_at: now,
          ...lenderColumns(checked),
        })
        .onConflict((oc) => oc.column('code').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row)
        throw new AppError('CONFLICT', `A partner with code ${checked.code} already exists.`, {
          field: 'code',
        });
      const funders = await this.#funders.replace(trx, row, checked.funders, now);
      await recordStatusChange(trx, {
        lenderId: id,
        from: null,
        to: 'applied',
        reason: 'application registered',
        actor,
        requestId,
        at: now,
      });
      await recordAudit(trx, {
        actor,
        action: 'lender.create',
        target: { type: 'lender', id },
        requestId,
        details: { code: row.code, kind: row.kind, funders: funders.length },
      });
      // The pre-check key is exchanged at admission: the partner needs it for its first pre-check,
      // the sandbox stage's conformance run included.
      const preCheckKey = this.#preCheckKeys?.sealing
        ? await this.#preCheckKeys.issue(trx, id, {}, actor, requestId)
        : undefined;
      return { ...toLender(row, funders), ...(preCheckKey ? { preCheckKey } : {}) };
    });
  }

  async get(id: string, executor: Executor<LenderTables> = this.#db): Promise<Lender> {
    const row = await executor.selectFrom('lenders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No partner has this id.');
    return toLender(row, await this.#funders.fundersOf(id, executor));
  }

  /** The partner with this public code (the envelope's partner id), or `undefined`. */
  async findByCode(code: string): Promise<Lender | undefined> {
    const row = await this.#db.selectFrom('lenders').selectAll().where('code', '=', code).executeTakeFirst();
    return row ? toLender(row, await this.#funders.fundersOf(row.id)) : undefined;
  }

  /** Newest first, filtered by status and kind, keyset-paginated. */
  async list(query: LenderListQuery): Promise<Page<Lender>> {
    let select = this.#db
      .selectFrom('lenders')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
    if (query.cursor !== undefined) {
      const { at, id } = decodeTimeCursor(query.cursor);
      select = select.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
      );
    }
    const rows = await select.execute();
    const funders = await this.#funders.fundersOfMany(rows.slice(0, query.limit).map((row) => row.id));
    return pageOf(
      rows,
      query.limit,
      (row) => toLender(row, funders.get(row.id) ?? []),
      (row) => encodeTimeCursor(row.created_at, row.id),
    );
  }

  async update(id: string, changes: LenderChanges, actor: Actor, requestId?: string): Promise<Lender> {
    return inTransaction(this.#db, async (trx) => {
      const row = await this.#lockLender(trx, id);
      if (row.status === 'terminated')
        throw new AppError('CONFLICT', 'A terminated partner cannot be changed.');
      const current = toLender(row, []);
      const problems = new Problems();
      const checked = checkLenderChanges(problems, current, changes);
      problems.throwIfAny();
      const now = this.#clock();
      const updated = await trx
        .updateTable('lenders')
        .set({ ...lenderColumns(checked), updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const funders =
        checked.funders === undefined
          ? await this.#funders.fundersOf(id, trx)
          : await this.#funders.replace(trx, updated, checked.funders, now);
      await recordAudit(trx, {
        actor,
        action: 'lender.update',
        target: { type: 'lender', id },
        requestId,
        details: {
          changed: changedFields(changes),
          ...(changes.dailyApplicationQuota !== undefined
            ? { dailyApplicationQuota: checked.dailyApplicationQuota }
            : {}),
        },
      });
      return toLender(updated, funders);
    });
  }

  /**
   * Moves a partner along its life cycle (see status.ts), recording who, when and why in the
   * status history and the audit log. The partner row is locked so that two operators moving the
   * same partner at once are serialised and the second sees the first's result.
   */
  async transition(id: string, change: Transition, actor: Actor, requestId?: string): Promise<Lender> {
    const reason = checkReason(change.reason);
    return inTransaction(this.#db, async (trx) => {
      const row = await this.#lockLender(trx, id);
      const readiness = change.to === 'active' ? await this.#readiness(trx, row) : undefined;
      const verdict = checkLenderTransition(row.status, change.to, readiness);
      if (!verdict.ok) throw refusal(row.status, change.to, verdict);
      const now = this.#clock();
      const updated = await trx
        .updateTable('lenders')
        .set({ status: change.to, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordStatusChange(trx, {
        lenderId: id,
        from: row.status,
        to: change.to,
        reason,
        actor,
        requestId,
        at: now,
      });
      await recordAudit(trx, {
        actor,
        action: 'lender.status_change',
        target: { type: 'lender', id },
        requestId,
        details: { from: row.status, to: change.to, reason },
      });
      return toLender(updated, await this.#funders.fundersOf(id, trx));
    });
  }

  /** The status history, oldest first (a life cycle reads top to bottom). */
  async history(id: string, query: ListQuery): Promise<Page<StatusChange>> {
    await requirePartner(this.#db, id);
    let select = this.#db
      .selectFrom('lender_status_history')
      .selectAll()
      .where('lender_id', '=', id)
      .orderBy('id', 'asc')
      .limit(query.limit + 1);
    if (query.cursor !== undefined) select = select.where('id', '>', decodeIdCursor(query.cursor));
    const rows = await select.execute();
    return pageOf(rows, query.limit, toStatusChange, (row) => encodeIdCursor(row.id));
  }

  /**
   * Stores the result of a conformance run against the partner's endpoint (called by a runner
   * that ran the kit itself, e.g. the demo's admission), with what it ran against (`target`; by
   * default the partner as registered now). Only a passed latest run, against the base URL and
   * keys the partner has when it moves, lets it become active.
   */
  async recordConformanceRun(
    run: NewConformanceRun,
    actor: Actor,
    requestId?: string,
  ): Promise<ConformanceRun> {
    const problems = new Problems();
    if (Number.isNaN(run.startedAt.getTime())) problems.add('startedAt', 'must be a valid time');
    if (Number.isNaN(run.finishedAt.getTime())) problems.add('finishedAt', 'must be a valid time');
    else if (run.finishedAt < run.startedAt) problems.add('finishedAt', 'must not be before startedAt');
    if (typeof run.report !== 'object' || run.report === null || Array.isArray(run.report)) {
      problems.add('report', 'must be a JSON object');
    }
    problems.throwIfAny();
    const report = JSON.stringify(run.report);
    if (Buffer.byteLength(report) > MAX_REPORT_BYTES) {
      throw invalidField('report', `must be at most ${MAX_REPORT_BYTES} bytes of JSON`);
    }
    return inTransaction(this.#db, async (trx) => {
      const lender = await this.#lockLender(trx, run.lenderId);
      if (lender.status === 'terminated') {
        throw new AppError('CONFLICT', 'A terminated partner takes no conformance runs.');
      }
      const row = await trx
        .insertInto('conformance_runs')
        .values({
          lender_id: run.lenderId,
          status: run.passed ? 'passed' : 'failed',
          started_at: run.startedAt,
          finished_at: run.finishedAt,
          passed: run.passed,
          ...(await targetColumns(trx, lender, run.target, this.#clock())),
          report,
          recorded_at: this.#clock(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor,
        action: 'lender.conformance_run',
        target: { type: 'lender', id: run.lenderId },
        requestId,
        details: { runId: row.id, passed: row.passed },
      });
      return toConformanceRun(row);
    });
  }

  /** Conformance runs, most recently finished first. */
  async conformanceRuns(id: string, query: ListQuery): Promise<Page<ConformanceRun>> {
    await requirePartner(this.#db, id);
    let select = this.#db
      .selectFrom('conformance_runs')
      .selectAll()
      .where('lender_id', '=', id)
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.cursor !== undefined) select = select.where('id', '<', decodeIdCursor(query.cursor));
    const rows = await select.execute();
    return pageOf(rows, query.limit, toConformanceRun, (row) => encodeIdCursor(row.id));
  }

  /**
   * Whether the partner takes new applications right now, read fresh from the database so that a
   * suspension a moment ago already counts. Unknown partners take none.
   */
  async acceptsApplications(id: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('lenders')
      .select(['status', 'daily_application_quota'])
      .where('id', '=', id)
      .executeTakeFirst();
    return (
      row !== undefined &&
      isAcceptingApplications({ status: row.status, dailyApplicationQuota: row.daily_application_quota })
    );
  }

  async #lockLender(executor: Executor<LenderTables>, id: string): Promise<Selectable<LenderRow>> {
    const row = await executor
      .selectFrom('lenders')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No partner has this id.');
    return row;
  }

  async #readiness(
    executor: Executor<LenderTables>,
    row: Selectable<LenderRow>,
  ): Promise<ActivationReadiness> {
    const standing = await conformanceStanding(executor, row, this.#clock());
    const lender = toLender(row, []);
    return {
      ...standing,
      hasContractReference: lender.contractReference !== null,
      certificationValid: isCertificationValid(lender.securityCertification, chinaDate(this.#clock())),
    };
  }
}

/** One row of a partner's status history: who moved it, from where, to where, why, when. */
async function recordStatusChange(
  trx: Executor<LenderTables>,
  change: {
    readonly lenderId: string;
    readonly from: LenderStatus | null;
    readonly to: LenderStatus;
    readonly reason: string;
    readonly actor: Actor;
    readonly requestId: string | undefined;
    readonly at: Date;
  },
): Promise<void> {
  await trx
    .insertInto('lender_status_history')
    .values({
      lender_id: change.lenderId,
      from_status: change.from,
      to_status: change.to,
      reason: change.reason,
      actor_type: change.actor.type,
      actor_id: change.actor.id,
      request_id: change.requestId ?? null,
      at: change.at,
    })
    .execute();
}
