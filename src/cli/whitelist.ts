/** `lendgate whitelist import|activate …`: whitelist imports from a file, from the shell. */
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { ChannelService } from '../channels/channel-service.ts';
import { migrateToLatest } from '../db/migrations.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { createWhitelistServices, type ImportProgress, type WhitelistVersion } from '../whitelist/index.ts';
import { openCliDatabase } from './database.ts';

const USAGE =
  'lendgate whitelist import --channel CODE --file LIST.csv[.gz] [--activate]\n' +
  '       lendgate whitelist activate --channel CODE --version N';

/** The CLI runner prints the usage for a TypeError that has a code (as node:util parseArgs throws). */
function usageError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_LENDGATE_USAGE' });
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function describe(version: WhitelistVersion): string[] {
  const lines = [
    `${version.channelCode} version ${version.version} (${version.keyType}): ${version.state}${version.active ? ', ACTIVE' : ''}`,
    `  rows read ${version.rowsRead}, accepted ${version.rowsAccepted}, rejected ${version.rowsRejected}, duplicate ${version.rowsDuplicate}`,
  ];
  for (const segment of version.segments)
    lines.push(`  segment ${segment.segment}: ${segment.entries} entries`);
  for (const error of version.errors) lines.push(`  line ${error.line}: ${error.message}`);
  if (version.rowsRejected > version.errors.length) {
    lines.push(`  … and ${version.rowsRejected - version.errors.length} more rejected lines`);
  }
  return lines;
}

function progressPrinter(): (progress: ImportProgress) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    process.stderr.write(
      `  … read ${progress.rowsRead}, accepted ${progress.rowsAccepted}, rejected ${progress.rowsRejected}\n`,
    );
  };
}

export const whitelistCommand = {
  summary: 'Import a whitelist CSV into a new version (streamed), or activate a version',
  usage: USAGE,
  async run(args: readonly string[]): Promise<undefined> {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        channel: { type: 'string' },
        file: { type: 'string' },
        version: { type: 'string' },
        activate: { type: 'boolean', default: false },
      },
    });
    const action = positionals[0];
    const channel = values.channel;
    if (positionals.length !== 1 || (action !== 'import' && action !== 'activate')) {
      throw usageError('say import or activate');
    }
    if (!channel) throw usageError('--channel is required');
    if (action === 'import' && !values.file) throw usageError('--file is required');
    if (action === 'activate' && !/^[1-9][0-9]*$/.test(values.version ?? '')) {
      throw usageError('--version must be a version number');
    }

    const handle = await openCliDatabase('whitelist');
    try {
      await migrateToLatest(handle.db);
      const registry = new ChannelService(handle.db, { clock: systemClock });
      const whitelist = createWhitelistServices(handle.db, {
        clock: systemClock,
        channels: { statusOf: (code) => registry.statusOf(code), channelUserIdOf: async () => null },
      });
      if (action === 'activate') {
        const version = await whitelist.service.activate(channel, Number(values.version), SYSTEM_ACTOR);
        for (const line of describe(version)) print(line);
        return undefined;
      }
      const file = values.file!;
      const raw = file === '-' ? process.stdin : createReadStream(file);
      const source = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
      const started = performance.now();
      const result = await whitelist.importer.import(channel, source, {
        actor: SYSTEM_ACTOR,
        source: 'cli',
        activate: values.activate,
        onProgress: progressPrinter(),
      });
      const seconds = (performance.now() - started) / 1000;
      for (const line of describe(result.version)) print(line);
      print(`  ${Math.round(result.version.rowsRead / seconds)} rows/s over ${seconds.toFixed(1)} s`);
      if (result.activationSkipped !== undefined) {
        throw new AppError('CONFLICT', `imported but not activated: ${result.activationSkipped}`);
      }
      if (!result.activated) {
        print(
          `  activate it with: lendgate whitelist activate --channel ${channel} --version ${result.version.version}`,
        );
      }
      return undefined;
    } finally {
      await handle.close();
    }
  },
};
