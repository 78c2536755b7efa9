import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import {
  MAX_PRINCIPAL_FEN,
  MAX_TERM_MONTHS,
  MIN_PRINCIPAL_FEN,
  MIN_TERM_MONTHS,
  REPAYMENT_METHODS,
} from '../../money/index.ts';
import type { ConformanceRunner } from '../../wiring/conformance-runner.ts';
import { operatorActor, operatorRoutes } from '../route.ts';
import { StringEnum } from '../schemas.ts';
import { ConformanceRunSchema, READ_ROLES, WRITE_ROLES } from './lender-schemas.ts';

const BASE = '/api/v1/admin/lenders/:lenderId/conformance-runs';

const RunParams = Type.Object({
  lenderId: Type.String({ format: 'uuid' }),
  runId: Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: 'The run id (an integer)' }),
});

const LenderParams = Type.Object({ lenderId: Type.String({ format: 'uuid' }) });

const NewRunBody = Type.Object(
  {
    scenario: Type.Optional(
      Type.Object(
        {
          productCode: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })),
          amountFen: Type.Optional(Type.Integer({ minimum: MIN_PRINCIPAL_FEN, maximum: MAX_PRINCIPAL_FEN })),
          termMonths: Type.Optional(Type.Integer({ minimum: MIN_TERM_MONTHS, maximum: MAX_TERM_MONTHS })),
          method: Type.Optional(StringEnum(REPAYMENT_METHODS)),
        },
        {
          additionalProperties: false,
          description:
            'What the kit applies for (the partner must approve it for an adult); by default the ' +
            'partner’s first approved product, 10,000 yuan within its range, 12 months if offered, its first method',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * Operator-run conformance (docs/operations.md): start the kit against a partner in the sandbox
 * stage (or suspended) from its registered base URL and keys, and follow the run.
 */
export const adminConformanceRunRoutes =
  (runner: ConformanceRunner): FastifyPluginAsync =>
  async (instance) => {
    const routes = operatorRoutes(instance, ['lenders']);

    routes.post(BASE, {
      roles: WRITE_ROLES,
      summary:
        'Run the conformance kit against the partner (sandbox or suspended) in the background: ' +
        '202 with the run; its callbacks are expected at the run’s callbackUrl',
      params: LenderParams,
      body: NewRunBody,
      response: { 202: ConformanceRunSchema },
      errors: [401, 403, 404, 409, 503],
      handler: async function startConformanceRun(request, reply) {
        const run = await runner.start(
          request.params.lenderId,
          request.body,
          operatorActor(request),
          request.id,
        );
        return reply.code(202).send(run);
      },
    });

    routes.get(`${BASE}/:runId`, {
      roles: READ_ROLES,
      summary: 'A conformance run: status, progress (checks done / total) and each check’s result',
      params: RunParams,
      response: { 200: ConformanceRunSchema },
      errors: [401, 403, 404],
      handler: async function getConformanceRun(request) {
        return runner.get(request.params.lenderId, Number(request.params.runId));
      },
    });
  };
