/**
 * The Lendgate open protocol contract as data: the JSON Schema of every call (platform → lender),
 * every answer and every callback (lender → platform). Everything else derives from these objects:
 * the SDK's types (schema-types.ts) and validators (contract.ts), the platform's route validation
 * and its OpenAPI document (src/http/routes/open.ts), the platform's checks of lender answers
 * (src/protocol/contract-validators.ts) and the reconciliation file's columns.
 *
 * Strictness: what the platform receives (callbacks, answers to its calls) refuses unknown members,
 * so that a misspelt optional field is an error rather than silently dropped. What a lender receives
 * (call bodies) may gain optional members within this protocol version; a lender must ignore them.
 *
 * Conventions: amounts are integer fen; rates are decimal strings in [0, 1] with at most 10
 * decimals ("0.18" is 18% a year); dates are `YYYY-MM-DD`; instants are RFC 3339 date-times with an
 * upper-case `T` and an offset (`Z` or `+08:00`), seconds required, at most 9 fraction digits.
 */
import type { JsonSchema } from './json-schema.ts';

// ---------------------------------------------------------------------------------------------
// Building blocks

export const MAX_FEN = 1_000_000_000_000;
export const MAX_TERM_MONTHS = 360;

/** Ids of applications, drawdowns, loans and repayments (the request-id alphabet). */
const ID_PATTERN = '^[A-Za-z0-9._:-]{1,64}$';
/** Product codes, channels, key ids. */
const CODE_PATTERN = '^[A-Za-z0-9._-]{1,64}$';

const id = { type: 'string', pattern: ID_PATTERN, 'x-rule': 'an id (1–64 of A–Z a–z 0–9 . _ : -)' } as const;
const code = {
  type: 'string',
  pattern: CODE_PATTERN,
  'x-rule': 'a code (1–64 of A–Z a–z 0–9 . _ -)',
} as const;
const sha256Hex = { type: 'string', pattern: '^[0-9a-f]{64}$', 'x-rule': 'lower-case hex SHA-256' } as const;
const hmacHex = {
  type: 'string',
  pattern: '^[0-9a-f]{64}$',
  'x-rule': 'lower-case hex HMAC-SHA256',
} as const;
const fen = { type: 'integer', minimum: 0, maximum: MAX_FEN } as const;
const positiveFen = { type: 'integer', minimum: 1, maximum: MAX_FEN } as const;
const term = { type: 'integer', minimum: 1, maximum: MAX_TERM_MONTHS } as const;
/** Schedule and status versions: the platform keeps them in 32-bit columns. */
const version = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
const rate = {
  type: 'string',
  pattern: '^(0|1|0\\.[0-9]{1,10}|1\\.0{1,10})$',
  'x-rule': 'a decimal rate string in [0, 1] with at most 10 decimals',
} as const;
const date = {
  type: 'string',
  format: 'date',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  'x-calendar': 'date',
  'x-rule': 'a real date YYYY-MM-DD',
} as const;
const dateTime = {
  type: 'string',
  format: 'date-time',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$',
  'x-calendar': 'date-time',
  'x-rule': 'an RFC 3339 date-time with an offset, e.g. 2026-05-01T10:00:00+08:00',
} as const;
const reason = { type: 'string', minLength: 1, maxLength: 200 } as const;
const increasingPeriods = {
  type: 'array',
  items: term,
  minItems: 1,
  maxItems: MAX_TERM_MONTHS,
  'x-increasing': true,
} as const;

export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55+'] as const;
/** Same values as `REPAYMENT_METHODS` in src/money (checked by a test; the SDK cannot import it). */
export const REPAYMENT_METHODS = [
  'equal_installment',
  'equal_principal',
  'interest_first',
  'bullet',
] as const;
export const INSTALLMENT_STATUSES = ['pending', 'paid', 'overdue', 'waived'] as const;
export const LOAN_STATUSES = ['repaying', 'overdue', 'settled', 'written_off'] as const;
/** Same values as `PII_ALGORITHMS` in pii.ts (checked by a test). */
export const PII_BLOCK_ALGORITHMS = ['RSA-OAEP-256+A256GCM', 'SM2+SM4-GCM'] as const;

const method = { type: 'string', enum: REPAYMENT_METHODS } as const;

