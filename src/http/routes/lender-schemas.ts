/**
 * JSON schemas of the partner registry's operator API (TypeBox → validation and OpenAPI). The
 * schemas catch types and bounds; the lenders module checks the rest (CIDR blocks, URLs, keys,
 * licenses, the price rule) and names the field either way.
 */
import { Type } from 'typebox';
import { KEY_ALGORITHMS, KEY_USES } from '../../lenders/key-material.ts';
import { DATA_CATEGORIES, LENDER_KINDS, LICENSED_KINDS } from '../../lenders/model.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../lenders/pagination.ts';
import {
  MAX_ALLOW_LIST_ENTRIES,
  MAX_DAILY_QUOTA,
  MAX_FUNDERS,
  TIMEOUT_LIMITS,
} from '../../lenders/partner-rules.ts';
import { MAX_TERMS } from '../../lenders/product-rules.ts';
import { PRODUCT_STATUSES } from '../../lenders/product-status.ts';
import { LENDER_STATUSES } from '../../lenders/status.ts';
import {
  DAY_COUNTS,
  MAX_PRINCIPAL_FEN,
  MAX_TERM_MONTHS,
  MIN_PRINCIPAL_FEN,
  MIN_TERM_MONTHS,
  REPAYMENT_METHODS,
} from '../../money/index.ts';
import type { OperatorRole } from '../../operators/roles.ts';
import { DateTimeString, StringEnum } from '../schemas.ts';

/** Everyone on staff may read the registry; only admins and operators change it. */
export const READ_ROLES: readonly OperatorRole[] = ['admin', 'operator', 'compliance', 'finance'];
export const WRITE_ROLES: readonly OperatorRole[] = ['admin', 'operator'];

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const LenderParams = Type.Object({ lenderId: Type.String({ format: 'uuid' }) });
export const ProductParams = Type.Object({
  lenderId: Type.String({ format: 'uuid' }),
  productId: Type.String({ format: 'uuid' }),
});
export const KeyParams = Type.Object({
  lenderId: Type.String({ format: 'uuid' }),
  kid: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,128}$' }),
});

export const pageProperties = {
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 300, description: 'nextCursor of the previous page' }),
  ),
};
export const PageQuery = Type.Object(pageProperties, { additionalProperties: false });

export const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
  });

const Contact = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    email: Type.String({ minLength: 3, maxLength: 254 }),
    phone: Type.String({ minLength: 6, maxLength: 21 }),
  },
  { additionalProperties: false, description: 'The partner’s operations contact (not borrower data)' },
);

const Certification = Type.Object(
  {
    level: Type.String({ minLength: 1, maxLength: 50, description: 'e.g. 等保三级' }),
    certificateNumber: Type.String({ minLength: 1, maxLength: 100 }),
    expiresOn: Type.String({ format: 'date' }),
  },
  { additionalProperties: false },
);

const timeoutProperties = Object.fromEntries(
  Object.entries(TIMEOUT_LIMITS).map(([name, limit]) => [
    name,
    Type.Optional(
      Type.Integer({ minimum: limit.min, maximum: limit.max, description: `default ${limit.default} ms` }),
    ),
  ]),
);
const TimeoutsBody = Type.Object(timeoutProperties, { additionalProperties: false });

