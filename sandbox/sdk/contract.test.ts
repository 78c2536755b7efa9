import { describe, expect, it } from 'vitest';
import { REPAYMENT_METHODS as MONEY_METHODS } from '../../src/money/index.ts';
import { ENVELOPE_ERRORS } from '../../src/protocol/envelope/errors.ts';
import { FULL_APPLICANT as PII } from './__fixtures__/applicant.ts';
import { RSA_ENC_PUBLIC } from './__fixtures__/test-keys.ts';
import {
  businessIdOf,
  CALL_KINDS,
  CALLBACK_KINDS,
  type CallbackBodies,
  type CallbackKind,
  type CallKind,
  type CallRequests,
  type CallResponses,
  callbackKindOf,
  callbackPath,
  callKindOf,
  callPath,
  errorBody,
  isApplicantPii,
  isCallback,
  isCallRequest,
  PROTOCOL_ERRORS,
  REPAYMENT_METHODS,
  validateApplicantPii,
  validateCallback,
  validateCallbackAck,
  validateCallRequest,
  validateCallResponse,
  validateErrorBody,
} from './contract.ts';
import { ENVELOPE_ERROR_CODES } from './index.ts';
import { encryptPii } from './pii.ts';

const SHA = 'a'.repeat(64);

const REQUESTS: CallRequests = {
  'pre-check': {
    productCode: 'SBX-CASH',
    phoneHmac: SHA,
    idNumberHmac: SHA,
    hashKeyId: 'pck-2026-01',
    ageBand: '25-34',
    region: '310000',
    amountBandFen: { min: 100_000, max: 500_000 },
  },
  apply: {
    applicationId: 'app_0001',
    productCode: 'SBX-CASH',
    requestedAmountFen: 300_000,
    termMonths: 12,
    method: 'equal_installment',
    channel: 'demo-app',
    consent: { version: 'v3', textSha256: SHA, givenAt: '2026-01-01T08:00:00+08:00' },
    pii: encryptPii(PII, RSA_ENC_PUBLIC, { partnerId: 'lender-demo', requestId: 'r1' }),
  },
  drawdown: {
    applicationId: 'app_0001',
    drawdownId: 'dd_0001',
    amountFen: 300_000,
    termMonths: 12,
    method: 'equal_installment',
    startDate: '2026-01-02',
  },
  repay: {
    loanId: 'loan_1',
    repaymentId: 'rp_1',
    kind: 'installment',
    periods: [1, 2],
    amountFen: 52_000,
    requestedAt: '2026-02-02T10:00:00Z',
  },
  'status-query': { applicationId: 'app_0001' },
};

const SCHEDULE: CallbackBodies['repayment-schedule'] = {
  loanId: 'loan_1',
  version: 2,
  installments: [
    {
      period: 1,
      dueDate: '2026-02-02',
      principalFen: 1000,
      interestFen: 20,
      feeFen: 0,
      penaltyFen: 0,
      paidFen: 1020,
      status: 'paid',
    },
    {
      period: 2,
      dueDate: '2026-03-02',
      principalFen: 1000,
      interestFen: 10,
      feeFen: 0,
      penaltyFen: 0,
      paidFen: 0,
      status: 'pending',
    },
  ],
};

const CALLBACKS: CallbackBodies = {
  'credit-decision': {
    applicationId: 'app_0001',
    decision: 'approved',
    limitFen: 500_000,
    apr: '0.18',
    termsMonths: [3, 6, 12],
    methods: ['equal_installment'],
    validUntil: '2026-01-31T00:00:00Z',
    decidedAt: '2026-01-01T00:00:05Z',
  },
  disbursement: {
    drawdownId: 'dd_0001',
    applicationId: 'app_0001',
    loanId: 'loan_1',
    status: 'succeeded',
    principalFen: 300_000,
    disbursedAt: '2026-01-02T00:00:00Z',
    startDate: '2026-01-02',
  },
  'repayment-schedule': SCHEDULE,
  repayment: {
    loanId: 'loan_1',
    repaymentId: 'rp_1',
    paidAt: '2026-02-02T10:00:01Z',
    principalFen: 1000,
    interestFen: 20,
    feeFen: 0,
    penaltyFen: 0,
    periods: [1],
    earlyPayoff: false,
  },
  'loan-status': { loanId: 'loan_1', status: 'settled', version: 1, asOf: '2026-03-02T00:00:00Z' },
};

