/**
 * Conformance runs as the admission gate sees them: what each run was against (the partner's base
 * URL and a digest of its key set), and the life of a run an operator starts from the API —
 * `running` with its progress, then `passed` or `failed`; a run whose process stopped is ended
 * `failed` with the reason `interrupted`, never left running.
 *
 * The gate (LenderService.transition to `active`) takes only the latest finished run, and only if
 * it passed against the base URL and the key set the partner has now: a partner that changed its
 * endpoint or its keys since is tested again before it goes live.
 */
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Actor, recordAudit, SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import { spkiThumbprint } from '../protocol/envelope/index.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { ConformanceRun, ConformanceTarget } from './model.ts';
import type { LenderStatus } from './status.ts';
import type { ConformanceRunRow, LenderRow, LenderTables } from './tables.ts';
import { toConformanceRun } from './views.ts';

/** A key as the digest sees it. */
interface DigestedKey {
  readonly use: string;
  readonly alg: string;
  readonly kid: string;
  readonly publicKeyPem: string;
}

/**
 * SHA-256 (hex) of the key set: one line per key — use, algorithm, key id and SPKI thumbprint —
 * sorted, so the order the keys were listed in does not matter but any key added, removed or
 * replaced does.
 */
export function keySetDigest(keys: readonly DigestedKey[]): string {
  const lines = keys.map((k) => `${k.use} ${k.alg} ${k.kid} ${spkiThumbprint(k.publicKeyPem)}`).sort();
  return createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex');
}

/** A base URL as it is compared: without trailing slashes (the registry stores it so). */
export function normalizeBaseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The partner's key set valid at `now`, as the kit would be given it (the registry's key set). */
async function currentKeys(
  executor: Executor<LenderTables>,
  lenderId: string,
  now: Date,
): Promise<DigestedKey[]> {
  const rows = await executor
    .selectFrom('lender_keys')
    .select(['use', 'algorithm', 'kid', 'public_key_pem'])
    .where('lender_id', '=', lenderId)
    .where('not_before', '<=', now)
    .where((eb) => eb.or([eb('not_after', 'is', null), eb('not_after', '>', now)]))
    .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', now)]))
    .execute();
  return rows.map((r) => ({ use: r.use, alg: r.algorithm, kid: r.kid, publicKeyPem: r.public_key_pem }));
}

/** The columns recording what a run was against: `target`, or the partner as registered at `now`. */
export async function targetColumns(
  executor: Executor<LenderTables>,
  lender: Pick<Selectable<LenderRow>, 'id' | 'callback_base_url'>,
  target: ConformanceTarget | undefined,
  now: Date,
): Promise<{ lender_url: string; key_set_digest: string }> {
  return {
    lender_url: normalizeBaseUrl(target?.lenderUrl ?? lender.callback_base_url),
    key_set_digest: keySetDigest(target?.keys ?? (await currentKeys(executor, lender.id, now))),
  };
}

/** What the gate needs to know of the partner's conformance runs. */
export interface ConformanceStanding {
  /** Whether the most recent finished run passed; `null` when none ever finished. */
  readonly latestConformancePassed: boolean | null;
  /** What changed since that passed run: its base URL, its keys (empty when it still stands). */
  readonly conformanceOutdated: readonly ('callbackBaseUrl' | 'keys')[];
}

