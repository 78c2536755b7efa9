import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconciliationCsv } from '../../../sandbox/lender/reconciliation.ts';
import { inTransaction } from '../../db/transaction.ts';
import { auth, bankBody, createLender } from '../../lenders/testing.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

describe('settlement operator API', () => {
  let t: TestApp;
  let admin: string;
  let finance: string;
  let compliance: string;
  let operator: string;
  let lender: string;
  let now = new Date('2026-01-01T00:00:00Z');

  beforeAll(async () => {
    t = await createTestApp({ clock: () => now });
    admin = await t.signIn(['admin']);
    finance = await t.signIn(['finance']);
    compliance = await t.signIn(['compliance']);
    operator = await t.signIn(['operator']);
    lender = (await createLender(t, admin, bankBody())).code;
  });
  afterAll(async () => t.close());

  const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
    payload === undefined
      ? t.server.inject({ method, url, headers: auth(token) })
      : t.server.inject({ method, url, headers: auth(token), payload });

  /** Moves the clock, and signs in again (sessions last hours, the clock moves by weeks). */
  async function travel(iso: string): Promise<void> {
    now = new Date(iso);
    finance = await t.signIn(['finance']);
    compliance = await t.signIn(['compliance']);
  }

  it('lets finance add contract versions; compliance reads them; others may not', async () => {
    const body = {
      effectiveFrom: '2026-01-01',
      reference: 'HT-2026-01',
      terms: {
        rules: [
          {
            channels: null,
            referral: { type: 'fixed', fen: 5000 },
            service: { interestBps: 1500, feeBps: 0 },
          },
        ],
      },
    };
    const created = await call(
      'POST',
      `/api/v1/admin/settlement/contracts/${lender}/versions`,
      finance,
      body,
    );
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      lenderCode: lender,
      version: 1,
      terms: { rules: [{ channels: null }] },
    });
    expect(
      (await call('POST', `/api/v1/admin/settlement/contracts/${lender}/versions`, compliance, body))
        .statusCode,
    ).toBe(403);
    expect((await call('GET', `/api/v1/admin/settlement/contracts/${lender}`, operator)).statusCode).toBe(
      403,
    );
    const listed = await call('GET', `/api/v1/admin/settlement/contracts/${lender}`, compliance);
    expect(listed.json().items).toHaveLength(1);
    const bad = await call('POST', `/api/v1/admin/settlement/contracts/${lender}/versions`, finance, {
      ...body,
      terms: { rules: [{ channels: null, referral: { type: 'bps', bps: 20_000 }, service: null }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      (await call('POST', '/api/v1/admin/settlement/contracts/nobody/versions', finance, body)).statusCode,
    ).toBe(404);
  });

  it('generates, shows, downloads and settles a statement; the ledger verifies', async () => {
    const accruals = t.app.services.settlement.accruals;
    await inTransaction(t.database.db, async (trx) => {
      await accruals.onDisbursed(trx, {
        loanId: '00000000-0000-4000-8000-000000000001',
        partnerId: lender,
        lenderLoanId: 'L-1',
        applicationId: 'app-1',
        drawdownId: 'dd-1',
        channelCode: 'shop',
        principalFen: 1_000_000,
        disbursedAt: '2026-01-10T02:00:00Z',
        requestId: 'cb-1',
      });
      await accruals.onRepaymentRecorded(trx, {
        id: '00000000-0000-4000-8000-000000000002',
        loanId: '00000000-0000-4000-8000-000000000001',
        partnerId: lender,
        lenderLoanId: 'L-1',
        applicationId: 'app-1',
        lenderRepaymentId: 'rp-1',
        paidAt: '2026-01-25T02:00:00Z',
        principalFen: 76_680,
        interestFen: 15_000,
        feeFen: 0,
        penaltyFen: 0,
        earlyPayoff: false,
        requestId: 'cb-2',
      });
    });
    await travel('2026-02-03T00:00:00Z');
    const generated = await call('POST', '/api/v1/admin/settlement/statements', finance, {
      lenderCode: lender,
      month: '2026-01',
    });
    expect(generated.statusCode).toBe(200);
    const statement = generated.json();
    expect(statement).toMatchObject({
      status: 'draft',
      totals: { lineCount: 1, referralFen: 5000, serviceInterestFen: 2250, totalFen: 7250 },
    });
    const open = await call('POST', '/api/v1/admin/settlement/statements', finance, {
      lenderCode: lender,
      month: '2026-02',
    });
    expect(open.json()).toMatchObject({ error: { code: 'INVALID_STATE' } });

    const detail = await call('GET', `/api/v1/admin/settlement/statements/${statement.id}`, compliance);
    expect(detail.json()).toMatchObject({
      statement: { id: statement.id },
      byChannel: [{ channelCode: 'shop', totalFen: 7250 }],
      history: [{ toStatus: 'draft' }],
    });
    const lines = await call(
      'GET',
      `/api/v1/admin/settlement/statements/${statement.id}/lines?limit=1`,
      compliance,
    );
    expect(lines.json()).toMatchObject({
      items: [{ lineNo: 1, lenderLoanId: 'L-1', totalFen: 7250 }],
      nextAfterLineNo: 1,
    });

    const csv = await call(
      'GET',
      `/api/v1/admin/settlement/statements/${statement.id}/download?format=csv`,
      compliance,
    );
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="statement-${lender}-2026-01.csv"`);
    expect(csv.body.split('\r\n')[2]).toBe(
      'TOTAL,,,*,2026-01,2,10000.00,766.80,150.00,0.00,50.00,22.50,0.00,72.50',
    );
    const xlsx = await call(
      'GET',
      `/api/v1/admin/settlement/statements/${statement.id}/download?format=xlsx`,
      finance,
    );
    expect(xlsx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');

    for (const to of ['issued', 'confirmed', 'settled']) {
      const moved = await call(
        'POST',
        `/api/v1/admin/settlement/statements/${statement.id}/status`,
        finance,
        { to },
      );
      expect([to, moved.statusCode]).toEqual([to, 200]);
    }
    expect(
      (
        await call('POST', `/api/v1/admin/settlement/statements/${statement.id}/status`, compliance, {
          to: 'issued',
        })
      ).statusCode,
    ).toBe(403);
    const balances = await call(
      'GET',
      '/api/v1/admin/settlement/ledger/balances?prefix=platform:',
      compliance,
    );
    expect(balances.json()).toEqual({ items: [{ account: 'platform:cash', balanceFen: 7250 }] });
    const entries = await call('GET', '/api/v1/admin/settlement/ledger/entries?limit=2', compliance);
    expect(entries.json().items.map((e: { kind: string }) => e.kind)).toEqual(['settlement', 'service']);
    expect(entries.json().nextBeforeSeq).toBe(2);
    expect((await call('POST', '/api/v1/admin/settlement/ledger/verify', compliance)).json()).toEqual({
      ok: true,
      entries: 3,
      headSeq: 3,
    });
  });

  it('imports a reconciliation file, lists differences, resolves one, downloads the report', async () => {
    const file = reconciliationCsv(
      [
        {
          type: 'repayment',
          businessId: 'rp-1',
          loanId: 'L-1',
          applicationId: 'app-1',
          occurredAt: '2026-01-25T02:00:00.000Z',
          date: '2026-01-25',
          amountFen: 91_681,
          principalFen: 76_680,
          interestFen: 15_001,
          feeFen: 0,
          penaltyFen: 0,
        },
      ],
      '2026-01-25',
    );
    const imported = await call('POST', '/api/v1/admin/settlement/reconciliations', finance, {
      lenderCode: lender,
      date: '2026-01-25',
      fileName: 'recon-20260125.csv',
      content: file,
    });
    expect(imported.statusCode).toBe(200);
    const run = imported.json();
    expect(run).toMatchObject({ fileRows: 1, matched: 0, differences: 1, unresolved: 1 });
    const shown = await call('GET', `/api/v1/admin/settlement/reconciliations/${run.id}`, compliance);
    const [difference] = shown.json().differences;
    expect(difference).toMatchObject({
      kind: 'amount_mismatch',
      businessId: 'rp-1',
      fields: ['amountFen', 'interestFen'],
    });
    const resolved = await call(
      'POST',
      `/api/v1/admin/settlement/reconciliations/${run.id}/differences/${difference.id}/resolve`,
      finance,
      { note: 'Lender confirmed 150.00 interest; file corrected tomorrow.' },
    );
    expect(resolved.json()).toMatchObject({
      resolutionNote: 'Lender confirmed 150.00 interest; file corrected tomorrow.',
    });
    const report = await call(
      'GET',
      `/api/v1/admin/settlement/reconciliations/${run.id}/report?format=csv`,
      compliance,
    );
    expect(report.headers['content-disposition']).toBe(
      `attachment; filename="reconciliation-${lender}-2026-01-25.csv"`,
    );
    expect(report.body).toContain('amount_mismatch,repayment,rp-1,L-1');
    const listed = await call(
      'GET',
      `/api/v1/admin/settlement/reconciliations?lenderCode=${lender}`,
      compliance,
    );
    expect(listed.json().items).toHaveLength(1);
    expect(
      (
        await call('POST', '/api/v1/admin/settlement/reconciliations', compliance, {
          lenderCode: lender,
          date: '2026-01-25',
          content: file,
        })
      ).statusCode,
    ).toBe(403);
  });

  it('publishes the settlement API in OpenAPI', async () => {
    const spec = (await t.server.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      '/api/v1/admin/settlement/contracts/{lenderCode}/versions',
      '/api/v1/admin/settlement/ledger/balances',
      '/api/v1/admin/settlement/ledger/verify',
      '/api/v1/admin/settlement/statements/{statementId}/download',
      '/api/v1/admin/settlement/reconciliations/{runId}/differences/{differenceId}/resolve',
    ]) {
      expect(spec.paths[path], path).toBeDefined();
    }
  });
});
