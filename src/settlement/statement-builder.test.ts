import { describe, expect, it } from 'vitest';
import { type AccrualGroup, buildStatement } from './statement-builder.ts';
import { checkStatementTransition } from './statement-status.ts';

const group = (lenderLoanId: string, extra: Partial<AccrualGroup> = {}): AccrualGroup => ({
  loanId: `uuid-${lenderLoanId}`,
  lenderLoanId,
  channelCode: 'shop',
  businessMonth: '2026-02',
  events: 1,
  disbursedPrincipalFen: 0,
  principalCollectedFen: 80_000,
  interestCollectedFen: 15_000,
  feesCollectedFen: 0,
  referralFen: 0,
  serviceInterestFen: 2250,
  serviceFeeFen: 0,
  ...extra,
});

describe('statement building', () => {
  it('numbers lines (late lines first), totals them and splits totals by channel', () => {
    const { lines, totals, byChannel } = buildStatement([
      group('L-2', { channelCode: 'maps', referralFen: 5000, events: 2 }),
      group('L-1'),
      group('L-0', {
        businessMonth: '2026-01',
        serviceInterestFen: -2250,
        interestCollectedFen: -15_000,
        principalCollectedFen: -80_000,
      }),
    ]);
    expect(lines.map((l) => [l.lineNo, l.lenderLoanId, l.totalFen])).toEqual([
      [1, 'L-0', -2250],
      [2, 'L-1', 2250],
      [3, 'L-2', 7250],
    ]);
    expect(totals).toMatchObject({
      lineCount: 3,
      eventCount: 4,
      referralFen: 5000,
      serviceInterestFen: 2250,
      totalFen: 7250,
    });
    expect(byChannel.get('maps')).toMatchObject({ lineCount: 1, totalFen: 7250 });
    expect(byChannel.get('shop')).toMatchObject({ lineCount: 2, totalFen: 0 });
    expect(buildStatement([]).totals.totalFen).toBe(0);
  });
});

describe('statement life cycle', () => {
  it('goes draft → issued → confirmed / disputed → settled', () => {
    expect(checkStatementTransition('draft', 'issued', undefined).ok).toBe(true);
    expect(checkStatementTransition('issued', 'confirmed', undefined).ok).toBe(true);
    expect(checkStatementTransition('issued', 'disputed', 'interest of L-7 is wrong').ok).toBe(true);
    expect(checkStatementTransition('disputed', 'confirmed', 'corrected in March').ok).toBe(true);
    expect(checkStatementTransition('confirmed', 'settled', undefined).ok).toBe(true);
    expect(checkStatementTransition('draft', 'settled', undefined)).toMatchObject({
      ok: false,
      allowed: ['issued'],
    });
    expect(checkStatementTransition('issued', 'disputed', ' ')).toMatchObject({ ok: false });
    expect(checkStatementTransition('settled', 'issued', undefined)).toMatchObject({
      ok: false,
      allowed: [],
    });
  });
});
