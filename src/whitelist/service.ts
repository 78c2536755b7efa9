import { sql } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, type FieldProblem } from '../shared/errors.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import { SEGMENT_PATTERN } from './csv.ts';
import type { KillSwitch, Rollout, WhitelistMatch, WhitelistOverview, WhitelistVersion } from './model.ts';
import type { ChannelDirectory } from './ports.ts';
import { decideEntry, type EntryDecision, phoneSha256, rolloutBucket } from './rollout.ts';
import { dropPartition, ensureSettings, toVersion } from './store.ts';
import type { WhitelistTables } from './tables.ts';

function invalid(field: string, message: string): AppError {
  const problem: FieldProblem = { field, message };
  return new AppError('VALIDATION_FAILED', `${field}: ${message}`, { fields: [problem] });
}

function reasonText(reason: string | undefined): string | null {
  if (reason === undefined) return null;
  const trimmed = reason.trim();
  if (trimmed.length > 500) throw invalid('reason', 'must be at most 500 characters');
  return trimmed === '' ? null : trimmed;
}

/** A phone is looked up as its 11 digits; anything else matches nothing. */
const PHONE = /^1[0-9]{10}$/;

/** A phone-keyed list's key of a phone, and the salt it was computed with (for the staleness check). */
interface PhoneKey {
  readonly sha256: string | null;
  readonly salt: string | null;
}

const NO_PHONE: PhoneKey = { sha256: null, salt: null };

/**
 * Whitelist gating (白名单): which version of each channel's list is live, rollouts and kill
 * switches, and the one question the borrower side asks — may this user see the entry?
 */
export class WhitelistService {
  readonly #db: Executor<WhitelistTables>;
  readonly #clock: Clock;
  readonly #channels: ChannelDirectory;
  /** Each channel's phone salt as last read (one short string per channel). */
  readonly #salts = new Map<string, string>();

  constructor(
    db: Executor<WhitelistTables>,
    options: { readonly clock: Clock; readonly channels: ChannelDirectory },
  ) {
    this.#db = db;
    this.#clock = options.clock;
    this.#channels = options.channels;
  }

