/**
 * JSON schemas of the channel APIs (TypeBox → validation and OpenAPI). The schemas catch types
 * and bounds; the channels module checks the rest (key material, codes) and names the field.
 */
import { Type } from 'typebox';
import { TOKEN_REFUSALS } from '../../channels/claims.ts';
import { CHANNEL_KEY_ALGORITHMS, CHANNEL_STATUSES, MAX_PLACEMENTS } from '../../channels/model.ts';
import type { OperatorRole } from '../../operators/roles.ts';
import { DateTimeString, StringEnum } from '../schemas.ts';

export const CHANNEL_ROLES: readonly OperatorRole[] = ['admin', 'operator'];

const CODE = '^[a-z][a-z0-9_]{1,31}$';
const KID = '^[A-Za-z0-9._:-]{1,128}$';
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const ChannelParams = Type.Object({ code: Type.String({ pattern: CODE }) });
export const ChannelKeyParams = Type.Object({
  code: Type.String({ pattern: CODE }),
  kid: Type.String({ pattern: KID }),
});

const PlacementSchema = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 32, description: 'e.g. benefits' }),
    name: Type.String({ minLength: 1, maxLength: 50, description: 'e.g. 权益页' }),
  },
  { additionalProperties: false },
);

export const ChannelSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  placements: Type.Array(PlacementSchema),
  status: StringEnum(CHANNEL_STATUSES),
  disabledReason: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const NewChannelBody = Type.Object(
  {
    code: Type.String({ pattern: CODE, description: 'Lower case letters, digits and _, e.g. shop' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    placements: Type.Optional(Type.Array(PlacementSchema, { maxItems: MAX_PLACEMENTS })),
  },
  { additionalProperties: false },
);

export const ChannelChangesBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    placements: Type.Optional(Type.Array(PlacementSchema, { maxItems: MAX_PLACEMENTS })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ReasonBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

const JwkSchema = Type.Record(Type.String({ maxLength: 20 }), Type.String({ maxLength: 2048 }), {
  description: 'The public JWK (EC P-256, RSA or OKP Ed25519); never a private member such as d',
  maxProperties: 12,
});

export const ChannelKeySchema = Type.Object({
  kid: Type.String(),
  alg: StringEnum(CHANNEL_KEY_ALGORITHMS),
  publicJwk: Type.Record(Type.String(), Type.String()),
  thumbprint: Type.String({ description: 'RFC 7638 SHA-256 thumbprint' }),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Nullable(Type.String({ format: 'date-time' })),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
  revokedReason: Nullable(Type.String()),
  state: StringEnum(['pending', 'valid', 'expired', 'revoked'] as const),
  demoPrivateKey: Type.Boolean({ description: 'A demo key whose private half is kept for dev minting' }),
  createdAt: Type.String({ format: 'date-time' }),
});

export const ChannelDetailSchema = Type.Object({
  ...ChannelSchema.properties,
  keys: Type.Array(ChannelKeySchema),
});

export const NewChannelKeyBody = Type.Object(
  {
    kid: Type.Optional(Type.String({ pattern: KID, description: 'Defaults to the RFC 7638 thumbprint' })),
    alg: StringEnum(CHANNEL_KEY_ALGORITHMS),
    jwk: Type.Optional(JwkSchema),
    publicKeyPem: Type.Optional(Type.String({ maxLength: 4096, description: 'SPKI PEM, instead of jwk' })),
    notBefore: Type.Optional(DateTimeString()),
    notAfter: Type.Optional(Nullable(DateTimeString())),
    retire: Type.Optional(
      Type.Object(
        { kid: Type.String({ pattern: KID }), at: DateTimeString() },
        {
          additionalProperties: false,
          description: 'The key this one replaces stays valid until `at` (overlap)',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const SignInBody = Type.Object(
  {
    token: Type.String({
      minLength: 10,
      maxLength: 8192,
      description: 'The channel-signed JWT (compact JWS)',
    }),
    device: Type.Optional(
      Type.Record(
        Type.String({ maxLength: 40 }),
        Type.Union([
          Type.String({ maxLength: 200 }),
          Type.Number({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
          Type.Boolean(),
        ]),
        {
          maxProperties: 20,
          description:
            'Device facts from the host app (platform, os, app version…). Accepted, not stored yet.',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const SignInResponse = Type.Object({
  token: Type.String({ description: 'Borrower session token: send as Authorization: Bearer …' }),
  expiresAt: Type.String({ format: 'date-time' }),
  borrower: Type.Object({ id: Type.String({ format: 'uuid' }) }),
});

export const TokenRefusalReason = StringEnum(TOKEN_REFUSALS, {
  description: 'details.reason of a CHANNEL_TOKEN_INVALID error',
});

export const MintBody = Type.Object(
  { channelUserId: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const MintResponse = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  kid: Type.String(),
});