// ---------------------------------------------------------------------------------------------
// Platform → lender calls (tolerant: a lender ignores members it does not know)

export const PRE_CHECK_REQUEST = {
  type: 'object',
  description:
    'Pre-check (撞库), before the borrower consents to anything: no PII, only keyed hashes and coarse bands. ' +
    'Answer 200 within about a second.',
  required: ['productCode', 'phoneHmac', 'idNumberHmac', 'hashKeyId', 'ageBand', 'region', 'amountBandFen'],
  properties: {
    productCode: code,
    phoneHmac: {
      ...hmacHex,
      description:
        'HMAC-SHA256 of the 11-digit phone (UTF-8), keyed with the partner’s pre-check key hashKeyId; the key ' +
        'is exchanged at admission and never travels in a message.',
    },
    idNumberHmac: {
      ...hmacHex,
      description: 'HMAC-SHA256 of the 18-character id number (upper-case X), same key.',
    },
    hashKeyId: {
      ...code,
      description: 'Id of the partner’s pre-check key used (keys rotate with an overlap).',
    },
    ageBand: { type: 'string', enum: AGE_BANDS },
    region: {
      type: 'string',
      pattern: '^[0-9]{6}$',
      'x-rule': 'a 6-digit region code',
      description: '6-digit administrative-division code prefix, zero-padded, e.g. 310000 (Shanghai).',
    },
    amountBandFen: {
      type: 'object',
      description: 'Requested amount band, both ends inclusive, in fen.',
      required: ['min', 'max'],
      properties: { min: positiveFen, max: positiveFen },
      'x-not-above': [['min', 'max']],
    },
  },
} as const satisfies JsonSchema;

const consentEvidence = {
  type: 'object',
  description: 'Evidence of the borrower’s separate consent to this lender (PIPL art. 23, 29).',
  required: ['version', 'textSha256', 'givenAt'],
  properties: {
    version: { type: 'string', minLength: 1, maxLength: 64 },
    textSha256: { ...sha256Hex, description: 'SHA-256 of the exact consent text shown.' },
    givenAt: dateTime,
  },
} as const satisfies JsonSchema;

const base64url = {
  type: 'string',
  minLength: 1,
  maxLength: 1_000_000,
  pattern: '^[A-Za-z0-9_-]+$',
  'x-rule': 'base64url without padding',
} as const;

export const ENCRYPTED_PII = {
  type: 'object',
  description: 'Personal data encrypted for one recipient key (docs/protocol.md, PII blocks).',
  required: ['alg', 'kid', 'wrappedKey', 'iv', 'ciphertext', 'tag'],
  properties: {
    alg: { type: 'string', enum: PII_BLOCK_ALGORITHMS },
    kid: id,
    wrappedKey: base64url,
    iv: base64url,
    ciphertext: base64url,
    tag: base64url,
  },
} as const satisfies JsonSchema;

export const APPLY_REQUEST = {
  type: 'object',
  description:
    'Apply (进件), after consent. Answer 202; the decision comes later by the credit-decision callback. ' +
    'Business id: applicationId.',
  required: [
    'applicationId',
    'productCode',
    'requestedAmountFen',
    'termMonths',
    'method',
    'channel',
    'consent',
    'pii',
  ],
  properties: {
    applicationId: id,
    productCode: code,
    requestedAmountFen: positiveFen,
    termMonths: term,
    method,
    channel: { ...code, description: 'Channel (host app) the borrower came from.' },
    consent: consentEvidence,
    pii: {
      ...ENCRYPTED_PII,
      description: 'ApplicantPii encrypted with encryptPii (AAD binds it to this message).',
    },
  },
} as const satisfies JsonSchema;

export const DRAWDOWN_REQUEST = {
  type: 'object',
  description:
    'Drawdown (借款) of an approved application. Answer 202; the result by the disbursement callback.',
  required: ['applicationId', 'drawdownId', 'amountFen', 'termMonths', 'method', 'startDate'],
  properties: {
    applicationId: id,
    drawdownId: id,
    amountFen: positiveFen,
    termMonths: term,
    method,
    startDate: { ...date, description: 'The day the loan starts; installment k falls k months later.' },
  },
} as const satisfies JsonSchema;

