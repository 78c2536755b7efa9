import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconciliationCsv } from '../../sandbox/lender/reconciliation.ts';
import { parseReconciliationFile, ReconciliationFileError } from './reconciliation-file.ts';

describe('reconciliation file', () => {
  const entry = {
    type: 'repayment' as const,
    businessId: 'rp-1',
    loanId: 'SBX-LOAN-1',
    applicationId: 'app-1',
    occurredAt: '2026-02-10T02:00:00.000Z',
    date: '2026-02-10',
    amountFen: 96_680,
    principalFen: 81_680,
    interestFen: 15_000,
    feeFen: 0,
    penaltyFen: 0,
  };

  it('reads the file the sandbox lender writes', () => {
    const text = reconciliationCsv(
      [
        entry,
        {
          ...entry,
          type: 'disbursement',
          businessId: 'dd-1',
          amountFen: 1_000_000,
          principalFen: 1_000_000,
          interestFen: 0,
        },
      ],
      '2026-02-10',
    );
    const records = parseReconciliationFile(text);
    expect(records).toHaveLength(2);
    expect(records.find((r) => r.businessId === 'rp-1')).toEqual({
      line: expect.any(Number),
      type: 'repayment',
      businessId: 'rp-1',
      loanId: 'SBX-LOAN-1',
      applicationId: 'app-1',
      occurredAt: '2026-02-10T02:00:00.000Z',
      amountFen: 96_680,
      principalFen: 81_680,
      interestFen: 15_000,
      feeFen: 0,
      penaltyFen: 0,
    });
  });

  it('refuses a malformed file, naming the line', () => {
    const header = reconciliationCsv([], '2026-02-10');
    expect(() => parseReconciliationFile('type,business_id\r\n')).toThrow(/missing columns/);
    expect(() => parseReconciliationFile(`${header}refund,a,b,c,2026-02-10T00:00:00Z,1,1,0,0,0\r\n`)).toThrow(
      /line 2: type "refund"/,
    );
    expect(() =>
      parseReconciliationFile(`${header}repayment,a,b,c,2026-02-10T00:00:00Z,1.5,1,0,0,0\r\n`),
    ).toThrow(ReconciliationFileError);
    expect(() => parseReconciliationFile(`${header}repayment,a,b,c,yesterday,1,1,0,0,0\r\n`)).toThrow(
      /occurred_at/,
    );
    expect(parseReconciliationFile(header)).toEqual([]);
  });

  it('refuses malformed CSV with the line it is on, blank lines and quoted line breaks counted', () => {
    const header = reconciliationCsv([], '2026-02-10');
    const row = 'repayment,rp-1,L-1,app-1,2026-02-10T02:00:00.000Z,100,100,0,0,0\r\n';
    const refusal = (text: string) => {
      try {
        parseReconciliationFile(text);
      } catch (error) {
        if (error instanceof ReconciliationFileError) return [error.line, error.message];
        throw error;
      }
      return 'parsed';
    };
    expect(refusal(`${header}${row}\r\n${row.replace('rp-1', '"rp"2"')}`)).toEqual([
      4,
      'line 4: a closing quote must end the field',
    ]);
    expect(refusal(`${header}${row}${row.replace('rp-1', 'rp"3')}`)).toEqual([
      3,
      expect.stringMatching(/^line 3: a quote inside an unquoted field/),
    ]);
    expect(refusal(`${header}${row}"rp-4,L-1\r\n${row}`)).toEqual([
      3,
      'line 3: a quoted field is not closed',
    ]);
    // A quoted line break is one field: the id is refused, on the line its record starts on, and
    // the next record's line number counts both lines.
    expect(refusal(`${header}${row.replace('rp-1', '"rp\r\n5"')}`)).toEqual([
      2,
      expect.stringMatching(/^line 2: business_id/),
    ]);
    expect(refusal(`${header}${row.replace('rp-1', '" rp-6 "')}${row.replace('100,100', '1.5,1')}`)).toEqual([
      3,
      expect.stringMatching(/^line 3: amount_fen "1.5"/),
    ]);
  });

  it('reads quoted and space-padded fields as spreadsheets save them', () => {
    const header = reconciliationCsv([], '2026-02-10');
    const text = `${header}"repayment", "rp-1" ,"L-1",app-1,"2026-02-10T02:00:00.000Z",100,"100",0,0,0\r\n`;
    expect(parseReconciliationFile(text)).toEqual([
      expect.objectContaining({
        line: 2,
        type: 'repayment',
        businessId: 'rp-1',
        loanId: 'L-1',
        amountFen: 100,
      }),
    ]);
  });

  it('property: every day file the sandbox lender writes, the platform reads back to the fen', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/);
    const fen = fc.integer({ min: -1_000_000, max: 1_000_000 });
    const instant = fc
      .integer({ min: Date.UTC(2026, 1, 9, 16), max: Date.UTC(2026, 1, 10, 16) - 1 })
      .map((ms) => new Date(ms).toISOString());
    const ledgerEntry = fc.record({
      type: fc.constantFrom('disbursement' as const, 'repayment' as const),
      businessId: id,
      loanId: id,
      applicationId: id,
      occurredAt: instant,
      date: fc.constant('2026-02-10'),
      amountFen: fen,
      principalFen: fen,
      interestFen: fen,
      feeFen: fen,
      penaltyFen: fen,
    });
    fc.assert(
      fc.property(fc.array(ledgerEntry, { maxLength: 8 }), (entries) => {
        const read = parseReconciliationFile(reconciliationCsv(entries, '2026-02-10'));
        const written = [...entries].sort((a, b) =>
          a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0,
        );
        expect(read.map(({ line: _line, ...record }) => record)).toEqual(
          written.map(({ date: _date, ...entry }) => entry),
        );
        expect(read.map((record) => record.line)).toEqual(written.map((_, i) => i + 2));
      }),
    );
  });
});