const FunderBody = Type.Object(
  {
    lenderId: Type.Optional(Type.String({ format: 'uuid', description: 'A registered licensed partner' })),
    kind: Type.Optional(StringEnum(LICENSED_KINDS)),
    legalName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    licenseNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  {
    additionalProperties: false,
    description: 'Either lenderId, or kind + legalName + licenseNumber of a funder not registered here',
  },
);

const editableLenderProperties = {
  legalName: Type.String({ minLength: 1, maxLength: 200 }),
  licenseType: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
  licenseNumber: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
  funders: Type.Array(FunderBody, { maxItems: MAX_FUNDERS }),
  securityCertification: Nullable(Certification),
  contractReference: Nullable(Type.String({ minLength: 1, maxLength: 200 })),
  dailyApplicationQuota: Type.Integer({ minimum: 0, maximum: MAX_DAILY_QUOTA }),
  ipAllowList: Type.Array(Type.String({ maxLength: 64 }), {
    maxItems: MAX_ALLOW_LIST_ENTRIES,
    description: 'CIDR blocks (IPv4 or IPv6); empty = no restriction',
  }),
  callbackBaseUrl: Type.String({ minLength: 8, maxLength: 2048 }),
  timeouts: TimeoutsBody,
};

export const NewLenderBody = Type.Object(
  {
    code: Type.String({
      pattern: '^[a-z0-9][a-z0-9._-]{1,63}$',
      description: 'Public partner id, sent as the envelope’s partner id; never changes',
    }),
    kind: StringEnum(LENDER_KINDS),
    legalName: editableLenderProperties.legalName,
    licenseType: Type.Optional(editableLenderProperties.licenseType),
    licenseNumber: Type.Optional(editableLenderProperties.licenseNumber),
    funders: Type.Optional(editableLenderProperties.funders),
    contact: Contact,
    securityCertification: Type.Optional(editableLenderProperties.securityCertification),
    contractReference: Type.Optional(editableLenderProperties.contractReference),
    dailyApplicationQuota: editableLenderProperties.dailyApplicationQuota,
    ipAllowList: Type.Optional(editableLenderProperties.ipAllowList),
    callbackBaseUrl: editableLenderProperties.callbackBaseUrl,
    timeouts: Type.Optional(TimeoutsBody),
  },
  { additionalProperties: false },
);

export const LenderChangesBody = Type.Object(
  {
    legalName: Type.Optional(editableLenderProperties.legalName),
    licenseType: Type.Optional(editableLenderProperties.licenseType),
    licenseNumber: Type.Optional(editableLenderProperties.licenseNumber),
    funders: Type.Optional(editableLenderProperties.funders),
    contact: Type.Optional(Type.Partial(Contact, { additionalProperties: false })),
    securityCertification: Type.Optional(editableLenderProperties.securityCertification),
    contractReference: Type.Optional(editableLenderProperties.contractReference),
    dailyApplicationQuota: Type.Optional(editableLenderProperties.dailyApplicationQuota),
    ipAllowList: Type.Optional(editableLenderProperties.ipAllowList),
    callbackBaseUrl: Type.Optional(editableLenderProperties.callbackBaseUrl),
    timeouts: Type.Optional(TimeoutsBody),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const LenderListQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(LENDER_STATUSES)),
    kind: Type.Optional(StringEnum(LENDER_KINDS)),
    ...pageProperties,
  },
  { additionalProperties: false },
);

export const TransitionBody = Type.Object(
  { to: StringEnum(LENDER_STATUSES), reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

export const LenderSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  kind: StringEnum(LENDER_KINDS),
  legalName: Type.String(),
  licenseType: Nullable(Type.String()),
  licenseNumber: Nullable(Type.String()),
  funders: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      lenderId: Nullable(Type.String({ format: 'uuid' })),
      kind: StringEnum(LICENSED_KINDS),
      legalName: Type.String(),
      licenseNumber: Type.String(),
    }),
  ),
  contact: Type.Object({ name: Type.String(), email: Type.String(), phone: Type.String() }),
  securityCertification: Nullable(
    Type.Object({ level: Type.String(), certificateNumber: Type.String(), expiresOn: Type.String() }),
  ),
  contractReference: Nullable(Type.String()),
  status: StringEnum(LENDER_STATUSES),
  dailyApplicationQuota: Type.Integer(),
  ipAllowList: Type.Array(Type.String()),
  callbackBaseUrl: Type.String(),
  timeouts: Type.Object({
    preCheckMs: Type.Integer(),
    applyMs: Type.Integer(),
    drawdownMs: Type.Integer(),
    repayMs: Type.Integer(),
    statusQueryMs: Type.Integer(),
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const StatusChangeSchema = Type.Object({
  id: Type.Integer(),
  lenderId: Type.String({ format: 'uuid' }),
  from: Nullable(StringEnum(LENDER_STATUSES)),
  to: StringEnum(LENDER_STATUSES),
  reason: Type.String(),
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  at: Type.String({ format: 'date-time' }),
});

export const ConformanceRunSchema = Type.Object({
  id: Type.Integer(),
  lenderId: Type.String({ format: 'uuid' }),
  status: StringEnum(['running', 'passed', 'failed'] as const, {
    description: '`running` (an operator-run in the background) until it ends `passed` or `failed`',
  }),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  passed: Nullable(Type.Boolean()),
  failureReason: Nullable(
    Type.String({ description: 'Why it failed without its checks’ verdict: `interrupted`, `error: …`' }),
  ),
  progress: Nullable(
    Type.Object(
      { done: Type.Integer(), total: Type.Integer() },
      { description: 'Checks done and in all (operator-runs)' },
    ),
  ),
  lenderUrl: Nullable(Type.String({ description: 'The partner base URL the run called' })),
  keySetDigest: Nullable(
    Type.String({ description: 'SHA-256 of the partner key set the run used (lenders/conformance-runs.ts)' }),
  ),
  callbackUrl: Nullable(Type.String({ description: 'Where the kit listened for the partner’s callbacks' })),
  requestedBy: Nullable(Type.String({ description: 'The operator who started the run' })),
  report: Type.Record(Type.String(), Type.Unknown(), {
    description:
      '`checks`: each check’s id, title, status (pass, fail, skip), detail and duration; when done, the whole report',
  }),
  recordedAt: Type.String({ format: 'date-time' }),
});

const Apr = Type.String({
  pattern: '^[01](\\.[0-9]{1,6})?$',
  description: 'All-in annual rate (IRR method) as a decimal fraction, e.g. "0.18" = 18%; within 0.036–0.24',
});

const productTermProperties = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  funderId: Nullable(
    Type.String({
      format: 'uuid',
      description: 'One of the facilitator’s funders; omit for a licensed partner',
    }),
  ),
  aprMin: Apr,
  aprMax: Apr,
  amountMinFen: Type.Integer({ minimum: MIN_PRINCIPAL_FEN, maximum: MAX_PRINCIPAL_FEN }),
  amountMaxFen: Type.Integer({ minimum: MIN_PRINCIPAL_FEN, maximum: MAX_PRINCIPAL_FEN }),
  termsMonths: Type.Array(Type.Integer({ minimum: MIN_TERM_MONTHS, maximum: MAX_TERM_MONTHS }), {
    minItems: 1,
    maxItems: MAX_TERMS,
  }),
  repaymentMethods: Type.Array(StringEnum(REPAYMENT_METHODS), {
    minItems: 1,
    maxItems: REPAYMENT_METHODS.length,
  }),
  dayCount: StringEnum(DAY_COUNTS, { description: 'ACT/360 by default' }),
  dataCategories: Type.Array(StringEnum(DATA_CATEGORIES), {
    minItems: 1,
    maxItems: DATA_CATEGORIES.length,
    description: 'Borrower data the partner receives for this product, after separate consent',
  }),
};

export const NewProductBody = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }),
    ...productTermProperties,
    funderId: Type.Optional(productTermProperties.funderId),
    dayCount: Type.Optional(productTermProperties.dayCount),
  },
  { additionalProperties: false },
);