export const REPAY_REQUEST = {
  type: 'object',
  description:
    'Repayment (主动还款) initiated in Lendgate: installments by number, or a full early payoff. Answer 202; ' +
    'the result by the repayment callback. Business id: repaymentId.',
  required: ['loanId', 'repaymentId', 'kind', 'amountFen', 'requestedAt'],
  properties: {
    loanId: id,
    repaymentId: id,
    kind: { type: 'string', enum: ['installment', 'payoff'] },
    periods: { ...increasingPeriods, description: 'Installment numbers paid; required for installment.' },
    amountFen: positiveFen,
    requestedAt: dateTime,
  },
  'x-required-when': { field: 'kind', equals: 'installment', required: ['periods'] },
} as const satisfies JsonSchema;

export const STATUS_QUERY_REQUEST = {
  type: 'object',
  description: 'Pull fallback when a callback is late: at least one of the ids. Answer 200.',
  properties: { applicationId: id, loanId: id },
  anyOf: [{ required: ['applicationId'] }, { required: ['loanId'] }],
  'x-rule': 'an object with applicationId or loanId',
} as const satisfies JsonSchema;

// ---------------------------------------------------------------------------------------------
// Lender → platform callbacks (strict)

export const CREDIT_DECISION_CALLBACK = {
  type: 'object',
  title: '授信结果',
  description:
    'The credit decision on an application. Business id: applicationId. An approval carries its offer ' +
    '(limitFen, apr, termsMonths, methods).',
  additionalProperties: false,
  required: ['applicationId', 'decision', 'decidedAt'],
  properties: {
    applicationId: id,
    decision: { type: 'string', enum: ['approved', 'rejected'] },
    reason: reason,
    limitFen: positiveFen,
    apr: { ...rate, description: 'All-in APR (IRR method); never above 0.24.' },
    termsMonths: { ...increasingPeriods, maxItems: 50, description: 'Allowed terms in months.' },
    methods: {
      type: 'array',
      items: method,
      minItems: 1,
      maxItems: REPAYMENT_METHODS.length,
      uniqueItems: true,
      description: 'Allowed repayment methods.',
    },
    validUntil: { ...dateTime, description: 'Until when the offer can be drawn.' },
    decidedAt: dateTime,
  },
  'x-required-when': {
    field: 'decision',
    equals: 'approved',
    required: ['limitFen', 'apr', 'termsMonths', 'methods'],
  },
} as const satisfies JsonSchema;

export const DISBURSEMENT_CALLBACK = {
  type: 'object',
  title: '放款结果',
  description:
    'The outcome of a drawdown. Business id: drawdownId. A failed drawdown carries loanId too: the lender’s ' +
    'reference for the loan that was not made.',
  additionalProperties: false,
  required: ['drawdownId', 'applicationId', 'loanId', 'status', 'principalFen', 'disbursedAt', 'startDate'],
  properties: {
    drawdownId: id,
    applicationId: id,
    loanId: id,
    status: { type: 'string', enum: ['succeeded', 'failed'] },
    reason: reason,
    principalFen: positiveFen,
    disbursedAt: { ...dateTime, description: 'When the money was sent (or the drawdown failed).' },
    startDate: date,
  },
} as const satisfies JsonSchema;

const scheduleInstallment = {
  type: 'object',
  description: 'One row of a schedule; paidFen counts everything paid against this row.',
  additionalProperties: false,
  required: ['period', 'dueDate', 'principalFen', 'interestFen', 'feeFen', 'penaltyFen', 'paidFen', 'status'],
  properties: {
    period: term,
    dueDate: date,
    principalFen: fen,
    interestFen: fen,
    feeFen: fen,
    penaltyFen: fen,
    paidFen: fen,
    status: { type: 'string', enum: INSTALLMENT_STATUSES },
  },
} as const satisfies JsonSchema;

export const REPAYMENT_SCHEDULE_CALLBACK = {
  type: 'object',
  title: '还款计划',
  description: 'The full schedule of a loan, pushed whole on every change. Business id: loanId:version.',
  additionalProperties: false,
  required: ['loanId', 'version', 'installments'],
  properties: {
    loanId: id,
    version: { ...version, description: 'Increases on every change; the platform keeps the highest.' },
    installments: {
      type: 'array',
      items: scheduleInstallment,
      minItems: 1,
      maxItems: MAX_TERM_MONTHS,
      'x-numbered': 'period',
    },
  },
} as const satisfies JsonSchema;

