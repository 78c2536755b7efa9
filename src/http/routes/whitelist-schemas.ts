/** JSON schemas of the whitelist APIs (TypeBox → validation and OpenAPI). */
import { Type } from 'typebox';
import type { OperatorRole } from '../../operators/roles.ts';
import { WHITELIST_KEY_TYPES } from '../../whitelist/csv.ts';
import { StringEnum } from '../schemas.ts';

export const WHITELIST_ROLES: readonly OperatorRole[] = ['admin', 'operator'];

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

export const ChannelParams = Type.Object({ channel: Type.String({ pattern: '^[a-z][a-z0-9_]{1,31}$' }) });
export const VersionParams = Type.Object({
  channel: Type.String({ pattern: '^[a-z][a-z0-9_]{1,31}$' }),
  version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});
export const SegmentParams = Type.Object({
  channel: Type.String({ pattern: '^[a-z][a-z0-9_]{1,31}$' }),
  segment: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }),
});

export const VersionSchema = Type.Object({
  channelCode: Type.String(),
  version: Type.Integer(),
  keyType: StringEnum(WHITELIST_KEY_TYPES),
  state: StringEnum(['importing', 'ready', 'failed', 'dropped'] as const),
  active: Type.Boolean({ description: 'Whether lookups read this version now' }),
  source: StringEnum(['api', 'cli', 'seed'] as const),
  createdBy: Nullable(Type.String()),
  rowsRead: Count,
  rowsAccepted: Count,
  rowsRejected: Count,
  rowsDuplicate: Count,
  errors: Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() }), {
    description: 'The first 100 rejected lines',
  }),
  segments: Type.Array(Type.Object({ segment: Type.String(), entries: Count })),
  failure: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  activatedAt: Nullable(Type.String({ format: 'date-time' })),
  droppedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const ImportResultSchema = Type.Object({
  version: VersionSchema,
  activated: Type.Boolean(),
  activationSkipped: Type.Optional(Type.String()),
});

export const ImportQuery = Type.Object(
  {
    activate: Type.Boolean({
      default: false,
      description: 'Activate when the import ends with no rejected line and at least one entry',
    }),
  },
  { additionalProperties: false },
);

export const KillSwitchSchema = Type.Object({
  engaged: Type.Boolean(),
  reason: Nullable(Type.String()),
  updatedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const KillSwitchBody = Type.Object(
  { engaged: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const RolloutSchema = Type.Object({
  segment: Type.String(),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
});
export const RolloutBody = Type.Object(
  { percent: Type.Integer({ minimum: 0, maximum: 100 }) },
  { additionalProperties: false },
);

export const PhoneSaltBody = Type.Object(
  { salt: Type.String({ minLength: 8, maxLength: 128 }) },
  { additionalProperties: false },
);

export const OverviewSchema = Type.Object({
  channelCode: Type.String(),
  activeVersion: Nullable(Type.Integer()),
  killSwitch: KillSwitchSchema,
  globalKillSwitch: KillSwitchSchema,
  rollouts: Type.Array(RolloutSchema, { description: 'Segments without a rollout are open at 100%' }),
  phoneSalt: Type.String({
    description: 'Salt of phone-keyed lists: key = SHA-256 hex of salt + 11-digit phone',
  }),
});

export const EntrySchema = Type.Object({
  visible: Type.Boolean(),
  reason: Type.Optional(
    StringEnum(['not_whitelisted', 'rollout', 'kill_switch', 'channel_disabled'] as const),
  ),
  segment: Type.Optional(Type.String()),
  preApprovedLimitFen: Type.Optional(Type.Integer({ minimum: 1 })),
});
