import type { Selectable } from 'kysely';
import { recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction, ownTables, type SharedExecutor } from '../db/transaction.ts';
import {
  type AgeBand,
  type ApplicantPii,
  type EncryptedPii,
  encryptPii,
  type PublicEncryptionKey,
} from '../protocol/envelope/index.ts';
import { chinaDate } from '../shared/china-date.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import { CATEGORY_FIELD, isPiiCategory, normalizeCategories } from './categories.ts';
import type { ConsentEvidence, ConsentService } from './consents.ts';
import { ageBand, ageOn, parseIdNumber } from './id-number.ts';
import { type MaskedProfile, maskProfile } from './masking.ts';
import {
  type CheckedChanges,
  type Contact,
  checkPhone,
  checkProfileChanges,
  EMPTY_PROFILE,
  type PlainProfile,
  type ProfileChanges,
} from './profile-rules.ts';
import type { ReleaseLog } from './releases.ts';
import type { BorrowerProfileRow, BorrowerTables } from './tables.ts';
import {
  blindIndex,
  blindIndexKey,
  decryptField,
  encryptField,
  newDataKey,
  preCheckHmac,
  unwrapDataKey,
  type VaultField,
  wrapDataKey,
} from './vault-crypto.ts';

/**
 * Whether a borrower has a loan that still needs their data (an application in flight, a loan
 * not settled). The applications module provides it; until then nothing does, so the default
 * answers no.
 */
export type HasActiveLoans = (borrowerId: string, executor: Executor<BorrowerTables>) => Promise<boolean>;

export const NO_ACTIVE_LOANS: HasActiveLoans = async () => false;

export interface BorrowerVaultOptions {
  readonly clock: Clock;
  readonly masterKey: Buffer;
  readonly consents: ConsentService;
  readonly releases: ReleaseLog;
  readonly hasActiveLoans?: HasActiveLoans;
}

export interface ProfileView extends MaskedProfile {
  readonly updatedAt: string | null;
}

/** What a pre-check (撞库) may carry: keyed hashes and coarse bands, nothing readable. */
export interface PreCheckIdentity {
  /** Lower-case hex HMAC-SHA256 of the phone under the key `hashKeyId`. */
  readonly phoneHmac: string;
  /** Lower-case hex HMAC-SHA256 of the id number (upper-case X) under the key `hashKeyId`. */
  readonly idNumberHmac: string;
  readonly hashKeyId: string;
  readonly ageBand: AgeBand;
  /** Province-level division code, e.g. `310000`. */
  readonly region: string;
}

/** A partner's pre-check key as the vault needs it: its id and the 32 secret bytes. */
export interface PreCheckHashKey {
  readonly keyId: string;
  readonly secret: Buffer;
}

export interface LenderRelease {
  /** The requested categories, encrypted for the lender (ApplyRequest.pii). */
  readonly pii: EncryptedPii;
  /** The consent it was released under, in the protocol's evidence form (ApplyRequest.consent). */
  readonly consent: ConsentEvidence & { readonly consentId: string };
  /** The release log entry written in the same transaction. */
  readonly release: { readonly id: string; readonly seq: number; readonly hash: string };
}

export interface ReleaseTarget {
  readonly lenderId: string;
  /** The lender's partner id (envelope); bound into the encrypted block's additional data. */
  readonly partnerId: string;
  /** The request id of the message that will carry the block. */
  readonly requestId: string;
  /** When given, the release is refused unless this is still the active consent. */
  readonly consentId?: string;
}

const COLUMN: Readonly<Record<VaultField, keyof BorrowerProfileRow>> = {
  name: 'name_sealed',
  idNumber: 'id_number_sealed',
  phone: 'phone_sealed',
  bankCard: 'bank_card_sealed',
  contacts: 'contacts_sealed',
};

/**
 * The borrower data vault: field-level encrypted personal data under a per-borrower data key,
 * shown only masked, released only to a consented lender (and logged in the same transaction),
 * and deleted by destroying the data key.
 */
export class BorrowerVault {
  readonly #db: Executor<BorrowerTables>;
  readonly #clock: Clock;
  readonly #masterKey: Buffer;
  readonly #indexKey: Buffer;
  readonly #consents: ConsentService;
  readonly #releases: ReleaseLog;
  readonly #hasActiveLoans: HasActiveLoans;

