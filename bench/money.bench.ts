/**
 * Quote throughput: a 12-month equal-installment loan with its APR, against a straightforward
 * float baseline built on @formulajs/formulajs PMT and IRR. Target: ≥ 100,000 quotes/s.
 */
import { IRR, PMT } from '@formulajs/formulajs';
import { type LoanTerms, quoteLoan } from '../src/money/index.ts';
import { referenceSchedule } from '../src/money/reference.ts';
import { formatOps, measure, report } from './harness.ts';

const TARGET = 100_000;

const terms = (i: number): LoanTerms => ({
  // Vary the principal so no call can be answered from a previous one.
  principalFen: 1_000_000 + (i % 1000),
  termMonths: 12,
  method: 'equal_installment',
  annualRate: '0.18',
  startDate: '2026-01-31',
  fees: { perInstallmentFen: 500 },
});

/** The baseline: float rate, formulajs PMT, Math.round, Date-based due dates, formulajs IRR. */
function baselineQuote(t: LoanTerms): { totals: number[]; dueDates: string[]; apr: string } {
  const r = Number(t.annualRate) / 12;
  const n = t.termMonths;
  const fee = t.fees?.perInstallmentFen ?? 0;
  const payment = Math.round(PMT(r, n, -t.principalFen) as number);
  const [y, m, d] = t.startDate.split('-').map(Number) as [number, number, number];
  let balance = t.principalFen;
  const totals: number[] = [];
  const dueDates: string[] = [];
  for (let k = 1; k <= n; k++) {
    const interest = Math.round(balance * r);
    const principal = k === n ? balance : Math.min(payment - interest, balance);
    balance -= principal;
    totals.push(principal + interest + fee);
    const lastDay = new Date(Date.UTC(y, m - 1 + k + 1, 0)).getUTCDate();
    dueDates.push(new Date(Date.UTC(y, m - 1 + k, Math.min(d, lastDay))).toISOString().slice(0, 10));
  }
  const irr = IRR([-(t.principalFen - (t.fees?.upfrontFen ?? 0)), ...totals]) as number;
  return { totals, dueDates, apr: (12 * irr).toFixed(6) };
}

export default async function (): Promise<void> {
  // Sanity: both sides compute the same thing before their speeds are compared.
  const ours = quoteLoan(terms(0));
  const theirs = baselineQuote(terms(0));
  const same =
    ours.installments.every(
      (row, k) => row.totalFen === theirs.totals[k] && row.dueDate === theirs.dueDates[k],
    ) && ours.apr === theirs.apr;
  console.log(
    `  same schedule and APR as the baseline: ${same ? 'yes' : 'NO'} (APR ${ours.apr} vs ${theirs.apr})`,
  );

  let i = 0;
  const baseline = measure('formulajs PMT + IRR (baseline)', () => baselineQuote(terms(i++)));
  const fast = measure('quoteLoan (schedule + APR + cap)', () => quoteLoan(terms(i++)));
  const reference = measure('decimal.js reference schedule only', () => referenceSchedule(terms(i++)));
  report([baseline, fast, reference], baseline);
  const met = fast.opsPerSec >= TARGET;
  console.log(`  target ≥ ${formatOps(TARGET)} for quoteLoan: ${met ? 'met' : 'NOT met'}`);
}
