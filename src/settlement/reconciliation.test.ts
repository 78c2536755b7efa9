import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconciliationCsv, type LedgerEntry as SandboxEntry } from '../../sandbox/lender/reconciliation.ts';
import { inTransaction } from '../db/transaction.ts';
import { createHarnessWithContract, FINANCE, fixedReferralRule, type SettlementHarness } from './testing.ts';

const LENDER = 'xinghe-bank';
const DAY = '2026-02-10';

describe('reconciliation with the lender’s daily file', () => {
  let h: SettlementHarness;
  /** The day's movements as the lender's book has them (identical to Lendgate's to start with). */
  const book: SandboxEntry[] = [];

  beforeAll(async () => {
    h = await createHarnessWithContract(LENDER, { rules: [fixedReferralRule(5000, 1500)] });
    for (let i = 1; i <= 5; i++) {
      const loan = {
        loanId: `00000000-0000-4000-8000-00000000000${i}`,
        partnerId: LENDER,
        lenderLoanId: `XH-LOAN-${i}`,
        applicationId: `app-${i}`,
        drawdownId: `dd-${i}`,
        channelCode: 'shop',
        principalFen: 100_000 * i,
        disbursedAt: `2026-01-0${i}T02:00:00.000Z`,
        requestId: `cb-d-${i}`,
      };
      await inTransaction(h.handle.db, (trx) => h.services.accruals.onDisbursed(trx, loan));
      const repayment = {
        id: `00000000-0000-4000-9000-00000000000${i}`,
        loanId: loan.loanId,
        partnerId: LENDER,
        lenderLoanId: loan.lenderLoanId,
        applicationId: loan.applicationId,
        lenderRepaymentId: `rp-${i}`,
        paidAt: `${DAY}T0${i}:00:00.000Z`,
        principalFen: 8_000 * i,
        interestFen: 1_500 * i,
        feeFen: 0,
        penaltyFen: 0,
        earlyPayoff: false,
        requestId: `cb-r-${i}`,
      };
      await inTransaction(h.handle.db, (trx) => h.services.accruals.onRepaymentRecorded(trx, repayment));
      book.push({
        type: 'repayment',
        businessId: repayment.lenderRepaymentId,
        loanId: loan.lenderLoanId,
        applicationId: loan.applicationId,
        occurredAt: repayment.paidAt,
        date: DAY,
        amountFen: repayment.principalFen + repayment.interestFen,
        principalFen: repayment.principalFen,
        interestFen: repayment.interestFen,
        feeFen: 0,
        penaltyFen: 0,
      });
    }
  });
  afterAll(async () => h.close());

  it('matches a faithful file with no difference', async () => {
    const run = await h.services.reconciliation.import(
      { lenderCode: LENDER, date: DAY, content: reconciliationCsv(book, DAY), fileName: `${DAY}.csv` },
      FINANCE,
    );
    expect(run).toMatchObject({ fileRows: 5, lendgateRecords: 5, matched: 5, differences: 0, unresolved: 0 });
  });

  it('reports exactly the four planted differences: missing, 1 fen off, duplicate, unknown loan', async () => {
    const [first, second, third, ...rest] = book;
    const planted = [
      // first: missing from the file
      { ...second!, interestFen: second!.interestFen + 1, amountFen: second!.amountFen + 1 }, // 1 fen off
      third!,
      third!, // listed twice
      ...rest,
      { ...rest[0]!, businessId: 'rp-ghost', loanId: 'XH-LOAN-404', applicationId: 'app-404' }, // unknown loan
    ];
    const run = await h.services.reconciliation.import(
      { lenderCode: LENDER, date: DAY, content: reconciliationCsv(planted, DAY) },
      FINANCE,
    );
    expect(run).toMatchObject({ fileRows: 6, lendgateRecords: 5, matched: 3, differences: 4, unresolved: 4 });
    const differences = await h.services.reconciliation.differences(run.id);
    expect(differences.map((d) => [d.kind, d.businessId, d.fields]).sort()).toEqual(
      [
        ['missing_in_file', first!.businessId, []],
        ['amount_mismatch', second!.businessId, ['amountFen', 'interestFen']],
        ['duplicate', third!.businessId, []],
        ['unknown_loan', 'rp-ghost', []],
      ].sort(),
    );
    const off = differences.find((d) => d.kind === 'amount_mismatch')!;
    expect(off.file).toMatchObject({ interestFen: 3001 });
    expect(off.lendgate).toMatchObject({ interestFen: 3000 });

    // The same file again is the same run; resolving is done once, with a note.
    const again = await h.services.reconciliation.import(
      { lenderCode: LENDER, date: DAY, content: reconciliationCsv(planted, DAY) },
      FINANCE,
    );
    expect(again.id).toBe(run.id);
    const resolved = await h.services.reconciliation.resolve(
      run.id,
      off.id,
      'Lender rounding error; they will correct.',
      FINANCE,
    );
    expect(resolved).toMatchObject({
      resolutionNote: 'Lender rounding error; they will correct.',
      resolvedBy: 'finance-1',
    });
    await expect(h.services.reconciliation.resolve(run.id, off.id, 'again', FINANCE)).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
    expect((await h.services.reconciliation.get(run.id)).unresolved).toBe(3);

    const csv = await h.services.reconciliation.report(run.id, 'csv');
    expect(csv.fileName).toBe(`reconciliation-${LENDER}-${DAY}.csv`);
    expect(String(csv.body).split('\r\n')).toHaveLength(6); // header, four differences, final line break
    expect(String(csv.body)).toContain('Lender rounding error; they will correct.');
    const xlsx = await h.services.reconciliation.report(run.id, 'xlsx');
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
  });

  it('refuses a malformed file, an unknown lender and a bad date', async () => {
    await expect(
      h.services.reconciliation.import(
        { lenderCode: LENDER, date: DAY, content: 'type,amount\r\nx,1\r\n' },
        FINANCE,
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'body.content' }] } });
    await expect(
      h.services.reconciliation.import({ lenderCode: 'nobody', date: DAY, content: '' }, FINANCE),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      h.services.reconciliation.import({ lenderCode: LENDER, date: '2026-02-30', content: '' }, FINANCE),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