export const REPAYMENT_CALLBACK = {
  type: 'object',
  title: '还款结果',
  description: 'Money the lender collected on a loan, or the reversal of it. Business id: repaymentId.',
  additionalProperties: false,
  required: [
    'loanId',
    'repaymentId',
    'paidAt',
    'principalFen',
    'interestFen',
    'feeFen',
    'penaltyFen',
    'periods',
    'earlyPayoff',
  ],
  properties: {
    loanId: id,
    repaymentId: id,
    paidAt: dateTime,
    principalFen: fen,
    interestFen: fen,
    feeFen: fen,
    penaltyFen: fen,
    periods: increasingPeriods,
    earlyPayoff: { type: 'boolean' },
    reversalOf: {
      ...id,
      description: 'Set when this entry reverses an earlier repayment (a bounced debit).',
    },
  },
} as const satisfies JsonSchema;

export const LOAN_STATUS_CALLBACK = {
  type: 'object',
  title: '贷款状态',
  description: 'Repaying, overdue, settled or written off. Business id: loanId:version.',
  additionalProperties: false,
  required: ['loanId', 'status', 'version', 'asOf'],
  properties: {
    loanId: id,
    status: { type: 'string', enum: LOAN_STATUSES },
    version,
    asOf: dateTime,
  },
} as const satisfies JsonSchema;

// ---------------------------------------------------------------------------------------------
// Answers (strict where the platform reads them)

export const PRE_CHECK_RESPONSE = {
  type: 'object',
  additionalProperties: false,
  required: ['decision'],
  properties: {
    decision: { type: 'string', enum: ['accept', 'decline'] },
    reason: {
      ...reason,
      description: 'Why a decline: existing_customer, not_eligible, over_quota or a lender-specific string.',
    },
    indicativeLimitFen: positiveFen,
    aprMin: rate,
    aprMax: rate,
  },
  'x-not-above': [['aprMin', 'aprMax']],
} as const satisfies JsonSchema;

export const ACCEPTED = {
  type: 'object',
  description: 'The synchronous acknowledgement of an asynchronous call (apply, drawdown, repay).',
  additionalProperties: false,
  required: ['accepted'],
  properties: { accepted: { type: 'boolean', const: true } },
} as const satisfies JsonSchema;

const pendingApplication = {
  type: 'object',
  additionalProperties: false,
  required: ['applicationId', 'decision'],
  properties: { applicationId: id, decision: { type: 'string', const: 'pending' } },
} as const satisfies JsonSchema;

const pendingDrawdown = {
  type: 'object',
  additionalProperties: false,
  required: ['drawdownId', 'applicationId', 'status'],
  properties: { drawdownId: id, applicationId: id, status: { type: 'string', const: 'processing' } },
} as const satisfies JsonSchema;

export const STATUS_QUERY_RESPONSE = {
  type: 'object',
  description: 'The current state, in the shapes of the callbacks, so that it is applied as callbacks are.',
  additionalProperties: false,
  properties: {
    application: { oneOf: [pendingApplication, CREDIT_DECISION_CALLBACK] },
    drawdowns: {
      type: 'array',
      maxItems: 1000,
      items: { oneOf: [pendingDrawdown, DISBURSEMENT_CALLBACK] },
      description: 'Drawdowns of the queried application (lets a late disbursement be pulled).',
    },
    loan: {
      type: 'object',
      additionalProperties: false,
      required: ['status', 'schedule'],
      properties: { status: { type: 'string', enum: LOAN_STATUSES }, schedule: REPAYMENT_SCHEDULE_CALLBACK },
    },
  },
} as const satisfies JsonSchema;

export const CALLBACK_ACK = {
  type: 'object',
  description:
    '200 applied, or 202 deferred when it arrived before what it depends on (kept and applied later; do not ' +
    'resend). A repeat gets the first answer again.',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['applied', 'deferred'] },
    waitingFor: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      description: 'What a deferred callback waits for.',
    },
    loanId: { ...id, description: 'The platform’s id of the loan a disbursement opened.' },
    ignored: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Why an applied callback changed nothing (a stale version, a state already reached).',
    },
  },
} as const satisfies JsonSchema;

