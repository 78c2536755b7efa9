/**
 * Slow, straightforward reference implementation of the schedule and payoff math in decimal.js,
 * written independently of the fast integer path (dates via Date.UTC, amounts via Decimal) so
 * that tests can check the fast path against it. Not part of the public API.
 */
// Named import: decimal.d.ts is typed as CommonJS, so a default import would be the namespace.
import { Decimal } from 'decimal.js';
import type { Installment } from './schedule.ts';
import type { LoanTerms } from './terms.ts';

/** Local clone: 40 significant digits, half-up. Never touch the global Decimal config. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
type Dec = InstanceType<typeof D>;

const DAY_MS = 86_400_000;

function toFen(value: Dec): number {
  return value.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

function utcParts(iso: string): [number, number, number] {
  const [y, m, d] = iso.split('-').map(Number);
  return [y!, m!, d!];
}

/** Due date k months after `startDate`, clamped to month end, via Date.UTC. */
export function referenceDueDate(startDate: string, months: number): string {
  const [y, m, d] = utcParts(startDate);
  // Day 0 of the following month is the last day of the target month.
  const lastDay = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  const date = new Date(Date.UTC(y, m - 1 + months, Math.min(d, lastDay)));
  return date.toISOString().slice(0, 10);
}

/** Calendar days between two ISO dates, via Date.UTC. */
export function referenceDays(from: string, to: string): number {
  const [y1, m1, d1] = utcParts(from);
  const [y2, m2, d2] = utcParts(to);
  return (Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / DAY_MS;
}

/** A reference installment: the fast path's shape (only the type is shared, not the math). */
export type ReferenceRow = Installment;

/** The schedule for (already valid) terms, computed in decimal.js. */
export function referenceSchedule(terms: LoanTerms): ReferenceRow[] {
  const p = new D(terms.principalFen);
  const n = terms.termMonths;
  const annual = new D(terms.annualRate);
  const r = annual.div(12);
  const fee = terms.fees?.perInstallmentFen ?? 0;
  const rows: ReferenceRow[] = [];
  const push = (period: number, month: number, principal: number, interest: number): void => {
    rows.push({
      period,
      dueDate: referenceDueDate(terms.startDate, month),
      principalFen: principal,
      interestFen: interest,
      feeFen: fee,
      totalFen: principal + interest + fee,
    });
  };
  // Interest on a balance: multiply by the annual rate first, then divide by 12, so that an
  // exact tie (x.5 fen) is still exact in decimal and rounds up.
  const monthInterest = (balance: number): number => toFen(new D(balance).times(annual).div(12));

  if (terms.method === 'bullet') {
    push(1, n, terms.principalFen, toFen(p.times(annual).times(n).div(12)));
    return rows;
  }
  if (terms.method === 'interest_first') {
    const interest = monthInterest(terms.principalFen);
    for (let k = 1; k <= n; k++) push(k, k, k === n ? terms.principalFen : 0, interest);
    return rows;
  }
  let level: number;
  if (terms.method === 'equal_principal' || r.isZero()) {
    level = toFen(p.div(n));
  } else {
    const g = r.plus(1).pow(n);
    level = toFen(p.times(r).times(g).div(g.minus(1)));
  }
  let balance = terms.principalFen;
  for (let k = 1; k <= n; k++) {
    const interest = monthInterest(balance);
    const wanted = terms.method === 'equal_principal' ? level : level - interest;
    const principal = k === n ? balance : Math.min(wanted, balance);
    push(k, k, principal, interest);
    balance -= principal;
  }
  return rows;
}

/** Payoff amount on `payoffDate` (within the loan's life), computed in decimal.js. */
export function referencePayoff(
  terms: LoanTerms,
  payoffDate: string,
): { principalFen: number; interestFen: number; totalFen: number } {
  const rows = referenceSchedule(terms);
  let remaining = terms.principalFen;
  let from = terms.startDate;
  let nextInterest = 0;
  for (const row of rows) {
    if (row.dueDate > payoffDate) {
      nextInterest = row.interestFen;
      break;
    }
    remaining -= row.principalFen;
    from = row.dueDate;
  }
  const basis = terms.dayCount === 'ACT/365' ? 365 : 360;
  const accrued = toFen(
    new D(remaining).times(terms.annualRate).times(referenceDays(from, payoffDate)).div(basis),
  );
  const interestFen = Math.min(accrued, nextInterest);
  return { principalFen: remaining, interestFen, totalFen: remaining + interestFen };
}
