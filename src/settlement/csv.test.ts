import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconciliationCsv } from '../../sandbox/lender/reconciliation.ts';
import { CsvSyntaxError, parseCsv, toCsv } from './csv.ts';
import { parseReconciliationFile, ReconciliationFileError } from './reconciliation-file.ts';

describe('CSV', () => {
  it('parses quotes, embedded commas, quotes and line breaks, CRLF or LF, and a BOM', () => {
    expect(parseCsv('\ufeffa,"b,c","d""e"\r\n"f\ng",,h\n')).toEqual([
      ['a', 'b,c', 'd"e'],
      ['f\ng', '', 'h'],
    ]);
    expect(parseCsv('')).toEqual([]);
    expect(() => parseCsv('a,"b\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b"c\n')).toThrow(/quote inside/);
  });

  it('property: what toCsv writes, parseCsv reads back', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'Z', '1', ',', '"', '\r\n', '\n', ' ', '元'),
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        (rows) => {
          expect(parseCsv(toCsv(rows))).toEqual(rows);
        },
      ),
    );
  });
});

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
});
