/**
 * Repayment schedules for the four monthly methods, in exact integer fen.
 *
 * Every interest amount is round-half-up of an exact rational, computed by `mulHalfUp`; the
 * equal-installment payment is an exact bigint rational. One rule on top of the formulas: no
 * period repays more principal than is outstanding, and the last period repays all of it. The
 * cap only matters for tiny loans where rounding P/n up would overshoot (e.g. 15 fen over 10
 * months: 2 fen a month would repay 18), which would otherwise leave a negative last principal.
 */
import { addMonthsClamped, formatIsoDate } from './dates.ts';
import { divHalfUp, divIntHalfUp, type Fraction, fraction, mulHalfUp } from './fraction.ts';
import type { NormalizedTerms } from './terms.ts';

/**
 * An installment's date and scheduled amounts, integer fen: what a computed schedule and a
 * lender's reported schedule (loans) have in common.
 */
export interface InstallmentAmounts {
  /** 1-based installment number. */
  readonly period: number;
  /** ISO `YYYY-MM-DD`. */
  readonly dueDate: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
}

/** One scheduled installment. All amounts are integer fen. */
export interface Installment extends InstallmentAmounts {
  /** principalFen + interestFen + feeFen. */
  readonly totalFen: number;
}

/**
 * Months after the start date at which installment `period` falls: the period itself, except
 * for a bullet loan whose single installment falls at maturity.
 */
export function installmentMonth(terms: NormalizedTerms, period: number): number {
  return terms.method === 'bullet' ? terms.termMonths : period;
}

/**
 * Equal-installment payment round(P·r·(1+r)^n / ((1+r)^n − 1)), or round(P/n) when r = 0.
 * With r = a/b this is P·a·(a+b)^n / (b·((a+b)^n − b^n)): exact in bigints.
 */
export function equalInstallmentPayment(principalFen: number, termMonths: number, monthly: Fraction): number {
  if (monthly.num === 0n) return divIntHalfUp(principalFen, termMonths);
  const a = monthly.num;
  const b = monthly.den;
  const n = BigInt(termMonths);
  const growth = (a + b) ** n;
  return Number(divHalfUp(BigInt(principalFen) * a * growth, b * (growth - b ** n)));
}

function row(terms: NormalizedTerms, period: number, principalFen: number, interestFen: number): Installment {
  const feeFen = terms.perInstallmentFeeFen;
  return {
    period,
    dueDate: formatIsoDate(addMonthsClamped(terms.start, installmentMonth(terms, period))),
    principalFen,
    interestFen,
    feeFen,
    totalFen: principalFen + interestFen + feeFen,
  };
}

/** Builds the schedule for validated terms. */
export function buildSchedule(terms: NormalizedTerms): Installment[] {
  const { principalFen: p, termMonths: n, rate } = terms;
  const monthly = rate.monthly;
  const rows: Installment[] = [];
  switch (terms.method) {
    case 'equal_installment': {
      const payment = equalInstallmentPayment(p, n, monthly);
      let balance = p;
      for (let k = 1; k <= n; k++) {
        const interest = mulHalfUp(balance, monthly);
        // payment ≥ round(P·r) ≥ interest, so this is never negative.
        const principal = k === n ? balance : Math.min(payment - interest, balance);
        rows.push(row(terms, k, principal, interest));
        balance -= principal;
      }
      return rows;
    }
    case 'equal_principal': {
      const part = divIntHalfUp(p, n);
      let balance = p;
      for (let k = 1; k <= n; k++) {
        const interest = mulHalfUp(balance, monthly);
        const principal = k === n ? balance : Math.min(part, balance);
        rows.push(row(terms, k, principal, interest));
        balance -= principal;
      }
      return rows;
    }
    case 'interest_first': {
      const interest = mulHalfUp(p, monthly);
      for (let k = 1; k <= n; k++) rows.push(row(terms, k, k === n ? p : 0, interest));
      return rows;
    }
    case 'bullet': {
      // Simple interest for the whole term: P · annualRate · n / 12.
      const interest = mulHalfUp(p, fraction(monthly.num * BigInt(n), monthly.den));
      rows.push(row(terms, 1, p, interest));
      return rows;
    }
  }
}
