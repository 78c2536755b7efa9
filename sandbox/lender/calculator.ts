/**
 * The sandbox lender's own loan calculator: schedules and early-payoff interest, written from the
 * rules in docs/money.md and independent of src/money, so that an end-to-end check "to the fen"
 * compares two implementations (calculator.test.ts compares them on generated loans).
 *
 * Deliberately done another way than src/money: rates are kept as a bigint over a fixed power of
 * ten (12 decimals) rather than reduced fractions, dates go through `Date.UTC` rather than day
 * numbers, and every amount is a bigint until the end. Rounding is half up to the fen, exactly.
 */

export const SANDBOX_METHODS = ['equal_installment', 'equal_principal', 'interest_first', 'bullet'] as const;
export type SandboxMethod = (typeof SANDBOX_METHODS)[number];
export type SandboxDayCount = 'ACT/360' | 'ACT/365';

export interface CalculatorTerms {
  readonly principalFen: number;
  readonly termMonths: number;
  readonly method: SandboxMethod;
  /** Nominal annual rate, a decimal string in [0, 1] with up to 12 decimals. */
  readonly annualRate: string;
  /** ISO `YYYY-MM-DD`. */
  readonly startDate: string;
  readonly dayCount?: SandboxDayCount;
}

export interface CalculatedInstallment {
  readonly period: number;
  readonly dueDate: string;
  readonly principalFen: number;
  readonly interestFen: number;
}

/** Terms the sandbox cannot lend on (the drawdown fails with `invalid_terms`). */
export class InvalidTermsError extends Error {
  override readonly name = 'InvalidTermsError';
}

/** Rates are held as an integer count of 10^-12. */
const RATE_PLACES = 12;
const RATE_ONE = 10n ** BigInt(RATE_PLACES);
const RATE = /^(?:0|1|0\.\d{1,12}|1\.0{1,12})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** num / den rounded half up (ties away from zero), for num ≥ 0 and den > 0. */
function roundHalfUp(num: bigint, den: bigint): bigint {
  const quotient = num / den;
  return 2n * (num % den) >= den ? quotient + 1n : quotient;
}

/** The rate in units of 10^-12. */
export function rateUnits(rate: string): bigint {
  if (!RATE.test(rate))
    throw new InvalidTermsError(`the annual rate must be a decimal in [0, 1], not "${rate}"`);
  const [whole = '0', decimals = ''] = rate.split('.');
  return BigInt(whole) * RATE_ONE + BigInt(decimals.padEnd(RATE_PLACES, '0'));
}

function utcDay(iso: string): number {
  const match = ISO.exec(iso);
  if (match === null) throw new InvalidTermsError(`not a YYYY-MM-DD date: "${iso}"`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (y < 1900 || back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d)
    throw new InvalidTermsError(`not a real calendar date from 1900: "${iso}"`);
  return ms / DAY_MS;
}

/** `months` months after `start`, on its day of the month clamped to the month's end. */
export function dueDateAfter(start: string, months: number): string {
  utcDay(start);
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y, m + months, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + months, Math.min(d, lastDay))).toISOString().slice(0, 10);
}

/** Calendar days from one ISO date to another. */
export function daysFrom(from: string, to: string): number {
  return utcDay(to) - utcDay(from);
}

function check(terms: CalculatorTerms): bigint {
  const { principalFen, termMonths, method, startDate } = terms;
  if (!Number.isSafeInteger(principalFen) || principalFen < 1 || principalFen > 1_000_000_000)
    throw new InvalidTermsError('the principal must be 1 to 1,000,000,000 fen');
  if (!Number.isInteger(termMonths) || termMonths < 1 || termMonths > 360)
    throw new InvalidTermsError('the term must be 1 to 360 months');
  if (!SANDBOX_METHODS.includes(method)) throw new InvalidTermsError(`unknown repayment method "${method}"`);
  utcDay(startDate);
  const [year, month] = startDate.split('-').map(Number) as [number, number];
  if (year + Math.floor((month - 1 + termMonths) / 12) > 9999)
    throw new InvalidTermsError('matures after 9999');
  if (terms.dayCount !== undefined && terms.dayCount !== 'ACT/360' && terms.dayCount !== 'ACT/365')
    throw new InvalidTermsError(`unknown day count "${terms.dayCount}"`);
  return rateUnits(terms.annualRate);
}