export const ERROR_BODY = {
  type: 'object',
  description:
    'The body of every refused call or callback, signed like any other answer. It may carry more members ' +
    '(the platform adds error.details to a VALIDATION_FAILED): ignore those you do not know.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$', 'x-rule': 'an UPPER_SNAKE code' },
        message: { type: 'string', minLength: 1, maxLength: 2000 },
        requestId: {
          type: 'string',
          maxLength: 128,
          description: 'The X-Lendgate-Request-Id refused (empty when none).',
        },
      },
    },
  },
} as const satisfies JsonSchema;

// ---------------------------------------------------------------------------------------------
// Personal data (inside the encrypted block)

const phone = { type: 'string', pattern: '^1[0-9]{10}$', 'x-rule': 'an 11-digit mobile number' } as const;

export const APPLICANT_PII = {
  type: 'object',
  description: 'The personal data of an application, carried only inside ApplyRequest.pii, encrypted.',
  required: ['name', 'idNumber', 'phone'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    idNumber: {
      type: 'string',
      pattern: '^[0-9]{17}[0-9X]$',
      'x-rule': 'an 18-character resident id number',
    },
    phone,
    bankCard: { type: 'string', pattern: '^[0-9]{12,19}$', 'x-rule': 'a 12–19 digit card number' },
    contacts: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        required: ['name', 'phone', 'relation'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 },
          phone,
          relation: { type: 'string', minLength: 1, maxLength: 32 },
        },
      },
    },
  },
} as const satisfies JsonSchema;

// ---------------------------------------------------------------------------------------------
// The daily reconciliation file (对账文件): CSV, one row per money movement of the day

/** One row of the file, by column, in file order; amounts are integer fen, a reversal negative. */
export const RECONCILIATION_ROW = {
  type: 'object',
  description:
    'One money movement: a disbursement or a repayment (a reversal is a repayment with negative amounts). ' +
    'CSV (RFC 4180), a header row of these columns in this order, amounts in integer fen.',
  additionalProperties: false,
  required: [
    'type',
    'business_id',
    'loan_id',
    'application_id',
    'occurred_at',
    'amount_fen',
    'principal_fen',
    'interest_fen',
    'fee_fen',
    'penalty_fen',
  ],
  properties: {
    type: { type: 'string', enum: ['disbursement', 'repayment'] },
    business_id: { ...id, description: 'drawdownId of a disbursement, repaymentId of a repayment.' },
    loan_id: id,
    application_id: id,
    occurred_at: dateTime,
    amount_fen: { type: 'integer', minimum: -MAX_FEN, maximum: MAX_FEN },
    principal_fen: { type: 'integer', minimum: -MAX_FEN, maximum: MAX_FEN },
    interest_fen: { type: 'integer', minimum: -MAX_FEN, maximum: MAX_FEN },
    fee_fen: { type: 'integer', minimum: -MAX_FEN, maximum: MAX_FEN },
    penalty_fen: { type: 'integer', minimum: -MAX_FEN, maximum: MAX_FEN },
  },
} as const satisfies JsonSchema;

/** The reconciliation file's columns, in order (the header row). */
export const RECONCILIATION_COLUMNS = RECONCILIATION_ROW.required;

// ---------------------------------------------------------------------------------------------
// By kind

export const CALL_REQUEST_SCHEMAS = {
  'pre-check': PRE_CHECK_REQUEST,
  apply: APPLY_REQUEST,
  drawdown: DRAWDOWN_REQUEST,
  repay: REPAY_REQUEST,
  'status-query': STATUS_QUERY_REQUEST,
} as const;

export const CALL_RESPONSE_SCHEMAS = {
  'pre-check': PRE_CHECK_RESPONSE,
  apply: ACCEPTED,
  drawdown: ACCEPTED,
  repay: ACCEPTED,
  'status-query': STATUS_QUERY_RESPONSE,
} as const;

export const CALLBACK_SCHEMAS = {
  'credit-decision': CREDIT_DECISION_CALLBACK,
  disbursement: DISBURSEMENT_CALLBACK,
  'repayment-schedule': REPAYMENT_SCHEDULE_CALLBACK,
  repayment: REPAYMENT_CALLBACK,
  'loan-status': LOAN_STATUS_CALLBACK,
} as const;
