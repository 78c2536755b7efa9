/**
 * Data for the cost disclosure sheet (综合融资成本明示表) shown before signing. The APR comes
 * first: the rules require it to be the most prominent price figure.
 */
import { formatIsoDate } from './dates.ts';
import { formatYuan } from './fen.ts';
import { type LoanQuote, quoteNormalized } from './quote.ts';
import type { Installment } from './schedule.ts';
import { type LoanTerms, type NormalizedTerms, type RepaymentMethod, validateTerms } from './terms.ts';

/** Chinese names of the repayment methods, as printed on the sheet. */
export const REPAYMENT_METHOD_LABELS: Readonly<Record<RepaymentMethod, string>> = {
  equal_installment: '等额本息',
  equal_principal: '等额本金',
  interest_first: '先息后本',
  bullet: '一次性还本付息',
};

/** An installment with its amounts also as yuan strings. */
export interface DisclosureInstallment extends Installment {
  readonly principalYuan: string;
  readonly interestYuan: string;
  readonly feeYuan: string;
  readonly totalYuan: string;
}

/** Everything the disclosure sheet shows; fen amounts plus yuan strings for display. */
export interface DisclosureSheet {
  /** All-in APR (IRR method), 6 places, e.g. "0.214600". */
  readonly apr: string;
  /** The APR as a percentage with 2 decimals, e.g. "21.46%". */
  readonly aprPercent: string;
  readonly principalFen: number;
  readonly principalYuan: string;
  readonly amountReceivedFen: number;
  readonly amountReceivedYuan: string;
  readonly termMonths: number;
  /** Disbursement date and last due date, ISO `YYYY-MM-DD`. */
  readonly startDate: string;
  readonly maturityDate: string;
  readonly method: RepaymentMethod;
  readonly methodLabel: string;
  readonly annualRate: string;
  readonly totalInterestFen: number;
  readonly totalInterestYuan: string;
  readonly totalFeeFen: number;
  readonly totalFeeYuan: string;
  /** Interest plus fees: what the loan costs the borrower. */
  readonly totalCostFen: number;
  readonly totalCostYuan: string;
  readonly totalRepaymentFen: number;
  readonly totalRepaymentYuan: string;
  readonly installments: readonly DisclosureInstallment[];
}

/** "0.214600" → "21.46%": half-up to 2 decimals of a percent, computed on the digits. */
export function aprToPercent(apr: string): string {
  const negative = apr.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? apr.slice(1) : apr).split('.');
  const micro = BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, '0').slice(0, 6));
  // micro is in 1e-6; a percent with 2 decimals is 1e-4 of the unit: round at 100.
  const basisPoints = (micro + 50n) / 100n;
  const text = `${basisPoints / 100n}.${(basisPoints % 100n).toString().padStart(2, '0')}%`;
  return negative && basisPoints !== 0n ? `-${text}` : text;
}

/** Builds the disclosure sheet from validated terms and their quote. */
export function disclosureFromQuote(terms: NormalizedTerms, quote: LoanQuote): DisclosureSheet {
  const totalCostFen = quote.totalInterestFen + quote.totalFeeFen;
  return {
    apr: quote.apr,
    aprPercent: aprToPercent(quote.apr),
    principalFen: quote.principalFen,
    principalYuan: formatYuan(quote.principalFen),
    amountReceivedFen: quote.amountReceivedFen,
    amountReceivedYuan: formatYuan(quote.amountReceivedFen),
    termMonths: terms.termMonths,
    startDate: formatIsoDate(terms.start),
    maturityDate: formatIsoDate(terms.maturity),
    method: terms.method,
    methodLabel: REPAYMENT_METHOD_LABELS[terms.method],
    annualRate: terms.rate.text,
    totalInterestFen: quote.totalInterestFen,
    totalInterestYuan: formatYuan(quote.totalInterestFen),
    totalFeeFen: quote.totalFeeFen,
    totalFeeYuan: formatYuan(quote.totalFeeFen),
    totalCostFen,
    totalCostYuan: formatYuan(totalCostFen),
    totalRepaymentFen: quote.totalRepaymentFen,
    totalRepaymentYuan: formatYuan(quote.totalRepaymentFen),
    installments: quote.installments.map((row) => ({
      ...row,
      principalYuan: formatYuan(row.principalFen),
      interestYuan: formatYuan(row.interestFen),
      feeYuan: formatYuan(row.feeFen),
      totalYuan: formatYuan(row.totalFen),
    })),
  };
}

/**
 * Validates terms and returns the disclosure sheet data.
 * @throws MoneyValidationError naming the first invalid field.
 */
export function buildDisclosure(terms: LoanTerms): DisclosureSheet {
  const normalized = validateTerms(terms);
  return disclosureFromQuote(normalized, quoteNormalized(normalized));
}
