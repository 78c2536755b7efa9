import { type Insertable, sql, type Transaction } from 'kysely';
import { type Executor, ownTables, type SharedTransaction } from '../db/transaction.ts';
import { accounts, type Ledger, UNATTRIBUTED_CHANNEL } from '../ledger/index.ts';
import type { DisbursedLoan, LoanEvents, RecordedRepayment } from '../loans/events.ts';
import { chinaDate } from '../shared/china-date.ts';
import type { Clock } from '../shared/clock.ts';
import { previousMonth } from './calendar.ts';
import { referralFee, ruleFor, serviceFee, serviceRates } from './contract-terms.ts';
import type { ContractService } from './contracts.ts';
import { lenderLockKey } from './locks.ts';
import type { FeeAccrualRow, SettlementTables } from './tables.ts';

type NewAccrual = Insertable<FeeAccrualRow>;
/** What every accrual of one callback shares, before its amounts and fees. */
type EventBase = Pick<
  NewAccrual,
  | 'lender_code'
  | 'channel_code'
  | 'record_type'
  | 'business_id'
  | 'loan_id'
  | 'lender_loan_id'
  | 'application_id'
  | 'occurred_at'
  | 'business_date'
  | 'business_month'
  | 'early_payoff'
  | 'request_id'
  | 'recorded_at'
>;

/**
 * Accrual: turns each loan money event into fees posted to the ledger, inside the transaction of
 * the lender callback that reported it (LoanEvents). A disbursement posts the referral fee; a
 * repayment posts the service fee on the interest and on the fees (penalties count as fees) it
 * collected; a reversal posts the exact negation of what the original posted. Every event is
 * recorded once (unique per lender, record type and business id), with the contract version and
 * rates used, so a statement never recomputes a fee.
 */
export class AccrualService implements LoanEvents {
  readonly #ledger: Ledger;
  readonly #contracts: ContractService;
  readonly #clock: Clock;

  constructor(ledger: Ledger, contracts: ContractService, clock: Clock) {
    this.#ledger = ledger;
    this.#contracts = contracts;
    this.#clock = clock;
  }

