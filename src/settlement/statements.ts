import { randomUUID } from 'node:crypto';
import { type Insertable, type Selectable, sql } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import { accounts, type Ledger } from '../ledger/index.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import { isClosedMonth, isMonth } from './calendar.ts';
import { lockLender } from './locks.ts';
import { type LenderDirectory, requireKnownLender } from './ports.ts';
import {
  type AccrualGroup,
  buildStatement,
  type OwedAmounts,
  type StatementLine,
  type StatementTotals,
} from './statement-builder.ts';
import { checkStatementTransition } from './statement-status.ts';
import type {
  SettlementTables,
  StatementAmountColumns,
  StatementLineRow,
  StatementRow,
  StatementStatus,
} from './tables.ts';

export const ALL_CHANNELS = '*';
const LINE_CHUNK = 1000;

export interface Statement {
  readonly id: string;
  readonly lenderCode: string;
  readonly month: string;
  /** `*` for the lender's statement, or the channel of an internal attribution statement. */
  readonly channelScope: string;
  readonly status: StatementStatus;
  readonly totals: StatementTotals;
  readonly previousStatementId: string | null;
  readonly settlementLedgerSeq: number | null;
  readonly generatedAt: string;
  readonly generatedBy: string | null;
  readonly updatedAt: string;
}

export interface StatementEvent {
  readonly fromStatus: StatementStatus | null;
  readonly toStatus: StatementStatus;
  readonly note: string | null;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly at: string;
}

export interface GenerateRequest {
  readonly lenderCode: string;
  readonly month: string;
  readonly channelCode?: string;
}

/** The stored money columns of a statement or a line, as the API names them. */
function owedAmountsOf(row: StatementAmountColumns): OwedAmounts {
  return {
    disbursedPrincipalFen: row.disbursed_principal_fen,
    principalCollectedFen: row.principal_collected_fen,
    interestCollectedFen: row.interest_collected_fen,
    feesCollectedFen: row.fees_collected_fen,
    referralFen: row.referral_fen,
    serviceInterestFen: row.service_interest_fen,
    serviceFeeFen: row.service_fee_fen,
    totalFen: row.total_fen,
  };
}

/** The inverse of {@link owedAmountsOf}: the columns that store the amounts. */
function owedAmountColumns(amounts: OwedAmounts): StatementAmountColumns {
  return {
    disbursed_principal_fen: amounts.disbursedPrincipalFen,
    principal_collected_fen: amounts.principalCollectedFen,
    interest_collected_fen: amounts.interestCollectedFen,
    fees_collected_fen: amounts.feesCollectedFen,
    referral_fen: amounts.referralFen,
    service_interest_fen: amounts.serviceInterestFen,
    service_fee_fen: amounts.serviceFeeFen,
    total_fen: amounts.totalFen,
  };
}

function toStatement(row: Selectable<StatementRow>): Statement {
  return {
    id: row.id,
    lenderCode: row.lender_code,
    month: row.month,
    channelScope: row.channel_scope,
    status: row.status,
    totals: { lineCount: row.line_count, eventCount: row.event_count, ...owedAmountsOf(row) },
    previousStatementId: row.previous_statement_id,
    settlementLedgerSeq: row.settlement_ledger_seq,
    generatedAt: row.generated_at.toISOString(),
    generatedBy: row.generated_by,
    updatedAt: row.updated_at.toISOString(),
  };
}

const sumInt = (expression: ReturnType<typeof sql>) => sql<number>`coalesce(sum(${expression}), 0)::int8`;

/** Which statement: a lender's, of a month, for all channels (`*`) or one. */
interface StatementKey {
  readonly lender: string;
  readonly month: string;
  readonly scope: string;
}

/** What the previous statement of a scope took: business months ≤ its month, accrual ids ≤ its watermark. */
interface PreviousStatement {
  readonly id: string;
  readonly month: string;
  readonly watermark: number;
}

/** A request for a closed month (China time), as the statement it names. Pure. */
function checkGenerateRequest(request: GenerateRequest, now: Date): StatementKey {
  if (!isMonth(request.month)) throw invalidField('body.month', 'must be a month YYYY-MM');
  if (!isClosedMonth(request.month, now)) {
    throw new AppError(
      'INVALID_STATE',
      `${request.month} is not over yet (China time); statements are for closed months.`,
    );
  }
  return { lender: request.lenderCode, month: request.month, scope: request.channelCode ?? ALL_CHANNELS };
}

/**
 * The new statement's watermark: the lender's highest accrual id, never below the previous
 * statement's (a lender without accruals since keeps the cut where it was). Pure.
 */
function nextWatermark(highestAccrualId: number | null, previous: PreviousStatement | undefined): number {
  return Math.max(highestAccrualId ?? 0, previous?.watermark ?? 0);
}

