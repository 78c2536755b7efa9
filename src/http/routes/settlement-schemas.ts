/**
 * JSON schemas of the settlement operator API (TypeBox → validation and OpenAPI). The schemas catch
 * types and bounds; the settlement module checks the rest (tiers rising, channels named once…).
 */
import { Type } from 'typebox';
import type { OperatorRole } from '../../operators/roles.ts';
import { DIFFERENCE_KINDS, STATEMENT_STATUSES } from '../../settlement/index.ts';
import { Int4, SafeInteger, StringEnum } from '../schemas.ts';

/** Finance staff run settlement; compliance may read it. Admins may do everything. */
export const SETTLEMENT_WRITE: readonly OperatorRole[] = ['finance'];
export const SETTLEMENT_READ: readonly OperatorRole[] = ['finance', 'compliance'];

const Fen = (description?: string) =>
  Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, ...(description ? { description } : {}) });
const SignedFen = Type.Integer({ description: 'integer fen; negative for reversals' });
const Bps = (description: string) => Type.Integer({ minimum: 0, maximum: 10_000, description });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const LenderCode = Type.String({
  pattern: '^[a-z0-9][a-z0-9._-]{1,63}$',
  description: 'The partner’s code (protocol partner id)',
});
export const Month = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
  description: 'YYYY-MM (China time)',
});
const ChannelCode = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' });

