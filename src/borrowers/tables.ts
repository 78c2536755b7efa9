import type { ColumnType, Generated } from 'kysely';

/** A borrower: one person as Lendgate knows them. Personal data lives in the vault tables. */
export interface BorrowerRow {
  id: string;
  status: 'active' | 'deleted';
  created_at: Generated<Date>;
}

/** A borrower's session, opened by a channel sign-in; only the token's SHA-256 is stored. */
export interface BorrowerSessionRow {
  token_hash: string;
  borrower_id: string;
  channel_code: string;
  created_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
}

/** A borrower's data key, sealed by the master key. Deleting the row is crypto-shredding. */
export interface BorrowerDataKeyRow {
  borrower_id: string;
  wrapped_key: string;
  created_at: Date;
}

/** The vault: one sealed ciphertext per field, plus HMAC blind indexes. No plain value. */
export interface BorrowerProfileRow {
  borrower_id: string;
  name_sealed: string | null;
  id_number_sealed: string | null;
  phone_sealed: string | null;
  bank_card_sealed: string | null;
  contacts_sealed: string | null;
  phone_index: string | null;
  id_number_index: string | null;
  created_at: Date;
  updated_at: Date;
}

export type AgreementKind = 'platform_service' | 'pi_authorization' | 'lender_loan_agreement';

/** One published version of an agreement text; never changed once written. */
export interface AgreementRow {
  id: string;
  kind: AgreementKind;
  lender_id: string | null;
  version: number;
  title: string;
  content: string;
  content_sha256: string;
  categories: string[];
  effective_from: Date;
  created_at: Date;
}

/** One agreement version a consent accepted, as stored in `borrower_consents.agreements`. */
export interface AcceptedAgreementJson {
  readonly agreementId: string;
  readonly kind: AgreementKind;
  readonly version: number;
  readonly textSha256: string;
}

export interface DeviceJson {
  readonly platform: string;
  readonly model?: string;
  readonly osVersion?: string;
  readonly appVersion?: string;
  readonly userAgent?: string;
}

export type ConsentEndReason = 'withdrawn' | 'superseded' | 'profile_deleted';

/** A borrower's separate consent to one lender; it can end once and otherwise never changes. */
export interface BorrowerConsentRow {
  id: string;
  borrower_id: string;
  lender_id: string;
  partner_id: string;
  categories: string[];
  authorization_agreement_id: string;
  agreements: ColumnType<AcceptedAgreementJson[], string, string>;
  channel_code: string;
  device: ColumnType<DeviceJson, string, string>;
  given_at: Date;
  ended_at: Date | null;
  end_reason: ConsentEndReason | null;
  ended_channel_code: string | null;
}

/** One entry of a borrower's data release chain (append-only; no personal data). */
export interface BorrowerDataReleaseRow {
  borrower_id: string;
  seq: number;
  id: string;
  lender_id: string;
  partner_id: string;
  categories: string[];
  consent_id: string;
  request_id: string;
  released_at: Date;
  prev_hash: string;
  hash: string;
}

export interface BorrowerReleaseHeadRow {
  borrower_id: string;
  seq: number;
  hash: string;
}

export interface BorrowerTables {
  borrowers: BorrowerRow;
  borrower_sessions: BorrowerSessionRow;
  borrower_data_keys: BorrowerDataKeyRow;
  borrower_profiles: BorrowerProfileRow;
  agreements: AgreementRow;
  borrower_consents: BorrowerConsentRow;
  borrower_data_releases: BorrowerDataReleaseRow;
  borrower_release_heads: BorrowerReleaseHeadRow;
}