  constructor(db: Executor<BorrowerTables>, options: BorrowerVaultOptions) {
    if (options.masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.#db = db;
    this.#clock = options.clock;
    this.#masterKey = options.masterKey;
    this.#indexKey = blindIndexKey(options.masterKey);
    this.#consents = options.consents;
    this.#releases = options.releases;
    this.#hasActiveLoans = options.hasActiveLoans ?? NO_ACTIVE_LOANS;
  }

  async #dataKey(executor: Executor<BorrowerTables>, borrowerId: string): Promise<Buffer | undefined> {
    const row = await executor
      .selectFrom('borrower_data_keys')
      .select('wrapped_key')
      .where('borrower_id', '=', borrowerId)
      .executeTakeFirst();
    return row ? unwrapDataKey(this.#masterKey, borrowerId, row.wrapped_key) : undefined;
  }

  /** Decrypts a stored row; `fields` limits which columns are opened. */
  #open(
    row: Selectable<BorrowerProfileRow>,
    dataKey: Buffer,
    fields: readonly VaultField[] = ['name', 'idNumber', 'phone', 'bankCard', 'contacts'],
  ): PlainProfile {
    const open = (field: VaultField): string | null => {
      const sealed = row[COLUMN[field]] as string | null;
      return sealed === null || !fields.includes(field)
        ? null
        : decryptField(dataKey, row.borrower_id, field, sealed);
    };
    const contacts = open('contacts');
    return {
      name: open('name'),
      idNumber: open('idNumber'),
      phone: open('phone'),
      bankCard: open('bankCard'),
      contacts: contacts === null ? null : (JSON.parse(contacts) as Contact[]),
    };
  }