const RESPONSES: CallResponses = {
  'pre-check': { decision: 'accept', indicativeLimitFen: 500_000, aprMin: '0.12', aprMax: '0.18' },
  apply: { accepted: true },
  drawdown: { accepted: true },
  repay: { accepted: true },
  'status-query': {
    application: CALLBACKS['credit-decision'],
    drawdowns: [
      { drawdownId: 'dd_2', applicationId: 'app_0001', status: 'processing' },
      CALLBACKS.disbursement,
    ],
    loan: { status: 'repaying', schedule: SCHEDULE },
  },
};

const callKinds = CALL_KINDS.map((k) => k.kind);
const callbackKinds = CALLBACK_KINDS.map((k) => k.kind);

describe('paths and kinds', () => {
  it('maps every kind to its path and back', () => {
    for (const { kind, path } of CALL_KINDS) {
      expect(callPath(kind)).toBe(path);
      expect(callKindOf(`${path}?x=1`)).toBe(kind);
      expect(path.startsWith('/lendgate/v1/')).toBe(true);
    }
    for (const { kind, path } of CALLBACK_KINDS) {
      expect(callbackPath(kind)).toBe(path);
      expect(callbackKindOf(path)).toBe(kind);
      expect(path.startsWith('/open/v1/callbacks/')).toBe(true);
    }
    expect(callKindOf('/lendgate/v1/unknown')).toBeUndefined();
    expect(new Set([...callKinds, ...callbackKinds]).size).toBe(10);
  });

  it('keeps the repayment methods of src/money and the envelope statuses of the platform', () => {
    expect([...REPAYMENT_METHODS]).toEqual([...MONEY_METHODS]);
    for (const code of ENVELOPE_ERROR_CODES) expect(PROTOCOL_ERRORS[code]).toBe(ENVELOPE_ERRORS[code].status);
  });

  it('names the business id of each message', () => {
    expect(businessIdOf('apply', REQUESTS.apply)).toBe('app_0001');
    expect(businessIdOf('drawdown', REQUESTS.drawdown)).toBe('dd_0001');
    expect(businessIdOf('repay', REQUESTS.repay)).toBe('rp_1');
    expect(businessIdOf('pre-check', REQUESTS['pre-check'])).toBeUndefined();
    expect(businessIdOf('status-query', REQUESTS['status-query'])).toBeUndefined();
    expect(businessIdOf('credit-decision', CALLBACKS['credit-decision'])).toBe('app_0001');
    expect(businessIdOf('disbursement', CALLBACKS.disbursement)).toBe('dd_0001');
    expect(businessIdOf('repayment-schedule', SCHEDULE)).toBe('loan_1:2');
    expect(businessIdOf('repayment', CALLBACKS.repayment)).toBe('rp_1');
    expect(businessIdOf('loan-status', CALLBACKS['loan-status'])).toBe('loan_1:1');
    expect(businessIdOf('repayment', {})).toBeUndefined();
    expect(businessIdOf('loan-status', { loanId: 'x', version: '1' })).toBeUndefined();
    expect(businessIdOf('apply', null)).toBeUndefined();
  });
});