  /**
   * Whether the signed-in borrower sees the borrowing entry, with their segment and pre-approved
   * limit when they do. Switches, list and rollout are read by one statement (the
   * whitelist_entry_facts function, migration 0131), so an activation or a switch flipped at the
   * same time gives the old answer or the new one, never a mix. The phone of a phone-keyed list
   * is hashed here: only its salted hash reaches the database.
   */
  async entryFor(
    principal: BorrowerPrincipal,
    options: { readonly phone?: string } = {},
  ): Promise<EntryDecision> {
    const status = await this.#channels.statusOf(principal.channelCode);
    const channelUserId = status === 'active' ? await this.#channels.channelUserIdOf(principal) : null;
    const row = await this.#withPhoneKey(principal.channelCode, options.phone, async (phone) => {
      const { rows } = await sql<{
        global_kill: boolean;
        channel_kill: boolean;
        segment: string | null;
        limit_fen: number | null;
        percent: number | null;
        phone_salt_stale: boolean;
      }>`SELECT * FROM whitelist_entry_facts(${principal.channelCode}::text, ${channelUserId}::text, ${phone.sha256}::text, ${phone.salt}::text)`.execute(
        this.#db,
      );
      const facts = rows[0]!;
      return { stale: facts.phone_salt_stale, value: facts };
    });
    return decideEntry({
      channelActive: status === 'active',
      globalKillSwitch: row.global_kill,
      channelKillSwitch: row.channel_kill,
      entry: row.segment === null ? null : { segment: row.segment, limitFen: row.limit_fen },
      rolloutPercent: row.percent ?? 100,
      bucket: channelUserId === null ? 0 : rolloutBucket(principal.channelCode, channelUserId),
    });
  }

  /** The user's entry in the channel's active list (no switch or rollout applied), or null. */
  async lookup(
    channelCode: string,
    key: { readonly channelUserId?: string; readonly phone?: string },
  ): Promise<WhitelistMatch | null> {
    return this.#withPhoneKey(channelCode, key.phone, async (phone) => {
      const { rows } = await sql<{
        segment: string | null;
        limit_fen: number | null;
        phone_salt_stale: boolean;
      }>`
        SELECT e.segment, e.limit_fen, e.phone_salt_stale
        FROM whitelist_entry(${channelCode}::text, ${key.channelUserId ?? null}::text, ${phone.sha256}::text, ${phone.salt}::text) AS e`.execute(
        this.#db,
      );
      const row = rows[0];
      return {
        stale: row?.phone_salt_stale === true,
        value: row && row.segment !== null ? { segment: row.segment, limitFen: row.limit_fen } : null,
      };
    });
  }

  /** Entries of several channel users of one channel, all read from the same version. */
  async lookupMany(
    channelCode: string,
    channelUserIds: readonly string[],
  ): Promise<Map<string, WhitelistMatch>> {
    const { rows } = await sql<{ key: string; segment: string; limit_fen: number | null }>`
      SELECT e.key, e.segment, e.limit_fen
      FROM whitelist_settings s
      JOIN whitelist_versions v ON v.id = s.active_version_id AND v.key_type = 'channel_user_id'
      JOIN whitelist_entries e ON e.version_id = s.active_version_id AND e.key = ANY (${[...channelUserIds]}::text[])
      WHERE s.channel_code = ${channelCode}`.execute(this.#db);
    return new Map(rows.map((row) => [row.key, { segment: row.segment, limitFen: row.limit_fen }]));
  }

  /**
   * Runs a lookup with the phone's key under the channel's salt as this process last read it (the
   * salt rarely changes, so it is kept rather than read on every lookup). When the database says
   * that salt is stale, it is read again and the lookup repeated once.
   */
  async #withPhoneKey<T>(
    channelCode: string,
    phone: string | undefined,
    lookup: (key: PhoneKey) => Promise<{ readonly stale: boolean; readonly value: T }>,
  ): Promise<T> {
    if (phone === undefined || !PHONE.test(phone)) return (await lookup(NO_PHONE)).value;
    let salt = this.#salts.get(channelCode) ?? (await this.#readSalt(channelCode));
    for (let attempt = 0; ; attempt++) {
      const answer = await lookup(salt === undefined ? NO_PHONE : { sha256: phoneSha256(salt, phone), salt });
      if (!answer.stale || attempt === 1) return answer.value;
      salt = await this.#readSalt(channelCode);
    }
  }

  async #readSalt(channelCode: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('whitelist_settings')
      .select('phone_salt')
      .where('channel_code', '=', channelCode)
      .executeTakeFirst();
    if (row === undefined) this.#salts.delete(channelCode);
    else this.#salts.set(channelCode, row.phone_salt);
    return row?.phone_salt;
  }

  async overview(channelCode: string): Promise<WhitelistOverview> {
    await this.#requireChannel(channelCode);
    await ensureSettings(this.#db, channelCode, this.#clock());
    const settings = await this.#db
      .selectFrom('whitelist_settings as s')
      .leftJoin('whitelist_versions as v', 'v.id', 's.active_version_id')
      .select(['s.phone_salt', 's.kill_switch', 's.kill_reason', 's.updated_at', 'v.version'])
      .where('s.channel_code', '=', channelCode)
      .executeTakeFirstOrThrow();
    const rollouts = await this.#db
      .selectFrom('whitelist_rollouts')
      .select(['segment', 'percent'])
      .where('channel_code', '=', channelCode)
      .orderBy('segment')
      .execute();
    return {
      channelCode,
      activeVersion: settings.version,
      killSwitch: {
        engaged: settings.kill_switch,
        reason: settings.kill_reason,
        updatedAt: settings.updated_at.toISOString(),
      },
      globalKillSwitch: await this.globalKillSwitch(),
      rollouts,
      phoneSalt: settings.phone_salt,
    };
  }

  async versions(channelCode: string): Promise<WhitelistVersion[]> {
    await this.#requireChannel(channelCode);
    const active = await this.#activeVersionId(this.#db, channelCode);
    const rows = await this.#db
      .selectFrom('whitelist_versions')
      .selectAll()
      .where('channel_code', '=', channelCode)
      .orderBy('version', 'desc')
      .limit(200)
      .execute();
    return rows.map((row) => toVersion(row, active));
  }

  /** One version with its import progress (poll it while an import runs). */
  async version(channelCode: string, version: number): Promise<WhitelistVersion> {
    const row = await this.#version(this.#db, channelCode, version);
    return toVersion(row, await this.#activeVersionId(this.#db, channelCode));
  }

  /** Makes a ready version the live one: a one-row update, so lookups switch all at once. */
  async activate(
    channelCode: string,
    version: number,
    actor: Actor,
    requestId?: string,
  ): Promise<WhitelistVersion> {
    return inTransaction(this.#db, async (trx) => {
      const settings = await trx
        .selectFrom('whitelist_settings')
        .select('active_version_id')
        .where('channel_code', '=', channelCode)
        .forUpdate()
        .executeTakeFirst();
      const row = await this.#version(trx, channelCode, version);
      if (!settings) throw noSuchVersion(channelCode, version);
      if (row.id === settings.active_version_id) return toVersion(row, row.id);
      if (row.state !== 'ready')
        throw new AppError(
          'CONFLICT',
          `Version ${version} is ${row.state}; only a ready version can be activated.`,
        );
      const now = this.#clock();
      await trx
        .updateTable('whitelist_settings')
        .set({ active_version_id: row.id, updated_at: now })
        .where('channel_code', '=', channelCode)
        .execute();
      const activated = await trx
        .updateTable('whitelist_versions')
        .set({ activated_at: now })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const previous =
        settings.active_version_id === null
          ? null
          : await trx
              .selectFrom('whitelist_versions')
              .select('version')
              .where('id', '=', settings.active_version_id)
              .executeTakeFirst();
      await recordAudit(trx, {
        actor,
        action: 'whitelist.activate',
        target: { type: 'channel', id: channelCode },
        requestId,
        details: { version, previousVersion: previous?.version ?? null, entries: row.rows_accepted },
      });
      return toVersion(activated, row.id);
    });
  }

  /** Drops a version that is not live: its entries go at once (the partition is dropped). */
  async drop(
    channelCode: string,
    version: number,
    actor: Actor,
    requestId?: string,
  ): Promise<WhitelistVersion> {
    return inTransaction(this.#db, async (trx) => {
      const activeId = await this.#activeVersionId(trx, channelCode, true);
      const row = await this.#version(trx, channelCode, version, { forUpdate: true });
      if (row.id === activeId)
        throw new AppError('CONFLICT', `Version ${version} is live; activate another version first.`);
      if (row.state === 'dropped') throw new AppError('CONFLICT', `Version ${version} is already dropped.`);
      const dropped = await trx
        .updateTable('whitelist_versions')
        .set({ state: 'dropped', dropped_at: this.#clock() })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await dropPartition(trx, row.id);
      await recordAudit(trx, {
        actor,
        action: 'whitelist.drop',
        target: { type: 'channel', id: channelCode },
        requestId,
        details: { version, previousState: row.state },
      });
      return toVersion(dropped, activeId);
    });
  }

  /** Shows the entry to `percent` % of the segment's listed users (the same users every time). */
  async setRollout(
    channelCode: string,
    segment: string,
    percent: number,
    actor: Actor,
    requestId?: string,
  ): Promise<Rollout> {
    if (!SEGMENT_PATTERN.test(segment)) throw invalid('segment', 'must be 1–32 letters, digits, _ or -');
    if (!Number.isInteger(percent) || percent < 0 || percent > 100)
      throw invalid('percent', 'must be a whole number from 0 to 100');
    await this.#requireChannel(channelCode);
    return inTransaction(this.#db, async (trx) => {
      const now = this.#clock();
      await trx
        .insertInto('whitelist_rollouts')
        .values({ channel_code: channelCode, segment, percent, updated_at: now })
        .onConflict((oc) => oc.columns(['channel_code', 'segment']).doUpdateSet({ percent, updated_at: now }))
        .execute();
      await recordAudit(trx, {
        actor,
        action: 'whitelist.rollout',
        target: { type: 'channel', id: channelCode },
        requestId,
        details: { segment, percent },
      });
      return { segment, percent };
    });
  }

  /** Hides (or shows again) the entry for every user of one channel, or of all (`null`). */
  async setKillSwitch(
    channelCode: string | null,
    engaged: boolean,
    reason: string | undefined,
    actor: Actor,
    requestId?: string,
  ): Promise<KillSwitch> {
    const why = reasonText(reason);
    if (channelCode !== null) await this.#requireChannel(channelCode);
    return inTransaction(this.#db, async (trx) => {
      const now = this.#clock();
      const set = { kill_switch: engaged, kill_reason: engaged ? why : null, updated_at: now };
      if (channelCode === null) await trx.updateTable('whitelist_global').set(set).execute();
      else {
        await ensureSettings(trx, channelCode, now);
        await trx
          .updateTable('whitelist_settings')
          .set(set)
          .where('channel_code', '=', channelCode)
          .execute();
      }
      await recordAudit(trx, {
        actor,
        action: engaged ? 'whitelist.kill_switch.engage' : 'whitelist.kill_switch.release',
        target:
          channelCode === null ? { type: 'platform', id: 'global' } : { type: 'channel', id: channelCode },
        requestId,
        details: { reason: set.kill_reason },
      });
      return { engaged, reason: set.kill_reason, updatedAt: now.toISOString() };
    });
  }

  async globalKillSwitch(): Promise<KillSwitch> {
    const row = await this.#db.selectFrom('whitelist_global').selectAll().executeTakeFirstOrThrow();
    return {
      engaged: row.kill_switch,
      reason: row.kill_reason,
      updatedAt: row.updated_at?.toISOString() ?? null,
    };
  }

  /** Sets the salt of phone-keyed lists; versions imported with the old salt stop matching. */
  async setPhoneSalt(channelCode: string, salt: string, actor: Actor, requestId?: string): Promise<void> {
    if (!/^[\x21-\x7E]{8,128}$/.test(salt)) throw invalid('salt', 'must be 8–128 printable characters');
    await this.#requireChannel(channelCode);
    await inTransaction(this.#db, async (trx) => {
      await ensureSettings(trx, channelCode, this.#clock());
      await trx
        .updateTable('whitelist_settings')
        .set({ phone_salt: salt, updated_at: this.#clock() })
        .where('channel_code', '=', channelCode)
        .execute();
      // Forgotten, not set: the transaction may still roll back (other processes see staleness).
      this.#salts.delete(channelCode);
      // The salt itself is not logged: with it, a phone hash could be tested against guesses.
      await recordAudit(trx, {
        actor,
        action: 'whitelist.phone_salt',
        target: { type: 'channel', id: channelCode },
        requestId,
      });
    });
  }

  async #requireChannel(channelCode: string): Promise<void> {
    if ((await this.#channels.statusOf(channelCode)) === null)
      throw new AppError('NOT_FOUND', `No channel has code ${channelCode}.`);
  }

  async #activeVersionId(
    db: Executor<WhitelistTables>,
    channelCode: string,
    lock = false,
  ): Promise<number | null> {
    let query = db
      .selectFrom('whitelist_settings')
      .select('active_version_id')
      .where('channel_code', '=', channelCode);
    if (lock) query = query.forUpdate();
    return (await query.executeTakeFirst())?.active_version_id ?? null;
  }

  /** The channel's whitelist version `version`, or NOT_FOUND. */
  async #version(
    db: Executor<WhitelistTables>,
    channelCode: string,
    version: number,
    options: { readonly forUpdate?: boolean } = {},
  ) {
    let query = db
      .selectFrom('whitelist_versions')
      .selectAll()
      .where('channel_code', '=', channelCode)
      .where('version', '=', version);
    if (options.forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw noSuchVersion(channelCode, version);
    return row;
  }
}

function noSuchVersion(channelCode: string, version: number): AppError {
  return new AppError('NOT_FOUND', `Channel ${channelCode} has no whitelist version ${version}.`);
}