const Referral = Type.Union(
  [
    Type.Object(
      { type: Type.Literal('fixed'), fen: Fen('per disbursed loan') },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('bps'),
        bps: Bps('of the disbursed principal'),
        capFen: Type.Optional(Nullable(Fen('largest referral fee per loan'))),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'Referral fee per disbursed loan' },
);

const Tier = Type.Object(
  {
    minMonthlyVolumeFen: Fen('previous month’s disbursed principal from which the tier applies'),
    interestBps: Bps('share of interest collected'),
    feeBps: Bps('share of fees and penalties collected'),
  },
  { additionalProperties: false },
);

const Rule = Type.Object(
  {
    channels: Nullable(Type.Array(ChannelCode, { minItems: 1, maxItems: 50 })),
    referral: Nullable(Referral),
    service: Nullable(
      Type.Object(
        {
          interestBps: Bps('share of interest collected'),
          feeBps: Bps('share of fees and penalties collected'),
          tiers: Type.Optional(Type.Array(Tier, { maxItems: 10 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'channels null = every channel not named by another rule' },
);

export const ContractTermsSchema = Type.Object(
  { rules: Type.Array(Rule, { minItems: 1, maxItems: 20 }) },
  { additionalProperties: false },
);

export const NewContractVersionBody = Type.Object(
  {
    effectiveFrom: Type.String({ format: 'date', description: 'CST date, today or later' }),
    terms: ContractTermsSchema,
    reference: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'the signed contract' }),
    ),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const ContractVersionSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  lenderCode: Type.String(),
  version: Type.Integer(),
  effectiveFrom: Type.String({ format: 'date' }),
  terms: ContractTermsSchema,
  reference: Nullable(Type.String()),
  note: Nullable(Type.String()),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const LenderCodeParams = Type.Object({ lenderCode: LenderCode });

const Posting = Type.Object({ account: Type.String(), amountFen: SignedFen });

export const LedgerEntrySchema = Type.Object({
  seq: Type.Integer(),
  kind: Type.String(),
  causeType: Type.String(),
  causeId: Type.String(),
  requestId: Nullable(Type.String()),
  occurredAt: Type.String({ format: 'date-time' }),
  recordedAt: Type.String({ format: 'date-time' }),
  reversesSeq: Nullable(Type.Integer()),
  memo: Type.String(),
  hash: Type.String(),
  postings: Type.Array(Posting),
});

export const LedgerEntriesQuery = Type.Object(
  {
    account: Type.Optional(Type.String({ maxLength: 200 })),
    beforeSeq: Type.Optional(SafeInteger({ minimum: 1 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
);

export const BalancesQuery = Type.Object(
  { prefix: Type.Optional(Type.String({ maxLength: 200, description: 'e.g. lender: or revenue:service:' })) },
  { additionalProperties: false },
);

export const BalanceSchema = Type.Object({ account: Type.String(), balanceFen: SignedFen });

export const VerificationSchema = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Integer(),
  headSeq: Type.Integer(),
  problem: Type.Optional(
    Type.Object({ seq: Type.Integer(), problem: Type.String() }, { additionalProperties: true }),
  ),
});

/** The amounts a statement adds up, in the same order in its totals and in each of its lines. */
const StatementAmounts = {
  disbursedPrincipalFen: SignedFen,
  principalCollectedFen: SignedFen,
  interestCollectedFen: SignedFen,
  feesCollectedFen: SignedFen,
  referralFen: SignedFen,
  serviceInterestFen: SignedFen,
  serviceFeeFen: SignedFen,
  totalFen: SignedFen,
};

const Totals = Type.Object({
  lineCount: Type.Integer(),
  eventCount: Type.Integer(),
  ...StatementAmounts,
});

export const StatementSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  lenderCode: Type.String(),
  month: Type.String(),
  channelScope: Type.String({
    description: '* for the lender’s statement, or a channel (internal attribution)',
  }),
  status: StringEnum(STATEMENT_STATUSES),
  totals: Totals,
  previousStatementId: Nullable(Type.String()),
  settlementLedgerSeq: Nullable(Type.Integer()),
  generatedAt: Type.String({ format: 'date-time' }),
  generatedBy: Nullable(Type.String()),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const StatementLineSchema = Type.Object({
  lineNo: Type.Integer(),
  loanId: Type.String(),
  lenderLoanId: Type.String(),
  channelCode: Type.String(),
  businessMonth: Type.String({ description: 'earlier than the statement’s month for a late line' }),
  events: Type.Integer(),
  ...StatementAmounts,
});

export const StatementDetailSchema = Type.Object({
  statement: StatementSchema,
  byChannel: Type.Array(
    Type.Object({
      channelCode: Type.String(),
      lineCount: Type.Integer(),
      totalFen: SignedFen,
      referralFen: SignedFen,
      serviceFen: SignedFen,
    }),
  ),
  history: Type.Array(
    Type.Object({
      fromStatus: Nullable(Type.String()),
      toStatus: Type.String(),
      note: Nullable(Type.String()),
      actorType: Type.String(),
      actorId: Nullable(Type.String()),
      at: Type.String({ format: 'date-time' }),
    }),
  ),
});

export const GenerateStatementBody = Type.Object(
  {
    lenderCode: LenderCode,
    month: Month,
    channelCode: Type.Optional(ChannelCode),
  },
  { additionalProperties: false },
);

export const StatementListQuery = Type.Object(
  {
    lenderCode: Type.Optional(LenderCode),
    month: Type.Optional(Month),
    status: Type.Optional(StringEnum(STATEMENT_STATUSES)),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

export const StatementParams = Type.Object({ statementId: Type.String({ format: 'uuid' }) });

export const StatementLinesQuery = Type.Object(
  {
    afterLineNo: Type.Optional(Int4({ minimum: 0 })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  },
  { additionalProperties: false },
);

export const StatementTransitionBody = Type.Object(
  {
    to: StringEnum(STATEMENT_STATUSES),
    note: Type.Optional(Type.String({ maxLength: 1000, description: 'required to dispute' })),
  },
  { additionalProperties: false },
);

export const DownloadQuery = Type.Object(
  { format: StringEnum(['csv', 'xlsx'] as const, { description: 'default csv' }) },
  {
    additionalProperties: false,
  },
);

export const ReconciliationImportBody = Type.Object(
  {
    lenderCode: LenderCode,
    date: Type.String({ format: 'date', description: 'the day the file covers (China time)' }),
    fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    content: Type.String({
      maxLength: 900_000,
      description: 'the CSV text of the lender’s daily reconciliation file',
    }),
  },
  { additionalProperties: false },
);

export const ReconciliationRunSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  lenderCode: Type.String(),
  fileDate: Type.String({ format: 'date' }),
  fileName: Nullable(Type.String()),
  fileSha256: Type.String(),
  fileRows: Type.Integer(),
  lendgateRecords: Type.Integer(),
  matched: Type.Integer(),
  differences: Type.Integer(),
  unresolved: Type.Integer(),
  importedBy: Nullable(Type.String()),
  importedAt: Type.String({ format: 'date-time' }),
});

export const DifferenceSchema = Type.Object({
  id: Type.Integer(),
  kind: StringEnum(DIFFERENCE_KINDS),
  recordType: Type.String(),
  businessId: Type.String(),
  loanId: Type.String(),
  fields: Type.Array(Type.String()),
  file: Nullable(Type.Record(Type.String(), Type.Unknown())),
  lendgate: Nullable(Type.Record(Type.String(), Type.Unknown())),
  message: Type.String(),
  resolutionNote: Nullable(Type.String()),
  resolvedBy: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const ReconciliationListQuery = Type.Object(
  {
    lenderCode: Type.Optional(LenderCode),
    date: Type.Optional(Type.String({ format: 'date' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

export const RunParams = Type.Object({ runId: Type.String({ format: 'uuid' }) });
export const DifferenceParams = Type.Object({
  runId: Type.String({ format: 'uuid' }),
  differenceId: SafeInteger({ minimum: 1 }),
});
export const ResolveBody = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);
export const DifferencesQuery = Type.Object(
  { unresolvedOnly: Type.Boolean({ default: false }) },
  { additionalProperties: false },
);

/** A file download in OpenAPI: CSV text or XLSX bytes. */
export const FileResponse = Type.Unsafe<unknown>({
  description:
    'text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, as an attachment',
  type: 'string',
  format: 'binary',
});