/** The statement's row, in draft, with the totals of its lines. Pure. */
function statementRow(statement: {
  readonly id: string;
  readonly key: StatementKey;
  readonly watermark: number;
  readonly previous: PreviousStatement | undefined;
  readonly totals: StatementTotals;
  readonly actor: Actor;
  readonly now: Date;
}): Insertable<StatementRow> {
  const { key, totals, now } = statement;
  return {
    id: statement.id,
    lender_code: key.lender,
    month: key.month,
    channel_scope: key.scope,
    status: 'draft',
    watermark: statement.watermark,
    previous_statement_id: statement.previous?.id ?? null,
    line_count: totals.lineCount,
    event_count: totals.eventCount,
    ...owedAmountColumns(totals),
    settlement_ledger_seq: null,
    generated_at: now,
    generated_by: statement.actor.id,
    updated_at: now,
  };
}

/** The rows of a statement's lines. Pure. */
function lineRows(statementId: string, lines: readonly StatementLine[]): Insertable<StatementLineRow>[] {
  return lines.map((line) => ({
    statement_id: statementId,
    line_no: line.lineNo,
    loan_id: line.loanId,
    lender_loan_id: line.lenderLoanId,
    channel_code: line.channelCode,
    business_month: line.businessMonth,
    events: line.events,
    ...owedAmountColumns(line),
  }));
}

async function findStatement(
  trx: Executor<SettlementTables>,
  key: StatementKey,
): Promise<Selectable<StatementRow> | undefined> {
  return trx
    .selectFrom('statements')
    .selectAll()
    .where('lender_code', '=', key.lender)
    .where('month', '=', key.month)
    .where('channel_scope', '=', key.scope)
    .executeTakeFirst();
}

/** Months are generated in order: none once a later month of the scope has its statement. */
async function refuseAfterLaterMonth(trx: Executor<SettlementTables>, key: StatementKey): Promise<void> {
  const later = await trx
    .selectFrom('statements')
    .select('month')
    .where('lender_code', '=', key.lender)
    .where('channel_scope', '=', key.scope)
    .where('month', '>', key.month)
    .limit(1)
    .executeTakeFirst();
  if (later) {
    throw new AppError('INVALID_STATE', `A statement for the later month ${later.month} already exists.`);
  }
}