describe('validators accept every documented example', () => {
  it.each(callKinds)('call %s: request and answer', (kind: CallKind) => {
    expect(validateCallRequest(kind, REQUESTS[kind])).toEqual([]);
    expect(isCallRequest(kind, REQUESTS[kind])).toBe(true);
    expect(validateCallResponse(kind, RESPONSES[kind])).toEqual([]);
  });

  it.each(callbackKinds)('callback %s', (kind: CallbackKind) => {
    expect(validateCallback(kind, CALLBACKS[kind])).toEqual([]);
    expect(isCallback(kind, CALLBACKS[kind])).toBe(true);
  });

  it('accepts a rejection without offer terms, a failed disbursement, a payoff without periods', () => {
    expect(
      validateCallback('credit-decision', {
        applicationId: 'a',
        decision: 'rejected',
        reason: 'not_eligible',
        decidedAt: '2026-01-01T00:00:00.123Z',
      }),
    ).toEqual([]);
    expect(
      validateCallback('disbursement', { ...CALLBACKS.disbursement, status: 'failed', reason: 'over_limit' }),
    ).toEqual([]);
    const { periods: _periods, ...payoff } = REQUESTS.repay;
    expect(validateCallRequest('repay', { ...payoff, kind: 'payoff' })).toEqual([]);
    expect(validateCallResponse('pre-check', { decision: 'decline', reason: 'over_quota' })).toEqual([]);
    expect(
      validateCallResponse('status-query', { application: { applicationId: 'a', decision: 'pending' } }),
    ).toEqual([]);
  });

  it('accepts PII, error bodies and callback acknowledgements', () => {
    expect(validateApplicantPii(PII)).toEqual([]);
    expect(isApplicantPii({ name: '王五', idNumber: '11010119900307123X', phone: '13700137000' })).toBe(true);
    expect(validateErrorBody(errorBody('CONFLICT', 'already used', 'r1'))).toEqual([]);
    expect(validateCallbackAck({ status: 'applied' })).toEqual([]);
    expect(validateCallbackAck({ status: 'deferred', waitingFor: 'repayment-schedule' })).toEqual([]);
  });
});