  async #plain(executor: Executor<BorrowerTables>, borrowerId: string, fields?: readonly VaultField[]) {
    const row = await executor
      .selectFrom('borrower_profiles')
      .selectAll()
      .where('borrower_id', '=', borrowerId)
      .executeTakeFirst();
    if (!row) return { profile: EMPTY_PROFILE, updatedAt: null };
    const dataKey = await this.#dataKey(executor, borrowerId);
    if (!dataKey) throw new Error('a profile row exists without its data key');
    try {
      return { profile: this.#open(row, dataKey, fields), updatedAt: row.updated_at.toISOString() };
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * The borrower's phone for a lookup in a whitelist keyed by salted phone hash (the whitelist
   * hashes it with its list's salt in this process and sends the database only the hash). The
   * value stays in this process: it is never answered, logged, stored or sent in plain text.
   */
  async phoneForLookup(borrowerId: string): Promise<string | undefined> {
    const { profile } = await this.#plain(this.#db, borrowerId, ['phone']);
    return profile.phone ?? undefined;
  }

  /** The borrower's own profile, masked. An empty profile is all nulls. */
  async view(borrowerId: string): Promise<ProfileView> {
    const { profile, updatedAt } = await this.#plain(this.#db, borrowerId);
    return { ...maskProfile(profile), updatedAt };
  }

  /**
   * Applies a partial update after checking every field; nothing is stored when any field fails
   * (VALIDATION_FAILED naming each, prefixed with `fieldPrefix`, e.g. `body.`). Only changed
   * fields are re-encrypted, each with a fresh IV. Returns the masked result.
   */
  async update(
    principal: BorrowerPrincipal,
    input: ProfileChanges,
    options: { readonly fieldPrefix?: string; readonly requestId?: string } = {},
  ): Promise<ProfileView> {
    const now = this.#clock();
    const { changes, problems } = checkProfileChanges(input, chinaDate(now), options.fieldPrefix ?? '');
    if (problems.length > 0) {
      throw new AppError('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
        fields: problems,
      });
    }
    const { borrowerId } = principal;
    await inTransaction(this.#db, async (trx) => {
      await this.#lockBorrower(trx, borrowerId, 'update');
      let dataKey = await this.#dataKey(trx, borrowerId);
      if (!dataKey) {
        dataKey = newDataKey();
        await trx
          .insertInto('borrower_data_keys')
          .values({
            borrower_id: borrowerId,
            wrapped_key: wrapDataKey(this.#masterKey, borrowerId, dataKey),
            created_at: now,
          })
          .execute();
      }
      try {
        const columns = this.#sealChanges(dataKey, borrowerId, changes);
        await trx
          .insertInto('borrower_profiles')
          .values({ borrower_id: borrowerId, ...columns, created_at: now, updated_at: now })
          .onConflict((oc) => oc.column('borrower_id').doUpdateSet({ ...columns, updated_at: now }))
          .execute();
      } finally {
        dataKey.fill(0);
      }
      await recordAudit(trx, {
        actor: { type: 'borrower', id: borrowerId },
        action: 'borrower.profile.update',
        target: { type: 'borrower', id: borrowerId },
        requestId: options.requestId,
        // Field names only: the audit log is read by many staff.
        details: { fields: Object.keys(changes), channel: principal.channelCode },
      });
    });
    return this.view(borrowerId);
  }

  #sealChanges(dataKey: Buffer, borrowerId: string, changes: CheckedChanges): Partial<BorrowerProfileRow> {
    const columns: Partial<Record<keyof BorrowerProfileRow, string | null>> = {};
    const put = (field: VaultField, value: string | null | undefined) => {
      if (value === undefined) return;
      columns[COLUMN[field]] = value === null ? null : encryptField(dataKey, borrowerId, field, value);
    };
    put('name', changes.name);
    put('idNumber', changes.idNumber);
    put('phone', changes.phone);
    put('bankCard', changes.bankCard);
    put(
      'contacts',
      changes.contacts === undefined ? undefined : changes.contacts && JSON.stringify(changes.contacts),
    );
    if (changes.phone !== undefined) {
      columns.phone_index =
        changes.phone === null ? null : blindIndex(this.#indexKey, 'phone', changes.phone);
    }
    if (changes.idNumber !== undefined) {
      columns.id_number_index =
        changes.idNumber === null ? null : blindIndex(this.#indexKey, 'idNumber', changes.idNumber);
    }
    return columns as Partial<BorrowerProfileRow>;
  }

  /**
   * Crypto-shredding: destroys the borrower's data key (and the ciphertexts and blind indexes
   * with it), so any copy of the ciphertexts left anywhere is unreadable. Refused while a loan
   * needs the data. Active consents end; release log entries stay (they hold no personal data).
   */
  async delete(
    principal: BorrowerPrincipal,
    requestId?: string,
  ): Promise<{ readonly consentsEnded: number }> {
    const { borrowerId } = principal;
    return inTransaction(this.#db, async (trx) => {
      await this.#lockBorrower(trx, borrowerId, 'update');
      if (await this.#hasActiveLoans(borrowerId, trx)) {
        throw new AppError(
          'CONFLICT',
          'Your data is still needed by an active loan; it can be deleted once that is settled.',
        );
      }
      await trx.deleteFrom('borrower_profiles').where('borrower_id', '=', borrowerId).execute();
      const destroyed = await trx
        .deleteFrom('borrower_data_keys')
        .where('borrower_id', '=', borrowerId)
        .executeTakeFirst();
      const consentsEnded = await this.#consents.endAll(trx, borrowerId, 'profile_deleted');
      await recordAudit(trx, {
        actor: { type: 'borrower', id: borrowerId },
        action: 'borrower.profile.delete',
        target: { type: 'borrower', id: borrowerId },
        requestId,
        details: {
          dataKeyDestroyed: Number(destroyed.numDeletedRows) > 0,
          consentsEnded,
          channel: principal.channelCode,
        },
      });
      return { consentsEnded };
    });
  }

  /**
   * The pre-check identity of a borrower under each of the given partner keys, by key id: the
   * profile is read and decrypted once (an offers page asks every partner), the hashes are
   * computed here, and plain values never leave this function. `null` when no pre-check can be
   * made for the borrower: the profile lacks a phone or a readable id number, or the id number
   * says under 18 (no age band, no offers).
   */
  async preCheckIdentities(
    borrowerId: string,
    keys: readonly PreCheckHashKey[],
  ): Promise<Map<string, PreCheckIdentity> | null> {
    const { profile } = await this.#plain(this.#db, borrowerId, ['idNumber', 'phone']);
    if (profile.phone === null || profile.idNumber === null) return null;
    const today = chinaDate(this.#clock());
    const parsed = parseIdNumber(profile.idNumber, today);
    if (!parsed.ok) return null;
    const band = ageBand(ageOn(parsed.value.birthDate, today));
    if (band === null) return null;
    // The protocol's form of the id number: 18 characters, upper-case X.
    const idNumber = profile.idNumber.toUpperCase();
    const identities = new Map<string, PreCheckIdentity>();
    for (const key of keys) {
      identities.set(key.keyId, {
        phoneHmac: preCheckHmac(key.secret, profile.phone),
        idNumberHmac: preCheckHmac(key.secret, idNumber),
        hashKeyId: key.keyId,
        ageBand: band,
        region: parsed.value.regionPrefix,
      });
    }
    return identities;
  }

  /** Borrowers whose profile holds this phone, found by blind index (no decryption). */
  async findByPhone(phone: string): Promise<string[]> {
    const checked = checkPhone(phone);
    if (!checked.ok) return [];
    const rows = await this.#db
      .selectFrom('borrower_profiles')
      .select('borrower_id')
      .where('phone_index', '=', blindIndex(this.#indexKey, 'phone', checked.value))
      .execute();
    return rows.map((row) => row.borrower_id);
  }

  /** Borrowers whose profile holds this id number, found by blind index (no decryption). */
  async findByIdNumber(idNumber: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('borrower_profiles')
      .select('borrower_id')
      .where('id_number_index', '=', blindIndex(this.#indexKey, 'idNumber', idNumber.trim().toUpperCase()))
      .execute();
    return rows.map((row) => row.borrower_id);
  }

  /**
   * The one place plain personal data leaves the vault: decrypts exactly `categories`, encrypts
   * them for the lender's key (bound to the message's partner and request ids), and appends the
   * release to the log — all in one transaction, under the borrower's active consent to that
   * lender, which is locked meanwhile. Refused with CONSENT_REQUIRED without a consent covering
   * every category, PROFILE_INCOMPLETE when the profile lacks one. Pass `executor` to join the
   * transaction of the caller (e.g. the application and its outbox message).
   */
  async buildLenderPii(
    borrowerId: string,
    categories: readonly string[],
    recipientKey: PublicEncryptionKey,
    target: ReleaseTarget,
    executor: SharedExecutor = this.#db,
  ): Promise<LenderRelease> {
    const wanted = normalizeCategories(categories.filter(isPiiCategory));
    if (wanted.length === 0 || wanted.length !== new Set(categories).size) {
      // An unknown category is a defect of the caller (a product lists only known ones).
      throw new AppError('VALIDATION_FAILED', 'categories: must name at least one known category.');
    }
    // Everything below runs in `executor`: on the embedded database a query outside the caller's
    // open transaction would wait for it forever.
    return inTransaction(ownTables<BorrowerTables>(executor), async (trx) => {
      await this.#lockBorrower(trx, borrowerId, 'share');
      const consent = await this.#consents.require(borrowerId, target.lenderId, wanted, trx, { lock: true });
      if (consent.partnerId !== target.partnerId) {
        throw new AppError('CONFLICT', 'The partner id is not the one of this lender.');
      }
      if (target.consentId !== undefined && target.consentId !== consent.id) {
        throw new AppError('CONSENT_REQUIRED', 'The consent this release was prepared under has ended.', {
          lenderId: target.lenderId,
        });
      }
      const fields = wanted.map((category) => CATEGORY_FIELD[category]);
      const { profile } = await this.#plain(trx, borrowerId, fields);
      const missing = wanted.filter((category) => profile[CATEGORY_FIELD[category]] === null);
      if (missing.length > 0) {
        throw new AppError('PROFILE_INCOMPLETE', `The profile lacks: ${missing.join(', ')}.`, { missing });
      }
      const payload: Partial<Record<keyof ApplicantPii, unknown>> = {};
      for (const field of fields) payload[field] = profile[field];
      const pii = encryptPii(payload, recipientKey, {
        partnerId: target.partnerId,
        requestId: target.requestId,
      });
      const entry = await this.#releases.append(trx, {
        borrowerId,
        lenderId: target.lenderId,
        partnerId: target.partnerId,
        categories: wanted,
        consentId: consent.id,
        requestId: target.requestId,
        releasedAt: this.#clock(),
      });
      return {
        pii,
        consent: { ...consent.evidence, consentId: consent.id },
        release: { id: entry.id, seq: entry.seq, hash: entry.hash },
      };
    });
  }

  /**
   * Profile changes, deletion and releases of one borrower are serialised on the borrower row:
   * a release never reads a half-deleted profile, and an update never races a deletion.
   */
  async #lockBorrower(
    trx: Executor<BorrowerTables>,
    borrowerId: string,
    mode: 'update' | 'share',
  ): Promise<void> {
    const select = trx.selectFrom('borrowers').select('id').where('id', '=', borrowerId);
    const row = await (mode === 'update' ? select.forUpdate() : select.forShare()).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No borrower has this id.');
  }
}