/** The scope's latest statement so far (an earlier month: a later one was refused). */
async function previousStatement(
  trx: Executor<SettlementTables>,
  key: StatementKey,
): Promise<PreviousStatement | undefined> {
  return trx
    .selectFrom('statements')
    .select(['id', 'month', 'watermark'])
    .where('lender_code', '=', key.lender)
    .where('channel_scope', '=', key.scope)
    .orderBy('month', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The lender's highest accrual id, read under its exclusive lock (see locks.ts). */
async function highestAccrualId(trx: Executor<SettlementTables>, lender: string): Promise<number | null> {
  const top = await trx
    .selectFrom('fee_accruals')
    .select(sql<number | null>`max(id)`.as('max'))
    .where('lender_code', '=', lender)
    .executeTakeFirstOrThrow();
  return top.max;
}

/** Accrual sums per loan and business month, for the accruals this statement takes. */
async function accrualGroups(
  trx: Executor<SettlementTables>,
  key: StatementKey,
  watermark: number,
  previous: PreviousStatement | undefined,
): Promise<AccrualGroup[]> {
  let query = trx
    .selectFrom('fee_accruals')
    .select([
      'loan_id',
      'lender_loan_id',
      'channel_code',
      'business_month',
      sql<number>`count(*)::int4`.as('events'),
      sumInt(sql`CASE WHEN record_type = 'disbursement' THEN principal_fen ELSE 0 END`).as('disbursed'),
      sumInt(sql`CASE WHEN record_type = 'repayment' THEN principal_fen ELSE 0 END`).as('principal'),
      sumInt(sql`interest_fen`).as('interest'),
      sumInt(sql`fee_fen + penalty_fen`).as('fees'),
      sumInt(sql`referral_fen`).as('referral'),
      sumInt(sql`service_interest_fen`).as('service_interest'),
      sumInt(sql`service_fee_fen`).as('service_fee'),
    ])
    .where('lender_code', '=', key.lender)
    .where('business_month', '<=', key.month)
    .where('id', '<=', watermark)
    .groupBy(['loan_id', 'lender_loan_id', 'channel_code', 'business_month']);
  if (key.scope !== ALL_CHANNELS) query = query.where('channel_code', '=', key.scope);
  if (previous) {
    query = query.where((eb) =>
      eb.or([eb('business_month', '>', previous.month), eb('id', '>', previous.watermark)]),
    );
  }
  const rows = await query.execute();
  return rows.map((row) => ({
    loanId: row.loan_id,
    lenderLoanId: row.lender_loan_id,
    channelCode: row.channel_code,
    businessMonth: row.business_month,
    events: row.events,
    disbursedPrincipalFen: row.disbursed,
    principalCollectedFen: row.principal,
    interestCollectedFen: row.interest,
    feesCollectedFen: row.fees,
    referralFen: row.referral,
    serviceInterestFen: row.service_interest,
    serviceFeeFen: row.service_fee,
  }));
}

/** The statement and its lines, the lines in chunks of LINE_CHUNK rows per INSERT. */
async function insertStatement(
  trx: Executor<SettlementTables>,
  row: Insertable<StatementRow>,
  lines: readonly StatementLine[],
): Promise<void> {
  await trx.insertInto('statements').values(row).execute();
  for (let i = 0; i < lines.length; i += LINE_CHUNK) {
    await trx
      .insertInto('statement_lines')
      .values(lineRows(row.id, lines.slice(i, i + LINE_CHUNK)))
      .execute();
  }
}

/** The draft's first history entry and its audit entry. */
async function recordGenerated(
  trx: Executor<SettlementTables>,
  generated: {
    readonly id: string;
    readonly key: StatementKey;
    readonly totals: StatementTotals;
    readonly actor: Actor;
    readonly now: Date;
    readonly requestId: string | undefined;
  },
): Promise<void> {
  const { id, key, actor, requestId } = generated;
  await trx
    .insertInto('statement_events')
    .values({
      statement_id: id,
      from_status: null,
      to_status: 'draft',
      note: null,
      actor_type: actor.type,
      actor_id: actor.id,
      at: generated.now,
    })
    .execute();
  await recordAudit(trx, {
    actor,
    action: 'settlement.statement_generated',
    target: { type: 'statement', id },
    ...(requestId ? { requestId } : {}),
    details: {
      lenderCode: key.lender,
      month: key.month,
      scope: key.scope,
      totalFen: generated.totals.totalFen,
    },
  });
}

async function readStatement(trx: Executor<SettlementTables>, id: string): Promise<Selectable<StatementRow>> {
  return trx.selectFrom('statements').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Monthly statements per lender (and per channel, for internal attribution), built from the fee
 * accruals — never by recomputing a fee.
 *
 * Which accruals a statement holds: the statement of month M for a scope takes every accrual of
 * the scope with business month ≤ M and id ≤ W (the lender's highest accrual id when it is
 * generated, read under the lender's exclusive lock), minus what the previous statement of the
 * scope (month P, watermark V) took: business month ≤ P and id ≤ V. So each accrual lands in
 * exactly one statement: on time in its own month's, or — when its callback came after that
 * statement was generated — as a late line in the next one. A closed month's statement is
 * generated once; asking again returns it.
 */
export class StatementService {
  readonly #db: Executor<SettlementTables>;
  readonly #clock: Clock;
  readonly #ledger: Ledger;
  readonly #lenders: LenderDirectory;

  constructor(db: Executor<SettlementTables>, clock: Clock, ledger: Ledger, lenders: LenderDirectory) {
    this.#db = db;
    this.#clock = clock;
    this.#ledger = ledger;
    this.#lenders = lenders;
  }

  /**
   * The statement of a closed month for a lender (and channel scope): generated once, under the
   * lender's exclusive lock, from the accruals the watermarks cut out (see the class comment);
   * asked again, the one already generated.
   */
  async generate(request: GenerateRequest, actor: Actor, requestId?: string): Promise<Statement> {
    const key = checkGenerateRequest(request, this.#clock());
    await requireKnownLender(this.#lenders, key.lender);
    return inTransaction(this.#db, async (trx) => {
      await lockLender(trx, key.lender, 'exclusive');
      const existing = await findStatement(trx, key);
      if (existing) return toStatement(existing);
      await refuseAfterLaterMonth(trx, key);
      const previous = await previousStatement(trx, key);
      const watermark = nextWatermark(await highestAccrualId(trx, key.lender), previous);
      const { lines, totals } = buildStatement(await accrualGroups(trx, key, watermark, previous));
      const now = this.#clock();
      const id = randomUUID();
      await insertStatement(trx, statementRow({ id, key, watermark, previous, totals, actor, now }), lines);
      await recordGenerated(trx, { id, key, totals, actor, now, requestId });
      return toStatement(await readStatement(trx, id));
    });
  }

  async get(id: string): Promise<Statement> {
    const row = await this.#db.selectFrom('statements').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No such statement.');
    return toStatement(row);
  }

  async list(query: {
    readonly lenderCode?: string;
    readonly month?: string;
    readonly status?: StatementStatus;
    readonly limit: number;
  }): Promise<Statement[]> {
    let select = this.#db
      .selectFrom('statements')
      .selectAll()
      .orderBy('month', 'desc')
      .orderBy('lender_code')
      .orderBy('channel_scope')
      .limit(query.limit);
    if (query.lenderCode !== undefined) select = select.where('lender_code', '=', query.lenderCode);
    if (query.month !== undefined) select = select.where('month', '=', query.month);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    return (await select.execute()).map(toStatement);
  }

  async lines(
    id: string,
    page: { readonly afterLineNo?: number; readonly limit?: number } = {},
  ): Promise<StatementLine[]> {
    await this.get(id);
    let select = this.#db
      .selectFrom('statement_lines')
      .selectAll()
      .where('statement_id', '=', id)
      .where('line_no', '>', page.afterLineNo ?? 0)
      .orderBy('line_no');
    if (page.limit !== undefined) select = select.limit(page.limit);
    const rows = await select.execute();
    return rows.map((row) => ({
      lineNo: row.line_no,
      loanId: row.loan_id,
      lenderLoanId: row.lender_loan_id,
      channelCode: row.channel_code,
      businessMonth: row.business_month,
      events: row.events,
      ...owedAmountsOf(row),
    }));
  }

  /** Totals per channel of a statement, from its lines. */
  async byChannel(
    id: string,
  ): Promise<
    { channelCode: string; lineCount: number; totalFen: number; referralFen: number; serviceFen: number }[]
  > {
    await this.get(id);
    const rows = await this.#db
      .selectFrom('statement_lines')
      .select([
        'channel_code',
        sql<number>`count(*)::int4`.as('lines'),
        sumInt(sql`total_fen`).as('total'),
        sumInt(sql`referral_fen`).as('referral'),
        sumInt(sql`service_interest_fen + service_fee_fen`).as('service'),
      ])
      .where('statement_id', '=', id)
      .groupBy('channel_code')
      .orderBy('channel_code')
      .execute();
    return rows.map((row) => ({
      channelCode: row.channel_code,
      lineCount: row.lines,
      totalFen: row.total,
      referralFen: row.referral,
      serviceFen: row.service,
    }));
  }

  async history(id: string): Promise<StatementEvent[]> {
    await this.get(id);
    const rows = await this.#db
      .selectFrom('statement_events')
      .selectAll()
      .where('statement_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      fromStatus: row.from_status,
      toStatus: row.to_status,
      note: row.note,
      actorType: row.actor_type,
      actorId: row.actor_id,
      at: row.at.toISOString(),
    }));
  }

  /**
   * Moves a lender statement along its life. Settling books the payment: the platform's cash is
   * debited and the lender's receivable credited by the statement total (idempotent on the
   * statement id). Channel statements are internal and have no life cycle.
   */
  async transition(
    id: string,
    change: { readonly to: StatementStatus; readonly note?: string },
    actor: Actor,
    requestId?: string,
  ): Promise<Statement> {
    return inTransaction(this.#db, async (trx) => {
      const row = await trx
        .selectFrom('statements')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', 'No such statement.');
      if (row.channel_scope !== ALL_CHANNELS) {
        throw new AppError(
          'INVALID_STATE',
          'Channel statements are internal attribution reports; they are not issued.',
        );
      }
      const verdict = checkStatementTransition(row.status, change.to, change.note);
      if (!verdict.ok)
        throw new AppError('INVALID_STATE', verdict.message, { from: row.status, allowed: verdict.allowed });
      const now = this.#clock();
      let settlementSeq: number | null = row.settlement_ledger_seq;
      if (change.to === 'settled' && row.total_fen !== 0) {
        const posted = await this.#ledger.post(trx, {
          kind: 'settlement',
          causeType: 'statement',
          causeId: row.id,
          requestId: requestId ?? null,
          occurredAt: now,
          memo: `settlement of ${row.lender_code} ${row.month}`,
          postings: [
            { account: accounts.cash, amountFen: row.total_fen },
            { account: accounts.lenderReceivable(row.lender_code), amountFen: -row.total_fen },
          ],
        });
        settlementSeq = posted.seq;
      }
      await trx
        .updateTable('statements')
        .set({ status: change.to, updated_at: now, settlement_ledger_seq: settlementSeq })
        .where('id', '=', id)
        .execute();
      await trx
        .insertInto('statement_events')
        .values({
          statement_id: id,
          from_status: row.status,
          to_status: change.to,
          note: change.note?.trim() || null,
          actor_type: actor.type,
          actor_id: actor.id,
          at: now,
        })
        .execute();
      await recordAudit(trx, {
        actor,
        action: 'settlement.statement_status_changed',
        target: { type: 'statement', id },
        ...(requestId ? { requestId } : {}),
        details: { from: row.status, to: change.to },
      });
      return toStatement(
        await trx.selectFrom('statements').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
      );
    });
  }
}
