/**
 * The channel module's public shapes and the rules on identifiers, shared by the service, the
 * HTTP schemas and the whitelist (which keys entries by channel user id).
 */

/** Lower case, digits and underscore: safe in URLs, and never clashes with a fixed path segment. */
export const CHANNEL_CODE_PATTERN = /^[a-z][a-z0-9_]{1,31}$/;
export const PLACEMENT_CODE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
/**
 * A channel's own user id (the JWT `sub`): printable, no comma, quote or space, so that it can be
 * written in a CSV whitelist without quoting.
 */
export const CHANNEL_USER_ID_PATTERN = /^[A-Za-z0-9._:@+/=|~-]{1,128}$/;
export const KID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const MAX_PLACEMENTS = 20;

export const CHANNEL_STATUSES = ['active', 'disabled'] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];

export const CHANNEL_KEY_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;
export type ChannelKeyAlgorithm = (typeof CHANNEL_KEY_ALGORITHMS)[number];

export interface Placement {
  readonly code: string;
  readonly name: string;
}

export interface Channel {
  readonly code: string;
  readonly name: string;
  readonly placements: Placement[];
  readonly status: ChannelStatus;
  readonly disabledReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type ChannelKeyState = 'pending' | 'valid' | 'expired' | 'revoked';

export interface ChannelKey {
  readonly kid: string;
  readonly alg: ChannelKeyAlgorithm;
  readonly publicJwk: Readonly<Record<string, string>>;
  readonly thumbprint: string;
  readonly notBefore: string;
  readonly notAfter: string | null;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
  /** The key's state at the time of the answer. */
  readonly state: ChannelKeyState;
  /** True for demo keys whose private half is kept for dev token minting. */
  readonly demoPrivateKey: boolean;
  readonly createdAt: string;
}

export interface NewChannel {
  readonly code: string;
  readonly name: string;
  readonly placements?: readonly Placement[];
}

export interface ChannelChanges {
  readonly name?: string;
  readonly placements?: readonly Placement[];
}

export interface NewChannelKey {
  /** Defaults to the key's RFC 7638 thumbprint. */
  readonly kid?: string;
  readonly alg: ChannelKeyAlgorithm;
  /** Exactly one of a public JWK or a PEM public key (SPKI). */
  readonly jwk?: Readonly<Record<string, unknown>>;
  readonly publicKeyPem?: string;
  /** Defaults to now. */
  readonly notBefore?: Date;
  /** `null` or omitted: valid until revoked or retired by a later rotation. */
  readonly notAfter?: Date | null;
  /** Rotation: the key this one replaces stays valid until `at` (after the new key's notBefore). */
  readonly retire?: { readonly kid: string; readonly at: Date };
}