describe('validators name each problem', () => {
  it('refuses non-objects and missing fields', () => {
    expect(validateCallRequest('drawdown', null)).toEqual(['body: must be an object']);
    expect(validateCallRequest('drawdown', [])).toEqual(['body: must be an object']);
    expect(validateCallRequest('drawdown', {})).toEqual([
      'body.applicationId: is required',
      'body.drawdownId: is required',
      'body.amountFen: is required',
      'body.termMonths: is required',
      'body.method: is required',
      'body.startDate: is required',
    ]);
    expect(validateCallRequest('status-query', {})).toEqual([
      'body: must be an object with applicationId or loanId',
    ]);
  });

  it('checks formats, ranges and enumerations', () => {
    const bad = {
      ...REQUESTS['pre-check'],
      phoneHmac: SHA.toUpperCase(),
      ageBand: '60+',
      region: '31',
      amountBandFen: { min: 5, max: 1 },
    };
    expect(validateCallRequest('pre-check', bad)).toEqual([
      'body.phoneHmac: must be lower-case hex HMAC-SHA256',
      'body.ageBand: must be one of 18-24, 25-34, 35-44, 45-54, 55+',
      'body.region: must be a 6-digit region code',
      'body.amountBandFen.min: must not exceed max',
    ]);
    const drawdown = {
      ...REQUESTS.drawdown,
      amountFen: 1.5,
      termMonths: 0,
      method: 'daily',
      startDate: '2026-02-30',
    };
    expect(validateCallRequest('drawdown', drawdown)).toEqual([
      'body.amountFen: must be an integer from 1 to 1000000000000',
      'body.termMonths: must be an integer from 1 to 360',
      'body.method: must be one of equal_installment, equal_principal, interest_first, bullet',
      'body.startDate: must be a real calendar date',
    ]);
    expect(validateCallRequest('repay', { ...REQUESTS.repay, periods: [2, 1] })).toEqual([
      'body.periods: must be in increasing order, without repeats',
    ]);
    const { periods: _p, ...noPeriods } = REQUESTS.repay;
    expect(validateCallRequest('repay', noPeriods)).toEqual([
      'body.periods: is required when kind is installment',
    ]);
    expect(
      validateCallRequest('apply', { ...REQUESTS.apply, pii: { ...REQUESTS.apply.pii, alg: 'AES-ECB' } }),
    ).toEqual(['body.pii.alg: must be one of RSA-OAEP-256+A256GCM, SM2+SM4-GCM']);
  });

  it('requires offer terms on an approval, numbered installments, rates as strings', () => {
    expect(
      validateCallback('credit-decision', {
        applicationId: 'a',
        decision: 'approved',
        decidedAt: '2026-01-01T00:00:00Z',
      }),
    ).toEqual([
      'body.limitFen: is required when decision is approved',
      'body.apr: is required when decision is approved',
      'body.termsMonths: is required when decision is approved',
      'body.methods: is required when decision is approved',
    ]);
    expect(validateCallback('credit-decision', { ...CALLBACKS['credit-decision'], apr: 0.18 })).toEqual([
      'body.apr: must be a decimal rate string in [0, 1] with at most 10 decimals',
    ]);
    expect(validateCallback('credit-decision', { ...CALLBACKS['credit-decision'], apr: '18%' })).toEqual([
      'body.apr: must be a decimal rate string in [0, 1] with at most 10 decimals',
    ]);
    const reordered = { ...SCHEDULE, installments: [SCHEDULE.installments[1], SCHEDULE.installments[0]] };
    expect(validateCallback('repayment-schedule', reordered)).toEqual([
      'body.installments[0].period: must be 1: rows are numbered 1, 2, 3… in order',
      'body.installments[1].period: must be 2: rows are numbered 1, 2, 3… in order',
    ]);
    expect(
      validateCallback('loan-status', { ...CALLBACKS['loan-status'], asOf: '2026-03-02 00:00' }),
    ).toEqual(['body.asOf: must be an RFC 3339 date-time with an offset, e.g. 2026-05-01T10:00:00+08:00']);
    expect(validateCallback('disbursement', { ...CALLBACKS.disbursement, loanId: undefined })).toEqual([
      'body.loanId: is required',
    ]);
  });

  it('never echoes a value, so problems with PII can be logged', () => {
    const bad = {
      name: '',
      idNumber: '110101199003071234567',
      phone: '+8613800138000',
      bankCard: '62220202',
      contacts: [{ name: '李四', phone: '139001390', relation: '' }],
    };
    const problems = validateApplicantPii(bad);
    expect(problems).toEqual([
      'pii.name: must be a non-empty string of at most 100 characters',
      'pii.idNumber: must be an 18-character resident id number',
      'pii.phone: must be an 11-digit mobile number',
      'pii.bankCard: must be a 12–19 digit card number',
      'pii.contacts[0].phone: must be an 11-digit mobile number',
      'pii.contacts[0].relation: must be a non-empty string of at most 32 characters',
    ]);
    const text = problems.join('\n');
    for (const value of ['110101199003071234567', '8613800138000', '62220202', '李四', '139001390'])
      expect(text).not.toContain(value);
    expect(validateApplicantPii('x')).toEqual(['pii: must be an object']);
  });

  it('checks nested answers of the status query and error bodies', () => {
    expect(
      validateCallResponse('status-query', {
        loan: { status: 'gone', schedule: { loanId: 'l', version: 0 } },
      }),
    ).toEqual([
      'body.loan.status: must be one of repaying, overdue, settled, written_off',
      'body.loan.schedule.installments: is required',
      'body.loan.schedule.version: must be an integer from 1 to 2147483647',
    ]);
    expect(validateCallResponse('apply', { accepted: 'yes' })).toEqual(['body.accepted: must be true']);
    expect(validateErrorBody({ error: { code: 'conflict', message: 'x' } })).toEqual([
      'body.error.requestId: is required',
      'body.error.code: must be an UPPER_SNAKE code',
    ]);
  });
});
