import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validatorCompiler } from '../http/validation.ts';
import { createAjv, findNul } from '../shared/ajv.ts';
import { arbitraryFor, asReceived } from '../testing/contract-arbitrary.ts';
import {
  APPLICANT_PII,
  CALL_REQUEST_SCHEMAS,
  CALL_RESPONSE_SCHEMAS,
  CALLBACK_ACK,
  CALLBACK_SCHEMAS,
  ERROR_BODY,
  type JsonSchema,
  problemsOf,
} from './envelope/index.ts';

/**
 * One contract, two validators: the SDK's own interpreter (what a lender runs) and the platform's
 * Ajv — for callbacks exactly the validator their routes compile. On bodies generated from each
 * schema, valid ones and near misses, both must give the same verdict.
 */
const RUNS = Number(process.env.CONTRACT_RUNS ?? 10_000);

const ajv = createAjv({ coerceTypes: false, allErrors: false });

/** The platform's verdict: the route validator for callbacks, Ajv plus the text rule otherwise. */
function platformVerdict(schema: JsonSchema, route: boolean): (body: unknown) => boolean {
  if (route) {
    const validate = validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '/x' }) as (
      data: unknown,
    ) => boolean;
    return (body) => validate(body) === true;
  }
  const validate = ajv.compile(schema as object);
  return (body) => validate(body) && findNul(body, '') === undefined;
}

const cases: { name: string; schema: JsonSchema; route: boolean }[] = [
  ...Object.entries(CALLBACK_SCHEMAS).map(([kind, schema]) => ({
    name: `callback ${kind}`,
    schema,
    route: true,
  })),
  ...Object.entries(CALL_REQUEST_SCHEMAS).map(([kind, schema]) => ({
    name: `call ${kind}`,
    schema,
    route: false,
  })),
  ...Object.entries(CALL_RESPONSE_SCHEMAS).map(([kind, schema]) => ({
    name: `answer to ${kind}`,
    schema,
    route: false,
  })),
  { name: 'callback acknowledgement', schema: CALLBACK_ACK, route: false },
  { name: 'error body', schema: ERROR_BODY, route: false },
  { name: 'applicant PII', schema: APPLICANT_PII, route: false },
];

describe('the SDK and the platform agree on the contract', () => {
  for (const { name, schema, route } of cases) {
    it(`${name}: the same verdict on ${RUNS} generated bodies`, () => {
      const platform = platformVerdict(schema, route);
      let valid = 0;
      fc.assert(
        fc.property(arbitraryFor(schema), (generated) => {
          const body = asReceived(generated);
          const sdk = problemsOf(schema, body).length === 0;
          if (sdk) valid += 1;
          expect({ body, sdk }).toEqual({ body, sdk: platform(body) });
        }),
        { numRuns: RUNS },
      );
      // Both verdicts must be common, or agreeing would prove little.
      expect(valid).toBeGreaterThan(RUNS * 0.05);
      expect(valid).toBeLessThan(RUNS * 0.95);
    });
  }
});

describe('the credit-decision bodies the two sides used to disagree on', () => {
  const approval = {
    applicationId: 'APP-1',
    decision: 'approved',
    limitFen: 2_000_000,
    apr: '0.18',
    termsMonths: [6, 12],
    methods: ['equal_installment'],
    decidedAt: '2026-11-29T10:00:00+08:00',
  };
  const route = platformVerdict(CALLBACK_SCHEMAS['credit-decision'], true);
  const sdk = (body: unknown) => problemsOf(CALLBACK_SCHEMAS['credit-decision'], body);

  it.each([
    ['an unknown member', { ...approval, limitfen: 1 }, 'body.limitfen: is not a field of this message'],
    ['an APR with 11 decimals', { ...approval, apr: '0.18000000001' }, 'body.apr:'],
    ['a limit of 0 fen', { ...approval, limitFen: 0 }, 'body.limitFen:'],
    [
      'terms out of order',
      { ...approval, termsMonths: [12, 6] },
      'body.termsMonths: must be in increasing order',
    ],
    [
      'an approval without its terms',
      { ...approval, termsMonths: undefined },
      'body.termsMonths: is required when',
    ],
  ])('both refuse %s', (_what, body, problem) => {
    const received = asReceived(body);
    expect(route(received)).toBe(false);
    expect(sdk(received).join('\n')).toContain(problem);
  });

  it('both accept the approval itself, and an APR of 10 decimals', () => {
    for (const body of [approval, { ...approval, apr: '0.1800000001' }]) {
      expect(route(body)).toBe(true);
      expect(sdk(body)).toEqual([]);
    }
  });
});
