import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import {
  DAY_COUNTS,
  type LoanQuote,
  MAX_PRINCIPAL_FEN,
  MAX_TERM_MONTHS,
  MIN_TERM_MONTHS,
  quoteLoan,
  quotePayoff,
  REPAYMENT_METHODS,
} from '../../money/index.ts';
import { publicRoutes } from '../route.ts';
import { StringEnum } from '../schemas.ts';

/**
 * 试算: public loan quotes for the borrower H5 and for partners. No sign-in: the inputs are loan
 * terms, not personal data. The schema catches types and ranges; the money module checks the rest
 * (e.g. an upfront fee as large as the principal) and names the field either way.
 */
const Fen = (description: string, maximum = MAX_PRINCIPAL_FEN) =>
  Type.Integer({ minimum: 0, maximum, description: `${description}, in fen (0.01 yuan)` });

const loanTermProperties = {
  principalFen: Type.Integer({ minimum: 1, maximum: MAX_PRINCIPAL_FEN, description: 'Principal in fen' }),
  termMonths: Type.Integer({ minimum: MIN_TERM_MONTHS, maximum: MAX_TERM_MONTHS }),
  method: StringEnum(REPAYMENT_METHODS, {
    description:
      '等额本息 equal_installment, 等额本金 equal_principal, 先息后本 interest_first, 一次性还本付息 bullet',
  }),
  annualRate: Type.String({
    pattern: '^(0(\\.\\d{1,10})?|1(\\.0{1,10})?)$',
    description: 'Nominal annual rate as a decimal string in [0, 1], e.g. "0.24"',
  }),
  startDate: Type.String({ format: 'date', description: 'Disbursement date, YYYY-MM-DD' }),
  fees: Type.Optional(
    Type.Object(
      {
        upfrontFen: Type.Optional(Fen('Fee withheld from the amount received')),
        perInstallmentFen: Type.Optional(Fen('Fee added to every installment')),
      },
      { additionalProperties: false },
    ),
  ),
  dayCount: Type.Optional(
    StringEnum(DAY_COUNTS, { description: 'Daily interest convention; ACT/360 by default' }),
  ),
};

const QuoteBody = Type.Object(loanTermProperties, { additionalProperties: false });
const PayoffBody = Type.Object(
  { ...loanTermProperties, payoffDate: Type.String({ format: 'date' }) },
  { additionalProperties: false },
);

const Installment = Type.Object({
  period: Type.Integer(),
  dueDate: Type.String({ format: 'date' }),
  principalFen: Type.Integer(),
  interestFen: Type.Integer(),
  feeFen: Type.Integer(),
  totalFen: Type.Integer(),
});

const QuoteResponse = Type.Object({
  apr: Type.String({ description: 'All-in annualized rate (IRR method), 6 decimals, e.g. "0.240000"' }),
  withinCap: Type.Boolean({ description: 'Whether the APR lies within 3.6%…24%' }),
  capReason: Type.Optional(Type.String({ description: 'Why not, when withinCap is false' })),
  principalFen: Type.Integer(),
  amountReceivedFen: Type.Integer({ description: 'Principal minus the upfront fee' }),
  totalInterestFen: Type.Integer(),
  totalFeeFen: Type.Integer(),
  totalRepaymentFen: Type.Integer(),
  installments: Type.Array(Installment),
});

const PayoffResponse = Type.Object({
  principalFen: Type.Integer(),
  interestFen: Type.Integer(),
  feeFen: Type.Literal(0, { description: 'Early payoff is always free' }),
  totalFen: Type.Integer(),
  accrualStartDate: Type.String({ format: 'date' }),
  accrualDays: Type.Integer(),
});

function toResponse(quote: LoanQuote) {
  return {
    apr: quote.apr,
    withinCap: quote.withinCap.ok,
    ...(quote.withinCap.ok ? {} : { capReason: quote.withinCap.message }),
    principalFen: quote.principalFen,
    amountReceivedFen: quote.amountReceivedFen,
    totalInterestFen: quote.totalInterestFen,
    totalFeeFen: quote.totalFeeFen,
    totalRepaymentFen: quote.totalRepaymentFen,
    installments: [...quote.installments],
  };
}

export const quoteRoutes: FastifyPluginAsync = async (instance) => {
  const routes = publicRoutes(instance, ['quotes']);
  routes.post('/api/v1/quotes', {
    summary: '试算: schedule, totals and all-in APR of a loan',
    body: QuoteBody,
    response: { 200: QuoteResponse },
    errors: [],
    handler: async function quote(request) {
      return toResponse(quoteLoan(request.body));
    },
  });

  routes.post('/api/v1/quotes/payoff', {
    summary: '提前结清试算: the free early payoff amount on a date (installments due by then assumed paid)',
    body: PayoffBody,
    response: { 200: PayoffResponse },
    errors: [],
    handler: async function quotePayoffAmount(request) {
      const { payoffDate, ...terms } = request.body;
      return quotePayoff(terms, payoffDate);
    },
  });
};