  async onDisbursed(shared: SharedTransaction, loan: DisbursedLoan): Promise<void> {
    const trx = ownTables<SettlementTables>(shared);
    const lender = loan.partnerId;
    if ((await this.#start(trx, lender, 'disbursement', loan.drawdownId, loan.loanId)).recorded) return;
    const occurredAt = new Date(loan.disbursedAt);
    const date = chinaDate(occurredAt);
    const month = date.slice(0, 7);
    const channel = loan.channelCode || UNATTRIBUTED_CHANNEL;
    const contract = await this.#contracts.effectiveOn(trx, lender, date);
    const rule = contract ? ruleFor(contract.terms, channel) : undefined;
    const referral = referralFee(rule?.referral, loan.principalFen);
    await trx
      .insertInto('settlement_monthly_volumes')
      .values({ lender_code: lender, month, disbursed_fen: loan.principalFen, loans: 1 })
      .onConflict((oc) =>
        oc.columns(['lender_code', 'month']).doUpdateSet((eb) => ({
          disbursed_fen: eb('settlement_monthly_volumes.disbursed_fen', '+', loan.principalFen),
          loans: eb('settlement_monthly_volumes.loans', '+', 1),
        })),
      )
      .execute();
    const posted =
      referral === 0
        ? undefined
        : await this.#ledger.post(trx, {
            kind: 'referral',
            causeType: 'disbursement',
            causeId: `${lender}/${loan.drawdownId}`,
            requestId: loan.requestId,
            occurredAt,
            memo: `referral fee, loan ${loan.lenderLoanId}`,
            postings: [
              { account: accounts.lenderReceivable(lender), amountFen: referral },
              { account: accounts.revenue('referral', channel), amountFen: -referral },
            ],
          });
    await this.#insert(trx, {
      lender_code: lender,
      channel_code: channel,
      record_type: 'disbursement',
      business_id: loan.drawdownId,
      reversal_of: null,
      loan_id: loan.loanId,
      lender_loan_id: loan.lenderLoanId,
      application_id: loan.applicationId,
      occurred_at: occurredAt,
      business_date: date,
      business_month: month,
      principal_fen: loan.principalFen,
      interest_fen: 0,
      fee_fen: 0,
      penalty_fen: 0,
      early_payoff: false,
      contract_id: contract?.id ?? null,
      contract_version: contract?.version ?? null,
      interest_bps: 0,
      fee_bps: 0,
      tier: null,
      tier_volume_fen: null,
      referral_fen: referral,
      service_interest_fen: 0,
      service_fee_fen: 0,
      ledger_seq: posted?.seq ?? null,
      request_id: loan.requestId,
      note: contract ? null : 'no contract in effect',
      recorded_at: this.#clock(),
    });
  }

  async onRepaymentRecorded(shared: SharedTransaction, repayment: RecordedRepayment): Promise<void> {
    const trx = ownTables<SettlementTables>(shared);
    const lender = repayment.partnerId;
    const start = await this.#start(trx, lender, 'repayment', repayment.lenderRepaymentId, repayment.loanId);
    if (start.recorded) return;
    const occurredAt = new Date(repayment.paidAt);
    const date = chinaDate(occurredAt);
    const base: EventBase & { readonly channel_code: string; readonly occurred_at: Date } = {
      lender_code: lender,
      channel_code: start.channel ?? UNATTRIBUTED_CHANNEL,
      record_type: 'repayment',
      business_id: repayment.lenderRepaymentId,
      loan_id: repayment.loanId,
      lender_loan_id: repayment.lenderLoanId,
      application_id: repayment.applicationId,
      occurred_at: occurredAt,
      business_date: date,
      business_month: date.slice(0, 7),
      early_payoff: repayment.earlyPayoff,
      request_id: repayment.requestId,
      recorded_at: this.#clock(),
    };
    if (repayment.reversalOf !== undefined) {
      await this.#reverse(trx, base, { ...repayment, reversalOf: repayment.reversalOf });
      return;
    }
    const contract = await this.#contracts.effectiveOn(trx, lender, date);
    const rule = contract ? ruleFor(contract.terms, base.channel_code) : undefined;
    // Tiers look at the previous month's disbursed volume: known before the month starts, so
    // every repayment of a month is priced alike.
    const volumeMonth = previousMonth(base.business_month);
    const volume = rule?.service?.tiers?.length
      ? ((
          await trx
            .selectFrom('settlement_monthly_volumes')
            .select('disbursed_fen')
            .where('lender_code', '=', lender)
            .where('month', '=', volumeMonth)
            .executeTakeFirst()
        )?.disbursed_fen ?? 0)
      : null;
    const rates = serviceRates(rule?.service, volume ?? 0);
    const fee = serviceFee(rates, {
      interestFen: repayment.interestFen,
      feesFen: repayment.feeFen + repayment.penaltyFen,
    });
    const total = fee.onInterestFen + fee.onFeesFen;
    const posted =
      total === 0
        ? undefined
        : await this.#ledger.post(trx, {
            kind: 'service',
            causeType: 'repayment',
            causeId: `${lender}/${repayment.lenderRepaymentId}`,
            requestId: repayment.requestId,
            occurredAt,
            memo: `service fee, loan ${repayment.lenderLoanId}${repayment.earlyPayoff ? ' (early payoff)' : ''}`,
            postings: [
              { account: accounts.lenderReceivable(lender), amountFen: total },
              { account: accounts.revenue('service', base.channel_code), amountFen: -total },
            ],
          });
    await this.#insert(trx, {
      ...base,
      reversal_of: null,
      principal_fen: repayment.principalFen,
      interest_fen: repayment.interestFen,
      fee_fen: repayment.feeFen,
      penalty_fen: repayment.penaltyFen,
      contract_id: contract?.id ?? null,
      contract_version: contract?.version ?? null,
      interest_bps: rates.interestBps,
      fee_bps: rates.feeBps,
      tier: rates.tier,
      tier_volume_fen: volume,
      referral_fen: 0,
      service_interest_fen: fee.onInterestFen,
      service_fee_fen: fee.onFeesFen,
      ledger_seq: posted?.seq ?? null,
      note: contract ? null : 'no contract in effect',
    });
  }

  /** A reversal negates the original accrual and reverses its ledger entry; never recomputes. */
  async #reverse(
    trx: Transaction<SettlementTables>,
    base: EventBase & { readonly channel_code: string; readonly occurred_at: Date },
    repayment: RecordedRepayment & { readonly reversalOf: string },
  ): Promise<void> {
    const lender = repayment.partnerId;
    const original = await trx
      .selectFrom('fee_accruals')
      .selectAll()
      .where('lender_code', '=', lender)
      .where('record_type', '=', 'repayment')
      .where('business_id', '=', repayment.reversalOf)
      .executeTakeFirst();
    const earlier = original
      ? await trx
          .selectFrom('fee_accruals')
          .select('business_id')
          .where('lender_code', '=', lender)
          .where('record_type', '=', 'repayment')
          .where('reversal_of', '=', repayment.reversalOf)
          .executeTakeFirst()
      : undefined;
    // Nothing to undo when the original was never accrued, is itself a reversal, or was reversed.
    const undo = original !== undefined && original.reversal_of === null && earlier === undefined;
    const posted =
      undo && original.ledger_seq !== null
        ? await this.#ledger.reverse(trx, original.ledger_seq, {
            causeType: 'repayment',
            causeId: `${lender}/${repayment.lenderRepaymentId}`,
            requestId: repayment.requestId,
            occurredAt: base.occurred_at,
            memo: `reversal of repayment ${repayment.reversalOf}, loan ${repayment.lenderLoanId}`,
          })
        : undefined;
    await this.#insert(trx, {
      ...base,
      channel_code: original?.channel_code ?? base.channel_code,
      reversal_of: repayment.reversalOf,
      principal_fen: -(undo ? original.principal_fen : repayment.principalFen),
      interest_fen: -(undo ? original.interest_fen : repayment.interestFen),
      fee_fen: -(undo ? original.fee_fen : repayment.feeFen),
      penalty_fen: -(undo ? original.penalty_fen : repayment.penaltyFen),
      contract_id: undo ? original.contract_id : null,
      contract_version: undo ? original.contract_version : null,
      interest_bps: undo ? original.interest_bps : 0,
      fee_bps: undo ? original.fee_bps : 0,
      tier: undo ? original.tier : null,
      tier_volume_fen: undo ? original.tier_volume_fen : null,
      referral_fen: 0,
      service_interest_fen: undo ? -original.service_interest_fen : 0,
      service_fee_fen: undo ? -original.service_fee_fen : 0,
      ledger_seq: posted?.seq ?? null,
      note: undo
        ? null
        : original === undefined
          ? 'the reversed repayment was never accrued'
          : `repayment ${repayment.reversalOf} was already reversed or is a reversal; no fee reversed`,
    });
  }

  /**
   * One round trip: takes the lender's shared lock (see locks.ts), tells whether this event was
   * already accrued, and finds the channel of the loan's disbursement (repayments inherit it).
   */
  async #start(
    trx: Executor<SettlementTables>,
    lender: string,
    recordType: FeeAccrualRow['record_type'],
    businessId: string,
    loanId: string,
  ): Promise<{ readonly recorded: boolean; readonly channel: string | null }> {
    const { rows } = await sql<{ locked: boolean; recorded: boolean; channel: string | null }>`
      SELECT
        pg_advisory_xact_lock_shared(${lenderLockKey(lender)}) IS NULL AS locked,
        EXISTS (
          SELECT 1 FROM fee_accruals
          WHERE lender_code = ${lender} AND record_type = ${recordType} AND business_id = ${businessId}
        ) AS recorded,
        (
          SELECT channel_code FROM fee_accruals
          WHERE loan_id = ${loanId} AND record_type = 'disbursement'
          LIMIT 1
        ) AS channel`.execute(trx);
    const row = rows[0]!;
    return { recorded: row.recorded, channel: row.channel };
  }

  async #insert(trx: Executor<SettlementTables>, row: NewAccrual): Promise<void> {
    await trx.insertInto('fee_accruals').values(row).execute();
  }
}