export const ProductChangesBody = Type.Partial(
  Type.Object(productTermProperties, { additionalProperties: false }),
  {
    additionalProperties: false,
    minProperties: 1,
  },
);

export const ProductListQuery = Type.Object(
  { status: Type.Optional(StringEnum(PRODUCT_STATUSES)), ...pageProperties },
  { additionalProperties: false },
);

export const ProductTransitionBody = Type.Object(
  { to: StringEnum(PRODUCT_STATUSES), reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

export const ProductSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  lenderId: Type.String({ format: 'uuid' }),
  code: Type.String(),
  name: Type.String(),
  funder: Type.Object({
    funderId: Nullable(Type.String({ format: 'uuid' })),
    legalName: Type.String(),
    licenseNumber: Nullable(Type.String()),
  }),
  aprMin: Type.String(),
  aprMax: Type.String(),
  amountMinFen: Type.Integer(),
  amountMaxFen: Type.Integer(),
  termsMonths: Type.Array(Type.Integer()),
  repaymentMethods: Type.Array(StringEnum(REPAYMENT_METHODS)),
  dayCount: StringEnum(DAY_COUNTS),
  dataCategories: Type.Array(StringEnum(DATA_CATEGORIES)),
  status: StringEnum(PRODUCT_STATUSES),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const NewKeyBody = Type.Object(
  {
    kid: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9._:-]{1,128}$', description: 'Defaults to the SPKI thumbprint' }),
    ),
    algorithm: StringEnum(KEY_ALGORITHMS, {
      description: 'Ed25519, RSA-SHA256 or SM2-SM3 (国密) for signing; RSA-OAEP-256 or SM2 for encryption',
    }),
    use: StringEnum(KEY_USES),
    publicKeyPem: Type.String({ minLength: 1, maxLength: 20_000 }),
    notBefore: Type.Optional(DateTimeString({ description: 'Defaults to now' })),
    notAfter: Type.Optional(Nullable(DateTimeString())),
    retire: Type.Optional(
      Type.Object(
        {
          kid: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,128}$' }),
          at: DateTimeString({ description: 'The replaced key expires then' }),
        },
        {
          additionalProperties: false,
          description: 'Rotation: the key this one replaces, and when it expires',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const RevokeKeyBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

export const KeySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  lenderId: Type.String({ format: 'uuid' }),
  kid: Type.String(),
  algorithm: StringEnum(KEY_ALGORITHMS),
  use: StringEnum(KEY_USES),
  publicKeyPem: Type.String(),
  fingerprint: Type.String(),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Nullable(Type.String({ format: 'date-time' })),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
  revokedReason: Nullable(Type.String()),
  state: StringEnum(['pending', 'valid', 'expired', 'revoked'] as const),
  createdAt: Type.String({ format: 'date-time' }),
});
