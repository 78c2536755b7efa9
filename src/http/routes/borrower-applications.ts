import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { ApplicationService } from '../../applications/service.ts';
import { APPLICATION_STATES } from '../../applications/state-machine.ts';
import type { LoanService } from '../../loans/service.ts';
import { REPAYMENT_METHODS } from '../../money/index.ts';
import { borrowerRoutes } from '../route.ts';
import { ItemsOf, StringEnum } from '../schemas.ts';

const Uuid = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Uuid });
const Fen = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });

const DrawdownTerms = Type.Object(
  {
    amountFen: Fen,
    termMonths: Type.Integer({ minimum: 1, maximum: 360 }),
    method: StringEnum(REPAYMENT_METHODS),
  },
  { additionalProperties: false },
);

const ApplicationSchema = Type.Object({
  id: Uuid,
  status: StringEnum(APPLICATION_STATES),
  productId: Type.String(),
  productCode: Type.String(),
  productName: Type.String(),
  lenderName: Type.String(),
  partnerId: Type.String(),
  channelCode: Type.String(),
  requestedAmountFen: Type.Integer(),
  termMonths: Type.Integer(),
  method: Type.String(),
  approval: Type.Union([
    Type.Object({
      apr: Type.String({ description: 'All-in APR of the approval, decimal' }),
      limitFen: Type.Integer(),
      termsMonths: Type.Array(Type.Integer()),
      methods: Type.Array(Type.String()),
      validUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
    Type.Null(),
  ]),
  decisionReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const InstallmentSchema = Type.Object({
  period: Type.Integer(),
  dueDate: Type.String({ format: 'date' }),
  principalFen: Type.Integer(),
  interestFen: Type.Integer(),
  feeFen: Type.Integer(),
  penaltyFen: Type.Integer(),
  paidFen: Type.Integer(),
  status: Type.String(),
});

const LoanSchema = Type.Object({
  id: Uuid,
  applicationId: Uuid,
  partnerId: Type.String(),
  productName: Type.String(),
  lenderName: Type.String(),
  principalFen: Type.Integer(),
  termMonths: Type.Integer(),
  method: Type.String(),
  annualRate: Type.String(),
  dayCount: Type.String(),
  startDate: Type.String({ format: 'date' }),
  status: Type.String(),
  scheduleVersion: Type.Integer(),
  installments: Type.Array(InstallmentSchema),
});

const RepaymentRequestSchema = Type.Object({
  id: Uuid,
  kind: StringEnum(['installment', 'payoff'] as const),
  periods: Type.Array(Type.Integer()),
  amountFen: Type.Integer(),
  status: StringEnum(['requested', 'completed', 'failed'] as const),
  failureCode: Type.Union([Type.String(), Type.Null()]),
  failureReason: Type.Union([Type.String(), Type.Null()], {
    description: "The lender's own words when it refused, else why the call was given up",
  }),
  createdAt: Type.String({ format: 'date-time' }),
});

const DisclosureSchema = Type.Object({
  apr: Type.String({ description: 'All-in APR (IRR), shown first' }),
  aprPercent: Type.String(),
  principalFen: Type.Integer(),
  principalYuan: Type.String(),
  amountReceivedFen: Type.Integer(),
  amountReceivedYuan: Type.String(),
  termMonths: Type.Integer(),
  startDate: Type.String({ format: 'date' }),
  maturityDate: Type.String({ format: 'date' }),
  method: Type.String(),
  methodLabel: Type.String(),
  annualRate: Type.String(),
  totalInterestFen: Type.Integer(),
  totalInterestYuan: Type.String(),
  totalFeeFen: Type.Integer(),
  totalFeeYuan: Type.String(),
  totalCostFen: Type.Integer(),
  totalCostYuan: Type.String(),
  totalRepaymentFen: Type.Integer(),
  totalRepaymentYuan: Type.String(),
  installments: Type.Array(
    Type.Object({
      period: Type.Integer(),
      dueDate: Type.String({ format: 'date' }),
      principalFen: Type.Integer(),
      interestFen: Type.Integer(),
      feeFen: Type.Integer(),
      totalFen: Type.Integer(),
      principalYuan: Type.String(),
      interestYuan: Type.String(),
      feeYuan: Type.String(),
      totalYuan: Type.String(),
    }),
  ),
});

const RepayBody = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('installment'),
      periods: Type.Array(Type.Integer({ minimum: 1, maximum: 360 }), { minItems: 1, maxItems: 360 }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('payoff') }, { additionalProperties: false }),
]);

/** The borrower's applications and loans; every route is guarded and scoped to that borrower. */
export const borrowerApplicationRoutes =
  (applications: ApplicationService, loans: LoanService): FastifyPluginAsync =>
  async (instance) => {
    const routes = borrowerRoutes(instance, ['borrower']);

    routes.post('/api/v1/borrower/applications', {
      summary: '进件: apply to one product (needs a passed pre-check and the separate consent to its lender)',
      body: Type.Object(
        {
          productId: Uuid,
          amountFen: Fen,
          termMonths: Type.Integer({ minimum: 1, maximum: 360 }),
          method: StringEnum(REPAYMENT_METHODS),
        },
        { additionalProperties: false },
      ),
      response: { 201: ApplicationSchema },
      errors: [401, 403, 404, 409],
      handler: async function applyForProduct(request, reply) {
        return reply.code(201).send(await applications.apply(request.borrower!, request.body));
      },
    });

    routes.get('/api/v1/borrower/applications', {
      summary: 'My applications, newest first',
      response: { 200: ItemsOf(ApplicationSchema) },
      errors: [401],
      handler: async function listMyApplications(request) {
        return { items: await applications.list(request.borrower!) };
      },
    });

    routes.get('/api/v1/borrower/applications/:id', {
      summary: 'One of my applications, with its history',
      params: IdParams,
      response: {
        200: Type.Object({
          application: ApplicationSchema,
          history: Type.Array(
            Type.Object({
              event: Type.String(),
              from: Type.String(),
              to: Type.String(),
              cause: Type.String(),
              at: Type.String(),
            }),
          ),
        }),
      },
      errors: [401, 404],
      handler: async function getMyApplication(request) {
        return {
          application: await applications.get(request.borrower!, request.params.id),
          history: await applications.history(request.borrower!, request.params.id),
        };
      },
    });

    routes.post('/api/v1/borrower/applications/:id/cancel', {
      summary: 'Withdraw an application before drawing',
      params: IdParams,
      response: { 200: ApplicationSchema },
      errors: [401, 404, 409],
      handler: async function cancelApplication(request) {
        return applications.cancel(request.borrower!, request.params.id);
      },
    });

    routes.post('/api/v1/borrower/applications/:id/disclosure', {
      summary: '综合融资成本明示表: the cost disclosure for drawing these terms (shown before drawing)',
      params: IdParams,
      body: DrawdownTerms,
      response: { 200: DisclosureSchema },
      errors: [401, 404, 409, 422],
      handler: async function drawdownDisclosure(request) {
        const sheet = await applications.disclosure(request.borrower!, request.params.id, request.body);
        return { ...sheet, installments: [...sheet.installments] };
      },
    });

    routes.post('/api/v1/borrower/applications/:id/drawdowns', {
      summary: '借款: draw money under the approval (after seeing the disclosure sheet)',
      params: IdParams,
      body: Type.Object(
        { ...DrawdownTerms.properties, disclosureAccepted: Type.Literal(true) },
        { additionalProperties: false },
      ),
      response: { 202: Type.Object({ drawdownId: Uuid }) },
      errors: [401, 404, 409, 422],
      handler: async function requestDrawdown(request, reply) {
        const { disclosureAccepted: _seen, ...terms } = request.body;
        return reply
          .code(202)
          .send(await applications.requestDrawdown(request.borrower!, request.params.id, terms));
      },
    });

    routes.get('/api/v1/borrower/loans', {
      summary: 'My loans with their schedules',
      response: { 200: ItemsOf(LoanSchema) },
      errors: [401],
      handler: async function listMyLoans(request) {
        return { items: await loans.list(request.borrower!) };
      },
    });

    routes.get('/api/v1/borrower/loans/:id', {
      summary: 'One of my loans with its schedule (还款计划) and repayments',
      params: IdParams,
      response: {
        200: Type.Object({
          loan: LoanSchema,
          repayments: Type.Array(Type.Record(Type.String(), Type.Unknown())),
          repaymentRequests: Type.Array(RepaymentRequestSchema, {
            description: 'My latest repayment requests (newest first): requested, completed or failed',
          }),
        }),
      },
      errors: [401, 404],
      handler: async function getMyLoan(request) {
        return {
          loan: await loans.get(request.borrower!, request.params.id),
          repayments: await loans.repayments(request.borrower!, request.params.id),
          repaymentRequests: await loans.repaymentRequests(request.borrower!, request.params.id),
        };
      },
    });

    routes.get('/api/v1/borrower/loans/:id/payoff-quote', {
      summary: '提前结清: what paying off today costs — free, interest only up to today',
      params: IdParams,
      response: {
        200: Type.Object({
          principalFen: Type.Integer(),
          interestFen: Type.Integer(),
          feeFen: Type.Integer({
            description: 'Fees and penalties of installments already due; paying off itself is free',
          }),
          totalFen: Type.Integer(),
          accrualStartDate: Type.String(),
          accrualDays: Type.Integer(),
        }),
      },
      errors: [401, 404, 409],
      handler: async function payoffQuote(request) {
        return loans.payoffQuote(request.borrower!, request.params.id);
      },
    });

    routes.post('/api/v1/borrower/loans/:id/repayments', {
      summary: '还款: repay installments, or pay the whole loan off early (free)',
      params: IdParams,
      body: RepayBody,
      response: { 202: Type.Object({ repaymentId: Uuid, amountFen: Type.Integer() }) },
      errors: [401, 404, 409],
      handler: async function repay(request, reply) {
        return reply.code(202).send(await loans.repay(request.borrower!, request.params.id, request.body));
      },
    });
  };
