import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { ChannelService } from '../channels/channel-service.ts';
import { ChannelUsers } from '../channels/channel-users.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { AppError } from '../shared/errors.ts';
import {
  channelDirectory,
  createWhitelistServices,
  type ImportProgress,
  phoneSha256,
  type WhitelistServices,
} from './index.ts';

/** A CSV generated on the fly in chunks of bytes, as a file or an upload would arrive. */
async function* csv(header: string, rows: number, line: (i: number) => string): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  let chunk = `${header}\n`;
  for (let i = 0; i < rows; i++) {
    chunk += `${line(i)}\n`;
    if (chunk.length > 60_000) {
      yield encoder.encode(chunk);
      chunk = '';
    }
  }
  yield encoder.encode(chunk);
}

const USER_HEADER = 'channel_user_id,segment,limit_fen';

describe('whitelist imports and versions', () => {
  let handle: DatabaseHandle;
  let wl: WhitelistServices;
  const clock = () => new Date('2026-11-29T10:00:00Z');
  const importList = (channel: string, rows: readonly string[], options: { activate?: boolean } = {}) =>
    wl.importer.import(channel, [`${USER_HEADER}\n${rows.join('\n')}\n`], {
      actor: SYSTEM_ACTOR,
      source: 'cli',
      ...options,
    });

  beforeAll(async () => {
    handle = await createTestDatabase();
    const registry = new ChannelService(handle.db, { clock });
    for (const code of ['shop', 'maps', 'resale']) await registry.create({ code, name: code }, SYSTEM_ACTOR);
    wl = createWhitelistServices(handle.db, {
      clock,
      channels: channelDirectory({ registry, users: new ChannelUsers(handle.db) }),
    });
  });
  afterAll(async () => handle.close());

  it('streams 50,000 rows in batches, keeps the good ones and reports the bad ones by line number', async () => {
    const progress: ImportProgress[] = [];
    const bad = new Set([17, 4_242, 49_999]);
    const result = await wl.importer.import(
      'shop',
      csv(USER_HEADER, 50_000, (i) => {
        if (bad.has(i)) return `user ${i},prime,100`;
        if (i === 30_000) return 'u-1,prime,100'; // listed before: a duplicate, the first line wins
        return `u-${i},${i % 2 === 0 ? 'prime' : 'standard'},${i % 3 === 0 ? '' : 100_000 + i}`;
      }),
      { actor: SYSTEM_ACTOR, source: 'cli', batchSize: 5_000, onProgress: (p) => progress.push(p) },
    );
    const { version } = result;
    expect(version).toMatchObject({
      channelCode: 'shop',
      version: 1,
      keyType: 'channel_user_id',
      state: 'ready',
      active: false,
      rowsRead: 50_000,
      rowsAccepted: 49_996,
      rowsRejected: 3,
      rowsDuplicate: 1,
    });
    // Line 1 is the header: row i is on line i + 2.
    expect(version.errors.map((e) => e.line)).toEqual([19, 4_244, 50_001]);
    expect(version.errors[0]!.message).toMatch(/channel_user_id/);
    expect(version.segments).toEqual([
      { segment: 'prime', entries: 24_998 },
      { segment: 'standard', entries: 24_998 },
    ]);
    expect(progress.length).toBeGreaterThanOrEqual(10);
    expect(progress.at(-1)!.rowsAccepted).toBe(49_996);
    expect(result).toMatchObject({ activated: false });

    // Nothing is live until an operator activates the version.
    expect(await wl.service.lookup('shop', { channelUserId: 'u-2' })).toBeNull();
    await wl.service.activate('shop', 1, SYSTEM_ACTOR);
    expect(await wl.service.lookup('shop', { channelUserId: 'u-2' })).toEqual({
      segment: 'prime',
      limitFen: 100_002,
    });
    expect(await wl.service.lookup('shop', { channelUserId: 'u-3' })).toEqual({
      segment: 'standard',
      limitFen: null,
    });
    expect(await wl.service.lookup('shop', { channelUserId: 'u-1' })).toEqual({
      segment: 'standard',
      limitFen: 100_001,
    });
    expect(await wl.service.lookup('shop', { channelUserId: 'user 17' })).toBeNull();
    expect(await wl.service.lookup('maps', { channelUserId: 'u-2' })).toBeNull();
  });

  it('refuses a file without a valid header before creating anything', async () => {
    const before = await wl.service.versions('maps');
    for (const file of ['user,segment,limit\nu-1,a,1\n', '', '\n\n']) {
      await expect(
        wl.importer.import('maps', [file], { actor: SYSTEM_ACTOR, source: 'cli' }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    }
    expect(await wl.service.versions('maps')).toEqual(before);
    await expect(importList('nobody', ['u-1,a,1'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists at most the first 100 bad lines but counts them all, and then does not auto-activate', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => `bad ${i},a,1`);
    const result = await importList('maps', [...rows, 'good-1,a,1'], { activate: true });
    expect(result.version.rowsRejected).toBe(150);
    expect(result.version.errors).toHaveLength(100);
    expect(result.version.errors[99]!.line).toBe(101);
    expect(result.activated).toBe(false);
    expect(result.activationSkipped).toMatch(/150 lines were rejected/);
    const clean = await importList('maps', ['good-1,a,1', 'good-2,b,'], { activate: true });
    expect(clean).toMatchObject({ activated: true, version: { active: true, state: 'ready' } });
  });

  it('switches versions atomically: a lookup sees the old list or the new one, never a mix', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `sw-${i}`);
    await importList(
      'resale',
      keys.map((k) => `${k},old,100`),
      { activate: true },
    );
    const next = await importList(
      'resale',
      keys.map((k) => `${k},new,200`),
    );
    // Readers and switches interleave (on PostgreSQL truly in parallel); each read is one statement.
    const seen: string[] = [];
    let switching = true;
    const read = async () => {
      while (switching) {
        const found = await wl.service.lookupMany('resale', keys);
        const segments = new Set([...found.values()].map((m) => m.segment));
        expect(found.size).toBe(keys.length);
        expect(segments.size).toBe(1);
        seen.push([...segments][0]!);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const switches = async () => {
      for (let i = 0; i < 11; i++) {
        await wl.service.activate('resale', next.version.version - (i % 2), SYSTEM_ACTOR);
        await new Promise((resolve) => setImmediate(resolve));
      }
      switching = false;
    };
    await Promise.all([read(), read(), switches()]);
    expect(seen.length).toBeGreaterThan(0);
    // The last switch activated the new list: every lookup now sees it.
    const after = await wl.service.lookupMany('resale', keys);
    expect(new Set([...after.values()].map((m) => m.segment))).toEqual(new Set(['new']));
    expect(await wl.service.lookup('resale', { channelUserId: 'sw-7' })).toEqual({
      segment: 'new',
      limitFen: 200,
    });
  });

  it('drops a version that is not live, with its partition; refuses to drop the live one', async () => {
    const versions = await wl.service.versions('resale');
    const live = versions.find((v) => v.active)!;
    const other = versions.find((v) => !v.active && v.state === 'ready')!;
    await expect(wl.service.drop('resale', live.version, SYSTEM_ACTOR)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const dropped = await wl.service.drop('resale', other.version, SYSTEM_ACTOR);
    expect(dropped).toMatchObject({ state: 'dropped', droppedAt: expect.any(String) });
    await expect(wl.service.drop('resale', other.version, SYSTEM_ACTOR)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(wl.service.activate('resale', other.version, SYSTEM_ACTOR)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const { rows } = await sql<{ partitions: number }>`
      SELECT count(*)::int AS partitions FROM pg_inherits WHERE inhparent = 'whitelist_entries'::regclass`.execute(
      handle.db,
    );
    const kept = (
      await handle.db.selectFrom('whitelist_versions').select('id').where('state', '=', 'ready').execute()
    ).length;
    expect(rows[0]!.partitions).toBe(kept);
    expect(await wl.service.lookup('resale', { channelUserId: 'sw-1' })).not.toBeNull();
  });

  it('fails an import whose version is dropped while it runs, leaving no partition behind', async () => {
    async function* slow(): AsyncGenerator<string> {
      yield `${USER_HEADER}\n`;
      for (let i = 0; i < 20; i++) yield `race-${i},a,1\n`;
      const importing = (await wl.service.versions('maps')).find((v) => v.state === 'importing')!;
      await wl.service.drop('maps', importing.version, SYSTEM_ACTOR);
      for (let i = 20; i < 40; i++) yield `race-${i},a,1\n`;
    }
    const failure = await wl.importer
      .import('maps', slow(), { actor: SYSTEM_ACTOR, source: 'cli', batchSize: 10 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe('CONFLICT');
    const versions = await wl.service.versions('maps');
    expect(versions[0]!.state).toBe('dropped');
  });

  it('reads a spreadsheet export (BOM, CRLF, quoted fields, blank lines) with the line numbers of the file', async () => {
    const file = `\uFEFF"channel_user_id","segment","limit_fen"\r\n"q-1", "prime" ,"100"\r\n\r\n"q 2",prime,\r\n"q-3","a,b",1\r\nq-4,standard,""\r\n`;
    const { version } = await wl.importer.import('maps', [file], { actor: SYSTEM_ACTOR, source: 'cli' });
    expect(version).toMatchObject({ state: 'ready', rowsRead: 4, rowsAccepted: 2, rowsRejected: 2 });
    expect(version.errors).toEqual([
      { line: 4, message: expect.stringMatching(/channel_user_id/) },
      { line: 5, message: expect.stringMatching(/segment/) },
    ]);
  });

  it('fails an import whose file is not CSV, naming the line, and refuses such a header before creating anything', async () => {
    for (const [body, line] of [
      ['u-1,a,1\nu-2,"a"b,1\nu-3,a,1\n', 3],
      ['u-1,a,1\n"u-2,a,1\nu-3,a,1\n', 3],
      [`u-1,a,1\n${'x'.repeat(2_000)},a,1\nu-3,a,1\n`, 3],
    ] as const) {
      const failure = await importList('resale', [body]).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(AppError);
      expect(failure).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(`^line ${line}: `),
      });
      const [latest] = await wl.service.versions('resale');
      expect(latest).toMatchObject({ state: 'failed', failure: expect.stringMatching(`^line ${line}: `) });
    }
    const before = await wl.service.versions('resale');
    await expect(
      wl.importer.import('resale', ['"channel_user_id,segment,limit_fen\n'], {
        actor: SYSTEM_ACTOR,
        source: 'cli',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: 'line 1: a quoted field is not closed' });
    expect(await wl.service.versions('resale')).toEqual(before);
  });

  it('refuses a file larger than the byte limit and marks the version failed', async () => {
    await expect(
      wl.importer.import(
        'maps',
        csv(USER_HEADER, 10_000, (i) => `big-${i},a,1`),
        {
          actor: SYSTEM_ACTOR,
          source: 'api',
          maxBytes: 100_000,
        },
      ),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const [latest] = await wl.service.versions('maps');
    expect(latest).toMatchObject({ state: 'failed', failure: expect.stringMatching(/larger than/) });
  });

  it('looks phone-keyed lists up by the salted hash of the phone', async () => {
    const { phoneSalt } = await wl.service.overview('maps');
    const hash = phoneSha256(phoneSalt, '13800138000');
    await wl.importer.import('maps', [`phone_sha256,segment,limit_fen\n${hash.toUpperCase()},vip,800000\n`], {
      actor: SYSTEM_ACTOR,
      source: 'cli',
      activate: true,
    });
    expect(await wl.service.lookup('maps', { phone: '13800138000' })).toEqual({
      segment: 'vip',
      limitFen: 800_000,
    });
    expect(await wl.service.lookup('maps', { phone: '13800138001' })).toBeNull();
    expect(await wl.service.lookup('maps', { channelUserId: hash })).toBeNull();
    await wl.service.setPhoneSalt('maps', 'another-salt', SYSTEM_ACTOR);
    expect(await wl.service.lookup('maps', { phone: '13800138000' })).toBeNull();
  });

  it('sees a salt changed by another process: the database says the salt it was sent is stale', async () => {
    const channels = channelDirectory({
      registry: new ChannelService(handle.db, { clock }),
      users: new ChannelUsers(handle.db),
    });
    // Two processes on one database: each keeps the salt as it last read it.
    const here = createWhitelistServices(handle.db, { clock, channels });
    const elsewhere = createWhitelistServices(handle.db, { clock, channels });
    await here.service.setPhoneSalt('resale', 'first-salt-1', SYSTEM_ACTOR);
    const listed = (salt: string) =>
      here.importer.import(
        'resale',
        [
          `phone_sha256,segment,limit_fen
${phoneSha256(salt, '13700137000')},gold,
`,
        ],
        {
          actor: SYSTEM_ACTOR,
          source: 'cli',
          activate: true,
        },
      );
    await listed('first-salt-1');
    expect(await here.service.lookup('resale', { phone: '13700137000' })).toMatchObject({ segment: 'gold' });
    // The other process changes the salt and imports the list under the new one.
    await elsewhere.service.setPhoneSalt('resale', 'second-salt-2', SYSTEM_ACTOR);
    await listed('second-salt-2');
    expect(await here.service.lookup('resale', { phone: '13700137000' })).toMatchObject({ segment: 'gold' });
    const principal = { borrowerId: '00000000-0000-4000-8000-000000000077', channelCode: 'resale' };
    await elsewhere.service.setPhoneSalt('resale', 'third-salt-3', SYSTEM_ACTOR);
    await listed('third-salt-3');
    expect(await here.service.entryFor(principal, { phone: '13700137000' })).toMatchObject({
      visible: true,
      segment: 'gold',
    });
  });
});
