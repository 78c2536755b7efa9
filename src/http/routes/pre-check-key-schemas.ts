/**
 * JSON schemas of partners' pre-check keys in the operator API. The secret appears in one schema
 * only, that of the answer which issues a key.
 */
import { Type } from 'typebox';
import { DateTimeString, StringEnum } from '../schemas.ts';
import { LenderSchema } from './lender-schemas.ts';

const PRE_CHECK_KEY_STATES = ['current', 'retiring', 'retired'] as const;

export const PreCheckKeySchema = Type.Object({
  keyId: Type.String({ description: 'The `hashKeyId` of pre-checks hashed under this key' }),
  lenderId: Type.String({ format: 'uuid' }),
  state: StringEnum(PRE_CHECK_KEY_STATES, {
    description: 'current: used for new pre-checks; retiring: still valid until retiresAt; retired: unusable',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  retiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const IssuedPreCheckKeySchema = Type.Object({
  ...PreCheckKeySchema.properties,
  secret: Type.String({
    description:
      'Base64 of the 32-byte HMAC-SHA256 key. In this answer only, never again: hand it to the partner out of band.',
  }),
  replaced: Type.Array(PreCheckKeySchema, {
    description: 'The keys this one replaced, valid until retiresAt',
  }),
});

export const RotatePreCheckKeyBody = Type.Object(
  {
    previousKeyRetiresAt: Type.Optional(
      DateTimeString({
        description:
          'When the replaced keys stop being valid: now (a leaked key) up to 30 days ahead; default 7 days',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A partner as registered: with its first pre-check key, whose secret is shown this once. */
export const CreatedLenderSchema = Type.Object({
  ...LenderSchema.properties,
  preCheckKey: Type.Optional(IssuedPreCheckKeySchema),
});
