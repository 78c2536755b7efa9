import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { type Executor, inTransaction, ownTables } from '../db/transaction.ts';
import {
  buildDisclosure,
  checkAprWithinCap,
  type DisclosureSheet,
  REPAYMENT_METHODS,
  type RepaymentMethod,
} from '../money/index.ts';
import type { CreditDecisionCallback } from '../protocol/envelope/index.ts';
import type { CallbackHandler } from '../protocol/inbound.ts';
import { enqueueLenderCall } from '../protocol/outbox.ts';
import { chinaDate } from '../shared/china-date.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, invalidField } from '../shared/errors.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import type { ApplicationPorts } from './ports.ts';
import { type Application, applyEvent, lockApplication, toApplication } from './repository.ts';
import type { ApplicationTables } from './tables.ts';

/** Paths of the lender calls this module makes (docs/protocol.md, sandbox/sdk/contract.ts). */
export const APPLY_PATH = '/lendgate/v1/applications';
export const DRAWDOWN_PATH = '/lendgate/v1/drawdowns';

export interface ApplyInput {
  readonly productId: string;
  readonly amountFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
}

export interface DrawdownTerms {
  readonly amountFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
}

/** Applications sent to each lender on the China calendar day of `now` (lenders with none are absent). */
async function applicationsSentOn(
  executor: Executor<ApplicationTables>,
  lenderIds: readonly string[],
  now: Date,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (lenderIds.length === 0) return counts;
  const midnight = new Date(`${chinaDate(now)}T00:00:00+08:00`);
  const rows = await executor
    .selectFrom('applications')
    .select(['lender_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('lender_id', 'in', [...lenderIds])
    .where('created_at', '>=', midnight)
    .groupBy('lender_id')
    .execute();
  for (const row of rows) counts.set(row.lender_id, Number(row.n));
  return counts;
}

/**
 * Applications: a borrower applies to one lender's product under a separate consent, the lender
 * decides by callback, the borrower draws down within the approval. Every step is one transaction
 * that changes the state, records the event with its cause, and (when a lender must hear of it)
 * writes the call to the outbox.
 */
export class ApplicationService {
  readonly #db: Executor<ApplicationTables>;
  readonly #clock: Clock;
  readonly #ports: ApplicationPorts;

  constructor(db: Executor<ApplicationTables>, clock: Clock, ports: ApplicationPorts) {
    this.#db = db;
    this.#clock = clock;
    this.#ports = ports;
  }

  async apply(principal: BorrowerPrincipal, input: ApplyInput): Promise<Application> {
    const product = await this.#ports.offerableProduct(input.productId);
    if (!product) throw new AppError('NOT_FOUND', 'This product is not offered.');
    if (input.amountFen < product.amountMinFen || input.amountFen > product.amountMaxFen) {
      throw invalidField(
        'body.amountFen',
        `must be from ${product.amountMinFen} to ${product.amountMaxFen} fen`,
      );
    }
    if (!product.termsMonths.includes(input.termMonths)) {
      throw invalidField('body.termMonths', `must be one of ${product.termsMonths.join(', ')}`);
    }
    if (!product.methods.includes(input.method)) {
      throw invalidField('body.method', `must be one of ${product.methods.join(', ')}`);
    }
    if (!(await this.#ports.entryVisible(principal))) {
      throw new AppError('NOT_WHITELISTED', 'The borrowing entry is not open to this user.');
    }
    const recipientKey = await this.#ports.recipientKey(product.lenderId);
    const now = this.#clock();
    return inTransaction(this.#db, async (trx) => {
      await this.#checkQuota(trx, product.lenderId, product.dailyApplicationQuota, now);
      if (!(await this.#ports.preCheckAccepted(trx, principal.borrowerId, product.productId))) {
        throw new AppError(
          'PRECHECK_REQUIRED',
          'Load the offers first: this lender has not pre-approved you.',
        );
      }
      const consent = await this.#ports.activeConsent(trx, principal.borrowerId, product.lenderId);
      if (!consent) {
        throw new AppError(
          'CONSENT_REQUIRED',
          'Consent to share your data with this lender before applying.',
        );
      }
      const id = randomUUID();
      const row = await trx
        .insertInto('applications')
        .values({
          id,
          borrower_id: principal.borrowerId,
          channel_code: principal.channelCode,
          lender_id: product.lenderId,
          partner_id: product.partnerId,
          product_id: product.productId,
          product_code: product.productCode,
          product_name: product.productName,
          lender_name: product.lenderName,
          requested_amount_fen: input.amountFen,
          term_months: input.termMonths,
          method: input.method,
          day_count: product.dayCount,
          status: 'submitted',
          consent_id: consent.consentId,
          approved_limit_fen: null,
          approved_apr: null,
          approved_terms: null,
          approved_methods: null,
          approval_valid_until: null,
          decision_reason: null,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const cause = { type: 'borrower' as const, id: principal.borrowerId };
      await applyEvent(trx, row, 'pre_check_passed', cause, now);
      const requestId = `apply-${id}`;
      const pii = await this.#ports.releasePii(trx, {
        borrowerId: principal.borrowerId,
        lenderId: product.lenderId,
        partnerId: product.partnerId,
        categories: product.dataCategories,
        consentId: consent.consentId,
        requestId,
        recipientKey,
      });
      await enqueueLenderCall(
        trx,
        {
          partnerId: product.partnerId,
          call: 'apply',
          path: APPLY_PATH,
          requestId,
          body: {
            applicationId: id,
            productCode: product.productCode,
            requestedAmountFen: input.amountFen,
            termMonths: input.termMonths,
            method: input.method,
            channel: principal.channelCode,
            consent: { version: consent.version, textSha256: consent.textSha256, givenAt: consent.givenAt },
            pii,
          },
        },
        now,
      );
      return toApplication((await lockApplication(trx, id))!);
    });
  }

  /** A lender's daily application quota counts every application sent to it since midnight (UTC+8). */
  async #checkQuota(
    trx: Transaction<ApplicationTables>,
    lenderId: string,
    quota: number,
    now: Date,
  ): Promise<void> {
    // Serialize quota checks per lender so that two applications cannot both take the last slot.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`quota:${lenderId}`}))`.execute(trx);
    const sent = (await applicationsSentOn(trx, [lenderId], now)).get(lenderId) ?? 0;
    if (sent >= quota)
      throw new AppError('LENDER_OVER_QUOTA', 'This lender takes no more applications today.');
  }

  /**
   * Applications sent to each of these lenders since midnight (China time), as the daily quota
   * counts them: the marketplace leaves out the offers of a lender whose quota is used up.
   */
  async applicationsToday(lenderIds: readonly string[]): Promise<Map<string, number>> {
    return applicationsSentOn(this.#db, lenderIds, this.#clock());
  }

  async get(principal: BorrowerPrincipal, id: string): Promise<Application> {
    const row = await this.#db
      .selectFrom('applications')
      .selectAll()
      .where('id', '=', id)
      .where('borrower_id', '=', principal.borrowerId)
      .executeTakeFirst();
    // Another borrower's application is reported as missing, so that ids reveal nothing.
    if (!row) throw new AppError('NOT_FOUND', 'No such application.');
    return toApplication(row);
  }

  async list(principal: BorrowerPrincipal): Promise<Application[]> {
    const rows = await this.#db
      .selectFrom('applications')
      .selectAll()
      .where('borrower_id', '=', principal.borrowerId)
      .orderBy('created_at', 'desc')
      .limit(100)
      .execute();
    return rows.map(toApplication);
  }

  async history(principal: BorrowerPrincipal, id: string) {
    await this.get(principal, id);
    const rows = await this.#db
      .selectFrom('application_events')
      .select(['event', 'from_status', 'to_status', 'cause_type', 'at'])
      .where('application_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      event: row.event,
      from: row.from_status,
      to: row.to_status,
      cause: row.cause_type,
      at: row.at.toISOString(),
    }));
  }

  async cancel(principal: BorrowerPrincipal, id: string): Promise<Application> {
    return inTransaction(this.#db, async (trx) => {
      const row = await this.#ownLocked(trx, principal, id);
      await applyEvent(trx, row, 'cancel', { type: 'borrower', id: principal.borrowerId }, this.#clock());
      return toApplication((await lockApplication(trx, id))!);
    });
  }

  /** The cost disclosure sheet (综合融资成本明示表) for drawing `terms` under the approval. */
  async disclosure(principal: BorrowerPrincipal, id: string, terms: DrawdownTerms): Promise<DisclosureSheet> {
    const application = await this.get(principal, id);
    return this.#checkDrawdown(application, terms).disclosure;
  }

  #checkDrawdown(application: Application, terms: DrawdownTerms) {
    const { approval } = application;
    if (!approval || !['approved', 'drawdown_failed'].includes(application.status)) {
      throw new AppError(
        'INVALID_STATE',
        `The application is ${application.status.replaceAll('_', ' ')}, not approved.`,
      );
    }
    if (approval.validUntil !== null && Date.parse(approval.validUntil) <= this.#clock().getTime()) {
      throw new AppError('APPROVAL_EXPIRED', 'The approval has expired; apply again.');
    }
    if (terms.amountFen > approval.limitFen) {
      throw new AppError('LIMIT_EXCEEDED', `At most ${approval.limitFen} fen can be drawn.`, {
        fields: [
          { field: 'body.amountFen', message: `must not exceed the approved limit ${approval.limitFen}` },
        ],
      });
    }
    if (approval.termsMonths.length > 0 && !approval.termsMonths.includes(terms.termMonths)) {
      throw invalidField('body.termMonths', `must be one of ${approval.termsMonths.join(', ')}`);
    }
    if (approval.methods.length > 0 && !approval.methods.includes(terms.method)) {
      throw invalidField('body.method', `must be one of ${approval.methods.join(', ')}`);
    }
    const startDate = chinaDate(this.#clock());
    const disclosure = buildDisclosure({
      principalFen: terms.amountFen,
      termMonths: terms.termMonths,
      method: terms.method,
      annualRate: approval.apr,
      startDate,
      dayCount: application.dayCount as 'ACT/360' | 'ACT/365',
    });
    return { disclosure, startDate };
  }

  /** Draws money under the approval; the borrower has seen the disclosure sheet for these terms. */
  async requestDrawdown(
    principal: BorrowerPrincipal,
    id: string,
    terms: DrawdownTerms,
  ): Promise<{ drawdownId: string }> {
    // An approval past its validity expires the application, and that must stay recorded although
    // the drawdown is refused: so it is its own transaction, committed before the refusal.
    const expired = await inTransaction(this.#db, async (trx) => {
      const row = await this.#ownLocked(trx, principal, id);
      const validUntil = row.approval_valid_until;
      if (
        row.status !== 'approved' ||
        validUntil === null ||
        validUntil.getTime() > this.#clock().getTime()
      ) {
        return false;
      }
      await applyEvent(trx, row, 'approval_expired', { type: 'system', id: null }, this.#clock());
      return true;
    });
    if (expired) throw new AppError('APPROVAL_EXPIRED', 'The approval has expired; apply again.');
    return inTransaction(this.#db, async (trx) => {
      const row = await this.#ownLocked(trx, principal, id);
      const application = toApplication(row);
      const now = this.#clock();
      const { disclosure, startDate } = this.#checkDrawdown(application, terms);
      if (!checkAprWithinCap(disclosure.apr).ok) {
        throw new AppError('APR_CAP_EXCEEDED', 'These terms would cost more than the 24% all-in cap.');
      }
      const drawdownId = randomUUID();
      await trx
        .insertInto('drawdowns')
        .values({
          id: drawdownId,
          application_id: id,
          amount_fen: terms.amountFen,
          term_months: terms.termMonths,
          method: terms.method,
          start_date: startDate,
          status: 'requested',
          lender_loan_id: null,
          failure_reason: null,
        })
        .execute();
      await applyEvent(
        trx,
        row,
        'drawdown_requested',
        { type: 'borrower', id: principal.borrowerId },
        now,
        {},
        {
          drawdownId,
        },
      );
      await enqueueLenderCall(
        trx,
        {
          partnerId: application.partnerId,
          call: 'drawdown',
          path: DRAWDOWN_PATH,
          requestId: `drawdown-${drawdownId}`,
          body: { applicationId: id, drawdownId, ...terms, startDate },
        },
        now,
      );
      return { drawdownId };
    });
  }

  async #ownLocked(trx: Executor<ApplicationTables>, principal: BorrowerPrincipal, id: string) {
    const row = await lockApplication(trx, id);
    if (!row || row.borrower_id !== principal.borrowerId)
      throw new AppError('NOT_FOUND', 'No such application.');
    return row;
  }

  /**
   * Applications waiting on their lender since before `cutoff` — a decision (`sent`) or a
   * disbursement (`drawdown_requested`) — oldest first: the pull fallback asks the lender about them.
   */
  async awaitingLender(
    cutoff: Date,
    limit: number,
  ): Promise<{ applicationId: string; partnerId: string; status: string }[]> {
    const rows = await this.#db
      .selectFrom('applications')
      .select(['id', 'partner_id', 'status'])
      .where('status', 'in', ['sent', 'drawdown_requested'])
      .where('updated_at', '<', cutoff)
      .orderBy('updated_at')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ applicationId: row.id, partnerId: row.partner_id, status: row.status }));
  }

  /** The lender acknowledged the apply call (outbox delivered it). */
  async applyAcknowledged(applicationId: string): Promise<void> {
    await inTransaction(this.#db, async (trx) => {
      const row = await lockApplication(trx, applicationId);
      if (row)
        await applyEvent(
          trx,
          row,
          'apply_acknowledged',
          { type: 'lender', id: row.partner_id },
          this.#clock(),
        );
    });
  }

  /** Handler of the credit-decision callback: only the lender the application went to may decide. */
  readonly creditDecisionHandler: CallbackHandler<CreditDecisionCallback> = async (
    shared,
    { partnerId, body, requestId },
  ) => {
    const trx = ownTables<ApplicationTables>(shared);
    const decision = body;
    const row = await lockApplication(trx, decision.applicationId);
    if (!row) throw new AppError('NOT_FOUND', `No application ${decision.applicationId}.`);
    if (row.partner_id !== partnerId)
      throw new AppError('FORBIDDEN', 'This application was not sent to you.');
    const cause = { type: 'lender' as const, id: requestId };
    const now = this.#clock();
    if (decision.decision === 'rejected') {
      await applyEvent(trx, row, 'decision_rejected', cause, now, {
        decision_reason: decision.reason ?? null,
      });
      return { status: 'applied' };
    }
    if (decision.limitFen === undefined || decision.apr === undefined) {
      throw new AppError('VALIDATION_FAILED', 'An approval needs limitFen and apr.');
    }
    const cap = checkAprWithinCap(decision.apr);
    if (!cap.ok) throw new AppError('APR_CAP_EXCEEDED', cap.message, { apr: decision.apr, limit: cap.limit });
    const methods = (decision.methods ?? [row.method]).filter((m): m is RepaymentMethod =>
      (REPAYMENT_METHODS as readonly string[]).includes(m),
    );
    await applyEvent(trx, row, 'decision_approved', cause, now, {
      approved_limit_fen: decision.limitFen,
      approved_apr: decision.apr,
      approved_terms: [...(decision.termsMonths ?? [row.term_months])],
      approved_methods: methods,
      approval_valid_until: decision.validUntil ? new Date(decision.validUntil) : null,
    });
    return { status: 'applied' };
  };
}