/** The month (after the start) installment `period` falls in. */
function monthOf(terms: CalculatorTerms, period: number): number {
  return terms.method === 'bullet' ? terms.termMonths : period;
}

/**
 * The schedule: interest of a period is round(balance · rate / 12) on the balance before it; no
 * period repays more principal than is outstanding; the last repays the rest. Bullet: one
 * installment, simple interest round(P · rate · n / 12).
 */
export function schedule(terms: CalculatorTerms): CalculatedInstallment[] {
  const units = check(terms);
  const p = BigInt(terms.principalFen);
  const n = terms.termMonths;
  // Monthly rate = units / (12 · 10^12).
  const monthlyDen = 12n * RATE_ONE;
  const interestOn = (balance: bigint) => roundHalfUp(balance * units, monthlyDen);
  const rows: CalculatedInstallment[] = [];
  const push = (period: number, principal: bigint, interest: bigint) =>
    rows.push({
      period,
      dueDate: dueDateAfter(terms.startDate, monthOf(terms, period)),
      principalFen: Number(principal),
      interestFen: Number(interest),
    });
  if (terms.method === 'bullet') {
    push(1, p, roundHalfUp(p * units * BigInt(n), monthlyDen));
    return rows;
  }
  if (terms.method === 'interest_first') {
    const interest = interestOn(p);
    for (let k = 1; k <= n; k++) push(k, k === n ? p : 0n, interest);
    return rows;
  }
  // The fixed part: equal principal round(P / n); equal installment the annuity payment
  // P·r·(1+r)^n / ((1+r)^n − 1), with r = units / D exactly: P·units·(D+units)^n / (D·((D+units)^n − D^n)).
  let fixed: bigint;
  if (terms.method === 'equal_principal' || units === 0n) fixed = roundHalfUp(p, BigInt(n));
  else {
    const grown = (monthlyDen + units) ** BigInt(n);
    fixed = roundHalfUp(p * units * grown, monthlyDen * (grown - monthlyDen ** BigInt(n)));
  }
  let balance = p;
  for (let k = 1; k <= n; k++) {
    const interest = interestOn(balance);
    const wanted = terms.method === 'equal_principal' ? fixed : fixed - interest;
    const principal = k === n ? balance : wanted < balance ? wanted : balance;
    push(k, principal, interest);
    balance -= principal;
  }
  return rows;
}

export interface PayoffInterest {
  /** Principal still owed once every installment due by the payoff day is paid. */
  readonly principalFen: number;
  /** Interest for the days since the last due date (or the start), at most the next installment's. */
  readonly interestFen: number;
  readonly accrualDays: number;
}

/**
 * Early payoff on `payoffDate` (start ≤ day ≤ maturity), every installment due by then paid:
 * round(remaining · rate · days / D), D = 360 or 365, capped at the interest of the installment
 * it replaces; none on or after maturity.
 */
export function payoffInterest(terms: CalculatorTerms, payoffDate: string): PayoffInterest {
  const units = check(terms);
  const rows = schedule(terms);
  const days = (from: string) => daysFrom(from, payoffDate);
  if (days(terms.startDate) < 0) throw new InvalidTermsError('the payoff date is before the start');
  if (payoffDate > rows.at(-1)!.dueDate) throw new InvalidTermsError('the payoff date is after maturity');
  let remaining = BigInt(terms.principalFen);
  let since = terms.startDate;
  const next = rows.find((row) => row.dueDate > payoffDate);
  for (const row of rows) {
    if (row === next) break;
    remaining -= BigInt(row.principalFen);
    since = row.dueDate;
  }
  const basis = terms.dayCount === 'ACT/365' ? 365n : 360n;
  const accrualDays = days(since);
  const accrued = roundHalfUp(remaining * units * BigInt(accrualDays), RATE_ONE * basis);
  const interest = next === undefined ? 0 : Math.min(Number(accrued), next.interestFen);
  return { principalFen: Number(remaining), interestFen: interest, accrualDays };
}
