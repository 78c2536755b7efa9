import type { Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/audit-log.ts';
import { type Executor, inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { Channel, ChannelChanges, ChannelStatus, NewChannel } from './model.ts';
import type { ChannelRow, ChannelTables } from './tables.ts';
import { checkChannelChanges, checkNewChannel, checkReason } from './validation.ts';

export function toChannel(row: Selectable<ChannelRow>): Channel {
  return {
    code: row.code,
    name: row.name,
    placements: row.placements.map((p) => ({ code: p.code, name: p.name })),
    status: row.status,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * The channel registry: create, read, update, disable and enable channels. A disabled channel
 * keeps its users and keys but signs nobody in and shows no entry.
 */
export class ChannelService {
  readonly #db: Executor<ChannelTables>;
  readonly #clock: Clock;

  constructor(db: Executor<ChannelTables>, options: { readonly clock: Clock }) {
    this.#db = db;
    this.#clock = options.clock;
  }

  async create(input: NewChannel, actor: Actor, requestId?: string): Promise<Channel> {
    const checked = checkNewChannel(input);
    return inTransaction(this.#db, async (trx) => {
      const now = this.#clock();
      const row = await trx
        .insertInto('channels')
        .values({
          code: checked.code,
          name: checked.name,
          placements: JSON.stringify(checked.placements),
          status: 'active',
          disabled_reason: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('code').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row)
        throw new AppError('CONFLICT', `A channel with code ${checked.code} exists.`, { field: 'code' });
      await recordAudit(trx, {
        actor,
        action: 'channel.create',
        target: { type: 'channel', id: row.code },
        requestId,
        details: { name: row.name, placements: checked.placements.map((p) => p.code) },
      });
      return toChannel(row);
    });
  }

  /** Every channel, by code (there are tens, not thousands). */
  async list(): Promise<Channel[]> {
    const rows = await this.#db.selectFrom('channels').selectAll().orderBy('code').execute();
    return rows.map(toChannel);
  }

  async get(code: string): Promise<Channel> {
    const row = await this.#db.selectFrom('channels').selectAll().where('code', '=', code).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `No channel has code ${code}.`);
    return toChannel(row);
  }

  /** The channel's status, or null when no channel has this code. */
  async statusOf(code: string): Promise<ChannelStatus | null> {
    const row = await this.#db
      .selectFrom('channels')
      .select('status')
      .where('code', '=', code)
      .executeTakeFirst();
    return row?.status ?? null;
  }

  async update(code: string, changes: ChannelChanges, actor: Actor, requestId?: string): Promise<Channel> {
    const checked = checkChannelChanges(changes);
    return this.#change(code, actor, requestId, 'channel.update', {
      ...(checked.name !== undefined ? { name: checked.name } : {}),
      ...(checked.placements !== undefined ? { placements: JSON.stringify(checked.placements) } : {}),
    });
  }

  /** Stops sign-ins and hides the entry at once; sessions already open expire on their own. */
  async disable(code: string, reason: string, actor: Actor, requestId?: string): Promise<Channel> {
    const why = checkReason('reason', reason);
    return this.#change(code, actor, requestId, 'channel.disable', {
      status: 'disabled',
      disabled_reason: why,
    });
  }

  async enable(code: string, actor: Actor, requestId?: string): Promise<Channel> {
    return this.#change(code, actor, requestId, 'channel.enable', {
      status: 'active',
      disabled_reason: null,
    });
  }

  async #change(
    code: string,
    actor: Actor,
    requestId: string | undefined,
    action: string,
    set: { name?: string; placements?: string; status?: ChannelStatus; disabled_reason?: string | null },
  ): Promise<Channel> {
    return inTransaction(this.#db, async (trx) => {
      const row = await trx
        .updateTable('channels')
        .set({ ...set, updated_at: this.#clock() })
        .where('code', '=', code)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', `No channel has code ${code}.`);
      const { placements, ...facts } = set;
      await recordAudit(trx, {
        actor,
        action,
        target: { type: 'channel', id: code },
        requestId,
        details: {
          ...facts,
          ...(placements !== undefined ? { placements: row.placements.map((p) => p.code) } : {}),
        },
      });
      return toChannel(row);
    });
  }
}