export async function conformanceStanding(
  executor: Executor<LenderTables>,
  lender: Pick<Selectable<LenderRow>, 'id' | 'callback_base_url'>,
  now: Date,
): Promise<ConformanceStanding> {
  const latest = await executor
    .selectFrom('conformance_runs')
    .select(['passed', 'lender_url', 'key_set_digest'])
    .where('lender_id', '=', lender.id)
    .where('status', '!=', 'running')
    .orderBy('finished_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (latest === undefined) return { latestConformancePassed: null, conformanceOutdated: [] };
  if (latest.passed !== true) return { latestConformancePassed: false, conformanceOutdated: [] };
  const outdated: ('callbackBaseUrl' | 'keys')[] = [];
  if (latest.lender_url !== normalizeBaseUrl(lender.callback_base_url)) outdated.push('callbackBaseUrl');
  const digest = keySetDigest(await currentKeys(executor, lender.id, now));
  if (latest.key_set_digest !== digest) outdated.push('keys');
  return { latestConformancePassed: true, conformanceOutdated: outdated };
}

/** Partners an operator may run the kit against: admitted to the sandbox stage, or suspended. */
export const RUNNABLE_STATUSES: readonly LenderStatus[] = ['sandbox', 'suspended'];

/** Longest failure reason kept. */
const MAX_REASON = 500;

/** The start of an operator-run. */
export interface RunStart {
  readonly lenderId: string;
  readonly target: ConformanceTarget;
  /** Where the kit listens for callbacks, when known before the run starts. */
  readonly callbackUrl: string | null;
  /** Checks the run will report. */
  readonly total: number;
}

/** A check result as the report lists it (src/conformance/report.ts CheckResult). */
export type RecordedCheck = Readonly<Record<string, unknown>>;

/**
 * Operator-runs: started `running` (at most one per partner, whichever process), their progress
 * and heartbeat, their end — and the sweep that ends runs whose process is gone.
 */
export class ConformanceRunService {
  readonly #db: Executor<LenderTables>;
  readonly #clock: Clock;

  constructor(db: Executor<LenderTables>, options: { readonly clock: Clock }) {
    this.#db = db;
    this.#clock = options.clock;
  }

  /** Records a run as started; refuses a partner not runnable or with a run already going. */
  async begin(start: RunStart, actor: Actor, requestId?: string): Promise<ConformanceRun> {
    return inTransaction(this.#db, async (trx) => {
      // Locked: two operators starting runs for one partner are serialised (the index is the backstop).
      const lender = await trx
        .selectFrom('lenders')
        .select(['id', 'status', 'callback_base_url'])
        .where('id', '=', start.lenderId)
        .forUpdate()
        .executeTakeFirst();
      if (!lender) throw new AppError('NOT_FOUND', 'No partner has this id.');
      if (!RUNNABLE_STATUSES.includes(lender.status))
        throw new AppError(
          'CONFLICT',
          `A conformance run is for a partner in ${RUNNABLE_STATUSES.join(' or ')}; this one is ${lender.status}.`,
          { status: lender.status, allowed: RUNNABLE_STATUSES },
        );
      const running = await trx
        .selectFrom('conformance_runs')
        .select('id')
        .where('lender_id', '=', start.lenderId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (running)
        throw new AppError('CONFLICT', 'A conformance run of this partner is still running.', {
          runId: running.id,
        });
      const now = this.#clock();
      const row = await trx
        .insertInto('conformance_runs')
        .values({
          lender_id: start.lenderId,
          status: 'running',
          started_at: now,
          finished_at: null,
          passed: null,
          checks_done: 0,
          checks_total: start.total,
          ...(await targetColumns(trx, lender, start.target, now)),
          callback_url: start.callbackUrl,
          requested_by: actor.id,
          heartbeat_at: now,
          report: JSON.stringify({ checks: [] }),
          recorded_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor,
        action: 'lender.conformance_run_start',
        target: { type: 'lender', id: start.lenderId },
        requestId,
        details: { runId: row.id, lenderUrl: row.lender_url, callbackUrl: row.callback_url },
      });
      return toConformanceRun(row);
    });
  }

  /** One more check done: the results so far, and a heartbeat. Nothing once the run ended. */
  async progress(runId: number, checks: readonly RecordedCheck[], total: number): Promise<void> {
    await this.#db
      .updateTable('conformance_runs')
      .set({
        checks_done: checks.length,
        checks_total: Math.max(total, checks.length),
        report: JSON.stringify({ checks }),
        heartbeat_at: this.#clock(),
      })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .execute();
  }

  async setCallbackUrl(runId: number, callbackUrl: string): Promise<void> {
    await this.#db
      .updateTable('conformance_runs')
      .set({ callback_url: callbackUrl })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .execute();
  }

  /** The runs of this process are alive. */
  async heartbeat(runIds: readonly number[]): Promise<void> {
    if (runIds.length === 0) return;
    await this.#db
      .updateTable('conformance_runs')
      .set({ heartbeat_at: this.#clock() })
      .where('id', 'in', [...runIds])
      .where('status', '=', 'running')
      .execute();
  }

  /**
   * Ends a running run with its report: `passed` only when the report passed and no
   * `failureReason` is given (`interrupted`, `error: …`). Audited as `lender.conformance_run`.
   * A run that already ended (swept meanwhile) is left as it is.
   */
  async finish(
    runId: number,
    report: Readonly<Record<string, unknown>>,
    failureReason?: string,
  ): Promise<ConformanceRun | undefined> {
    const passed = report.passed === true && failureReason === undefined;
    const checks = Array.isArray(report.checks) ? report.checks.length : undefined;
    return inTransaction(this.#db, async (trx) => {
      const row = await trx
        .updateTable('conformance_runs')
        .set({
          status: passed ? 'passed' : 'failed',
          passed,
          finished_at: this.#clock(),
          failure_reason: failureReason?.slice(0, MAX_REASON) ?? null,
          report: JSON.stringify(report),
          ...(checks === undefined ? {} : { checks_done: checks }),
          heartbeat_at: null,
        })
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await auditRunEnded(trx, row);
      return toConformanceRun(row);
    });
  }

  /**
   * Ends as `failed: interrupted` every running run whose heartbeat is older than `staleBefore`
   * (all of them when it is omitted: nothing else can be running them), except `keep` (this
   * process's own). Returns how many were ended.
   */
  async interruptStale(staleBefore: Date | undefined, keep: readonly number[] = []): Promise<number> {
    return inTransaction(this.#db, async (trx) => {
      let update = trx
        .updateTable('conformance_runs')
        .set({
          status: 'failed',
          passed: false,
          finished_at: this.#clock(),
          failure_reason: 'interrupted',
          heartbeat_at: null,
        })
        .where('status', '=', 'running');
      if (staleBefore !== undefined)
        update = update.where((eb) =>
          eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', staleBefore)]),
        );
      if (keep.length > 0) update = update.where('id', 'not in', [...keep]);
      const ended = await update.returning(['id', 'lender_id', 'requested_by']).execute();
      for (const run of ended) {
        await auditRunEnded(trx, { ...run, passed: false, failure_reason: 'interrupted' });
      }
      return ended.length;
    });
  }

  /** One run of the partner. */
  async get(lenderId: string, runId: number): Promise<ConformanceRun> {
    const row: Selectable<ConformanceRunRow> | undefined = await this.#db
      .selectFrom('conformance_runs')
      .selectAll()
      .where('lender_id', '=', lenderId)
      .where('id', '=', runId)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'The partner has no conformance run with this id.');
    return toConformanceRun(row);
  }
}

/** The audit entry of a run's end: whether it passed, why not, and who had asked for it. */
function auditRunEnded(
  trx: Executor<LenderTables>,
  run: Pick<Selectable<ConformanceRunRow>, 'id' | 'lender_id' | 'passed' | 'failure_reason' | 'requested_by'>,
): Promise<void> {
  return recordAudit(trx, {
    actor: SYSTEM_ACTOR,
    action: 'lender.conformance_run',
    target: { type: 'lender', id: run.lender_id },
    details: {
      runId: run.id,
      passed: run.passed,
      ...(run.failure_reason === null ? {} : { failureReason: run.failure_reason }),
      requestedBy: run.requested_by,
    },
  });
}
