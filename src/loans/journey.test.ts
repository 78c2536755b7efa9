import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationLifecycleService } from '../applications/lifecycle.ts';
import type { ApplicationPorts, ReleaseRequest } from '../applications/ports.ts';
import { ApplicationService } from '../applications/service.ts';
import { BorrowerSessions } from '../borrowers/sessions.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { quoteLoan, quotePayoff } from '../money/index.ts';
import { callbackHandler } from '../protocol/contract-validators.ts';
import { generateKeyPair, type PublicEncryptionKey } from '../protocol/envelope/index.ts';
import { InboundCallbacks } from '../protocol/inbound.ts';
import { OutboxWorker } from '../protocol/outbox-worker.ts';
import { chinaDate } from '../shared/china-date.ts';
import { createLogger } from '../shared/logger.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import { LoanCallbacks } from './callbacks.ts';
import { LoanService } from './service.ts';
import { reportedInstallments } from './testing.ts';

/**
 * The application and loan life cycle over a real database, with the neighbouring modules
 * (registry, whitelist, vault) replaced by fakes and lender callbacks fed straight into the
 * inbound pipeline (their signatures are tested in src/http/routes/open.test.ts).
 */
describe('application to loan to settlement', () => {
  let handle: DatabaseHandle;
  let applications: ApplicationService;
  let loans: LoanService;
  let inbound: InboundCallbacks;
  let borrower: BorrowerPrincipal;
  let stranger: BorrowerPrincipal;
  let now = new Date('2026-03-10T02:00:00Z');
  const clock = () => now;
  const releases: ReleaseRequest[] = [];
  let consentGiven = true;
  const product = {
    productId: '7d1f7a8e-0000-4000-8000-000000000001',
    productCode: 'XH-CASH',
    productName: '星河快贷',
    lenderName: '星河银行',
    lenderId: '7d1f7a8e-0000-4000-8000-0000000000aa',
    partnerId: 'xinghe-bank',
    amountMinFen: 100_000,
    amountMaxFen: 5_000_000,
    termsMonths: [3, 6, 12],
    methods: ['equal_installment', 'equal_principal'] as const,
    dayCount: 'ACT/360' as const,
    dataCategories: ['name', 'id_number', 'phone'],
    dailyApplicationQuota: 3,
  };

  let recipient: PublicEncryptionKey;

  beforeAll(async () => {
    handle = await createTestDatabase();
    recipient = (await generateKeyPair('RSA-OAEP-256', { notBefore: 0, modulusLength: 2048 })).publicKey;
    const ports: ApplicationPorts = {
      offerableProduct: async (id) =>
        id === product.productId ? { ...product, methods: [...product.methods] } : undefined,
      entryVisible: async () => true,
      preCheckAccepted: async () => true,
      activeConsent: async () =>
        consentGiven
          ? { consentId: 'consent-1', version: '2026-01', textSha256: 'abc', givenAt: now.toISOString() }
          : undefined,
      recipientKey: async () => recipient,
      releasePii: async (_trx, request) => {
        releases.push(request);
        return { alg: 'RSA-OAEP-256+A256GCM', ciphertext: 'opaque' };
      },
    };
    applications = new ApplicationService(handle.db, clock, ports);
    const lifecycle = new ApplicationLifecycleService(clock);
    loans = new LoanService(handle.db, clock, lifecycle);
    const callbacks = new LoanCallbacks(lifecycle);
    inbound = new InboundCallbacks(
      handle.db,
      {
        'credit-decision': callbackHandler('credit-decision', applications.creditDecisionHandler),
        disbursement: callbackHandler('disbursement', callbacks.disbursementHandler),
        'repayment-schedule': callbackHandler('repayment-schedule', callbacks.scheduleHandler),
        repayment: callbackHandler('repayment', callbacks.repaymentHandler),
        'loan-status': callbackHandler('loan-status', callbacks.loanStatusHandler),
      },
      clock,
    );
    const sessions = new BorrowerSessions(handle.db, clock);
    borrower = { borrowerId: await sessions.createBorrower(), channelCode: 'shop' };
    stranger = { borrowerId: await sessions.createBorrower(), channelCode: 'shop' };
  });
  afterAll(async () => handle.close());

  let sequence = 0;
  function callback(
    kind: string,
    body: Record<string, unknown>,
    businessId: string,
    partnerId = 'xinghe-bank',
  ) {
    sequence += 1;
    return inbound.ingest({
      partnerId,
      requestId: `cb-${sequence}`,
      kind,
      businessId,
      bodySha256: createHash('sha256').update(JSON.stringify(body)).digest('base64'),
      body,
    });
  }

  async function outbox(call: string) {
    return handle.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('call', '=', call)
      .orderBy('created_at')
      .execute();
  }

  const apply = () =>
    applications.apply(borrower, {
      productId: product.productId,
      amountFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
    });

  let applicationId: string;
  let drawdownId: string;
  const schedule = () =>
    quoteLoan({
      principalFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
      annualRate: '0.18',
      startDate: '2026-03-10',
    });

  /** Draws on the approved application, in equal installments. */
  const drawdown = (amountFen: number, termMonths: number) =>
    applications.requestDrawdown(borrower, applicationId, {
      amountFen,
      termMonths,
      method: 'equal_installment',
    });

  it('refuses an application without consent, leaving nothing behind', async () => {
    consentGiven = false;
    await expect(apply()).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    consentGiven = true;
    expect(await handle.db.selectFrom('applications').selectAll().execute()).toHaveLength(0);
    expect(await outbox('apply')).toHaveLength(0);
    expect(releases).toHaveLength(0);
  });

  it('refuses terms the product does not offer, naming the field', async () => {
    await expect(
      applications.apply(borrower, {
        productId: product.productId,
        amountFen: 1_000_000,
        termMonths: 24,
        method: 'equal_installment',
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'body.termMonths' }] },
    });
  });

  it('applies: releases the consented data once and writes the apply call to the outbox', async () => {
    const application = await apply();
    applicationId = application.id;
    expect(application.status).toBe('pre_checked');
    expect(application).toMatchObject({ productName: '星河快贷', lenderName: '星河银行' });
    expect(releases).toEqual([
      expect.objectContaining({
        partnerId: 'xinghe-bank',
        categories: ['name', 'id_number', 'phone'],
        consentId: 'consent-1',
      }),
    ]);
    const [call] = await outbox('apply');
    expect(call?.partner_id).toBe('xinghe-bank');
    expect(call?.body).toMatchObject({
      applicationId,
      requestedAmountFen: 1_000_000,
      pii: { ciphertext: 'opaque' },
    });
    await applications.applyAcknowledged(applicationId);
    expect((await applications.get(borrower, applicationId)).status).toBe('sent');
  });

  it('hides an application from another borrower', async () => {
    await expect(applications.get(stranger, applicationId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(applications.cancel(stranger, applicationId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  const decision = (extra: Record<string, unknown> = {}) => ({
    applicationId,
    decision: 'approved',
    limitFen: 2_000_000,
    apr: '0.18',
    termsMonths: [6, 12],
    methods: ['equal_installment'],
    validUntil: '2026-03-17T00:00:00Z',
    decidedAt: now.toISOString(),
    ...extra,
  });

  it('refuses an approval above the 24% cap and a decision from another lender, changing nothing', async () => {
    // Under the application's own business id: a refusal must leave it open for the corrected
    // decision that the next test sends.
    const breach = await callback('credit-decision', decision({ apr: '0.36' }), applicationId);
    expect(breach).toMatchObject({ httpStatus: 422, body: { error: { code: 'APR_CAP_EXCEEDED' } } });
    const foreign = await callback('credit-decision', decision(), applicationId, 'other-lender');
    expect(foreign).toMatchObject({ httpStatus: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await applications.get(borrower, applicationId)).status).toBe('sent');
  });

  it('answers NOT_FOUND for ids of any shape the contract allows that name nothing here', async () => {
    for (const unknown of ['app-0001', 'APP.1:x', '7d1f7a8e-0000-4000-8000-00000000ffff']) {
      const decided = await callback('credit-decision', decision({ applicationId: unknown }), unknown);
      expect(decided).toMatchObject({ httpStatus: 404, body: { error: { code: 'NOT_FOUND' } } });
      const disbursed = await callback(
        'disbursement',
        {
          drawdownId: unknown,
          applicationId: unknown,
          loanId: 'XH-LOAN-X',
          status: 'succeeded',
          principalFen: 1_000_000,
          disbursedAt: now.toISOString(),
          startDate: '2026-03-10',
        },
        unknown,
      );
      expect(disbursed).toMatchObject({ httpStatus: 404, body: { error: { code: 'NOT_FOUND' } } });
    }
  });

  it('records the approval once, however many times it arrives', async () => {
    expect((await callback('credit-decision', decision(), applicationId)).httpStatus).toBe(200);
    expect((await callback('credit-decision', decision(), applicationId)).replayed).toBe(true);
    const application = await applications.get(borrower, applicationId);
    expect(application.status).toBe('approved');
    expect(application.approval).toMatchObject({
      limitFen: 2_000_000,
      apr: '0.180000',
      termsMonths: [6, 12],
    });
    const history = await applications.history(borrower, applicationId);
    expect(history.filter((entry) => entry.event === 'decision_approved')).toHaveLength(1);
  });

  it('shows the disclosure sheet and refuses drawing above the limit or with other terms', async () => {
    const sheet = await applications.disclosure(borrower, applicationId, {
      amountFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
    });
    expect(sheet.apr).toBe(schedule().apr);
    expect(sheet.totalRepaymentFen).toBe(schedule().totalRepaymentFen);
    await expect(drawdown(2_000_001, 12)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    await expect(drawdown(1_000_000, 3)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await outbox('drawdown')).toHaveLength(0);
  });

  it('draws, and opens the loan even when the schedule arrives before the disbursement', async () => {
    ({ drawdownId } = await drawdown(1_000_000, 12));
    expect((await applications.get(borrower, applicationId)).status).toBe('drawdown_requested');
    const [call] = await outbox('drawdown');
    expect(call?.body).toMatchObject({ drawdownId, amountFen: 1_000_000, startDate: '2026-03-10' });

    const installments = reportedInstallments(schedule().installments);
    const early = await callback(
      'repayment-schedule',
      { loanId: 'XH-LOAN-1', version: 1, installments },
      'XH-LOAN-1:1',
    );
    expect(early.httpStatus).toBe(202);

    const disbursed = await callback(
      'disbursement',
      {
        drawdownId,
        applicationId,
        loanId: 'XH-LOAN-1',
        status: 'succeeded',
        principalFen: 1_000_000,
        disbursedAt: now.toISOString(),
        startDate: '2026-03-10',
      },
      drawdownId,
    );
    expect(disbursed.httpStatus).toBe(200);
    expect((await applications.get(borrower, applicationId)).status).toBe('repaying');
    const [loan] = await loans.list(borrower);
    expect(loan?.installments).toHaveLength(12);
    expect(loan?.installments[0]).toMatchObject({ period: 1, dueDate: '2026-04-10', status: 'pending' });
    expect(loan?.installments.reduce((sum, row) => sum + row.principalFen, 0)).toBe(1_000_000);
  });

  it('repays one installment for exactly its amount, and records the lender repayment once', async () => {
    const [loan] = await loans.list(borrower);
    await expect(
      loans.repay(stranger, loan!.id, { kind: 'installment', periods: [1] }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const first = schedule().installments[0]!;
    const { repaymentId, amountFen } = await loans.repay(borrower, loan!.id, {
      kind: 'installment',
      periods: [1],
    });
    expect(amountFen).toBe(first.totalFen);
    await expect(loans.repay(borrower, loan!.id, { kind: 'payoff' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });

    const paid = {
      loanId: 'XH-LOAN-1',
      repaymentId: `XH-R-${repaymentId}`,
      paidAt: '2026-04-10T03:00:00Z',
      principalFen: first.principalFen,
      interestFen: first.interestFen,
      feeFen: 0,
      penaltyFen: 0,
      periods: [1],
      earlyPayoff: false,
    };
    await callback('repayment', paid, paid.repaymentId);
    await callback('repayment', paid, paid.repaymentId);
    expect(await loans.repayments(borrower, loan!.id)).toHaveLength(1);
    const installments = reportedInstallments(schedule().installments, 1);
    await callback('repayment-schedule', { loanId: 'XH-LOAN-1', version: 2, installments }, 'XH-LOAN-1:2');
    // An old version arriving late changes nothing.
    await callback(
      'repayment-schedule',
      {
        loanId: 'XH-LOAN-1',
        version: 1,
        installments: installments.map((row) => ({ ...row, status: 'pending', paidFen: 0 })),
      },
      'XH-LOAN-1:1-late',
    );
    expect((await loans.get(borrower, loan!.id)).installments[0]?.status).toBe('paid');
  });

  it('ends a repayment the lender refuses as failed, in its words, and lets the borrower try again', async () => {
    const [loan] = await loans.list(borrower);
    const { repaymentId } = await loans.repay(borrower, loan!.id, { kind: 'installment', periods: [2] });
    // The lender refuses the repay call for good (a signed 4xx): the outbox dead-letters it.
    const worker = new OutboxWorker({
      db: handle.db,
      clock,
      logger: createLogger('silent'),
      // Earlier calls still waiting in this test's outbox are acknowledged; this one is refused.
      deliver: async (message) =>
        message.requestId !== `repay-${repaymentId}`
          ? { ok: true, status: 202, body: { status: 'accepted' } }
          : {
              ok: false,
              error: 'lender answered 422 INVALID_STATE: 银行卡余额不足',
              status: 422,
              retryable: false,
              lenderError: { code: 'INVALID_STATE', message: '银行卡余额不足' },
            },
      onDeadLettered: loans.callDeadLettered,
    });
    await worker.runOnce();
    const dead = await handle.db
      .selectFrom('outbox_messages')
      .select('request_id')
      .where('status', '=', 'dead')
      .execute();
    expect(dead).toEqual([{ request_id: `repay-${repaymentId}` }]);
    const [latest] = await loans.repaymentRequests(borrower, loan!.id);
    expect(latest).toMatchObject({
      id: repaymentId,
      status: 'failed',
      failureCode: 'INVALID_STATE',
      failureReason: '银行卡余额不足',
    });
    // Another borrower sees none of it.
    expect(await loans.repaymentRequests(stranger, loan!.id)).toEqual([]);
    // The loan is not held "in progress": the next request goes out (and is left pending here).
    const again = await loans.repay(borrower, loan!.id, { kind: 'installment', periods: [2] });
    expect(again.repaymentId).not.toBe(repaymentId);
    // A reversal of the earlier repayment (a bounced debit) collects nothing: it completes no request.
    const [earlier] = await loans.repayments(borrower, loan!.id);
    const reversal = {
      loanId: 'XH-LOAN-1',
      repaymentId: `rev:${earlier!.repaymentId}`,
      paidAt: '2026-04-11T03:00:00Z',
      principalFen: earlier!.principalFen,
      interestFen: earlier!.interestFen,
      feeFen: 0,
      penaltyFen: 0,
      periods: [1],
      earlyPayoff: false,
      reversalOf: earlier!.repaymentId,
    };
    expect((await callback('repayment', reversal, reversal.repaymentId)).httpStatus).toBe(200);
    expect((await loans.repaymentRequests(borrower, loan!.id))[0]).toMatchObject({
      id: again.repaymentId,
      status: 'requested',
    });
    await handle.db
      .updateTable('repayment_requests')
      .set({ status: 'failed', failure_code: 'TEST', failure_reason: 'cleared for the next test' })
      .where('id', '=', again.repaymentId)
      .execute();
  });

  it('pays off early for the money module payoff amount, free, and settles', async () => {
    now = new Date('2026-04-25T02:00:00Z');
    const [loan] = await loans.list(borrower);
    const quote = await loans.payoffQuote(borrower, loan!.id);
    const expected = quotePayoff(
      {
        principalFen: 1_000_000,
        termMonths: 12,
        method: 'equal_installment',
        annualRate: '0.18',
        startDate: '2026-03-10',
      },
      chinaDate(now),
    );
    expect(quote).toEqual(expected);
    expect(quote.feeFen).toBe(0);
    const { amountFen } = await loans.repay(borrower, loan!.id, { kind: 'payoff' });
    expect(amountFen).toBe(expected.totalFen);

    await callback(
      'loan-status',
      { loanId: 'XH-LOAN-1', status: 'settled', version: 1, asOf: now.toISOString() },
      'XH-LOAN-1:status-1',
    );
    expect((await applications.get(borrower, applicationId)).status).toBe('settled');
    await expect(loans.repay(borrower, loan!.id, { kind: 'payoff' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
  });

  it('refuses for good what cannot belong to a loan: a reused lender loan id, an installment it lacks', async () => {
    const second = await apply();
    await applications.applyAcknowledged(second.id);
    expect(
      (
        await callback(
          'credit-decision',
          decision({
            applicationId: second.id,
            validUntil: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
          }),
          second.id,
        )
      ).httpStatus,
    ).toBe(200);
    const { drawdownId: secondDrawdown } = await applications.requestDrawdown(borrower, second.id, {
      amountFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
    });
    const disbursed = (loanId: string) => ({
      drawdownId: secondDrawdown,
      applicationId: second.id,
      loanId,
      status: 'succeeded',
      principalFen: 1_000_000,
      disbursedAt: now.toISOString(),
      startDate: '2026-03-10',
    });
    // XH-LOAN-1 is the first loan's: a second loan under it would be a 500 and retried for ever.
    const reused = await callback('disbursement', disbursed('XH-LOAN-1'), secondDrawdown);
    expect(reused).toMatchObject({ httpStatus: 409, body: { error: { code: 'INVALID_STATE' } } });
    expect(
      await handle.db.selectFrom('loans').select('id').where('application_id', '=', second.id).execute(),
    ).toEqual([]);
    expect((await callback('disbursement', disbursed('XH-LOAN-2'), secondDrawdown)).httpStatus).toBe(200);

    const repaid = (extra: Record<string, unknown>) => ({
      loanId: 'XH-LOAN-1',
      repaymentId: `XH-RP-WRONG-${sequence}`,
      paidAt: now.toISOString(),
      principalFen: 1,
      interestFen: 0,
      feeFen: 0,
      penaltyFen: 0,
      periods: [1],
      earlyPayoff: false,
      ...extra,
    });
    const before = await handle.db.selectFrom('loan_repayments').selectAll().execute();
    for (const [wrong, message] of [
      [{ periods: [13] }, 'installment 13 does not exist'],
      [{ principalFen: 1_000_001 }, 'more than the loan'],
    ] as const) {
      const body = repaid(wrong);
      const refused = await callback('repayment', body, String(body.repaymentId));
      expect(refused).toMatchObject({ httpStatus: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
      expect(JSON.stringify(refused.body)).toContain(message);
    }
    expect(await handle.db.selectFrom('loan_repayments').selectAll().execute()).toEqual(before);
  });
});

describe('an approval that has expired', () => {
  it('refuses the drawdown with APPROVAL_EXPIRED, expires the application, and sends nothing', async () => {
    const handle = await createTestDatabase();
    try {
      let now = new Date('2026-05-01T02:00:00Z');
      const clock = () => now;
      const recipient = (await generateKeyPair('RSA-OAEP-256', { notBefore: 0, modulusLength: 2048 }))
        .publicKey;
      const product = {
        productId: '7d1f7a8e-0000-4000-8000-000000000002',
        productCode: 'EXP',
        productName: 'Expiring',
        lenderName: 'Expiring Lender',
        lenderId: '7d1f7a8e-0000-4000-8000-0000000000bb',
        partnerId: 'expiring-lender',
        amountMinFen: 100_000,
        amountMaxFen: 5_000_000,
        termsMonths: [12],
        methods: ['equal_installment' as const],
        dayCount: 'ACT/360' as const,
        dataCategories: ['name'],
        dailyApplicationQuota: 10,
      };
      const applications = new ApplicationService(handle.db, clock, {
        offerableProduct: async () => product,
        entryVisible: async () => true,
        preCheckAccepted: async () => true,
        activeConsent: async () => ({
          consentId: 'c',
          version: '1',
          textSha256: 'h',
          givenAt: now.toISOString(),
        }),
        recipientKey: async () => recipient,
        releasePii: async () => ({ opaque: true }),
      });
      const inbound = new InboundCallbacks(
        handle.db,
        { 'credit-decision': callbackHandler('credit-decision', applications.creditDecisionHandler) },
        clock,
      );
      const borrower = {
        borrowerId: await new BorrowerSessions(handle.db, clock).createBorrower(),
        channelCode: 'maps',
      };
      const application = await applications.apply(borrower, {
        productId: product.productId,
        amountFen: 500_000,
        termMonths: 12,
        method: 'equal_installment',
      });
      const body = {
        applicationId: application.id,
        decision: 'approved',
        limitFen: 1_000_000,
        apr: '0.12',
        termsMonths: [12],
        methods: ['equal_installment'],
        validUntil: '2026-05-02T02:00:00Z',
        decidedAt: now.toISOString(),
      };
      const decided = await inbound.ingest({
        partnerId: 'expiring-lender',
        requestId: 'decision-1',
        kind: 'credit-decision',
        businessId: application.id,
        bodySha256: createHash('sha256').update(JSON.stringify(body)).digest('base64'),
        body,
      });
      expect(decided.httpStatus).toBe(200);
      now = new Date('2026-05-02T02:00:01Z');
      await expect(
        applications.requestDrawdown(borrower, application.id, {
          amountFen: 500_000,
          termMonths: 12,
          method: 'equal_installment',
        }),
      ).rejects.toMatchObject({ code: 'APPROVAL_EXPIRED' });
      expect((await applications.get(borrower, application.id)).status).toBe('expired');
      expect(await handle.db.selectFrom('drawdowns').selectAll().execute()).toHaveLength(0);
      const calls = await handle.db.selectFrom('outbox_messages').select('call').execute();
      expect(calls.map((c) => c.call)).toEqual(['apply']);
    } finally {
      await handle.close();
    }
  });
});
