import type { ColumnType, Generated } from 'kysely';

/** A channel (渠道): a host app that sends traffic and signs its users in. */
export interface ChannelRow {
  code: string;
  name: string;
  /** The entry points inside the host app (e.g. 权益页), as `[{ code, name }]`. */
  placements: ColumnType<ChannelPlacementJson[], string, string>;
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ChannelPlacementJson {
  code: string;
  name: string;
}

/** A public key a channel signs its sign-in tokens with; several may be valid during a rotation. */
export interface ChannelKeyRow {
  id: string;
  channel_code: string;
  kid: string;
  alg: 'ES256' | 'RS256' | 'EdDSA';
  /** The public key as a JWK (kty, crv, x, y / n, e): never a private member. */
  public_jwk: ColumnType<Record<string, string>, string, string>;
  /** RFC 7638 thumbprint, so that one key cannot be registered twice under two kids. */
  thumbprint: string;
  not_before: Date;
  not_after: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  created_at: Date;
}

/** The private half of a demo channel's key, sealed by the master key; only dev minting reads it. */
export interface ChannelDemoKeyRow {
  channel_code: string;
  kid: string;
  private_key_sealed: string;
  created_at: Generated<Date>;
}

/** Replay store: each token id a channel used, kept until the token could no longer be accepted. */
export interface ChannelTokenUseRow {
  channel_code: string;
  jti: string;
  expires_at: Date;
}

/** (channel, channel user id) → the one borrower it maps to. */
export interface ChannelUserRow {
  channel_code: string;
  channel_user_id: string;
  borrower_id: string;
  created_at: Date;
}

export interface ChannelTables {
  channels: ChannelRow;
  channel_keys: ChannelKeyRow;
  channel_demo_keys: ChannelDemoKeyRow;
  channel_token_uses: ChannelTokenUseRow;
  channel_users: ChannelUserRow;
}
