import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEMORY_DATA_DIR } from '../config.ts';

export const MASTER_KEY_FILE = 'master.key';

export interface MasterKeySource {
  readonly key: Buffer;
  /** Where the key came from, for the start-up banner (never the key itself). */
  readonly origin: 'environment' | 'file' | 'generated' | 'ephemeral';
}

/**
 * The master key wraps every per-borrower data key. Given in LENDGATE_MASTER_KEY in production;
 * otherwise read from (or generated once into) DATA_DIR/master.key with owner-only permissions.
 * With `memory://` nothing persists, so an ephemeral key is fine.
 */
export function resolveMasterKey(configured: string | undefined, dataDir: string): MasterKeySource {
  if (configured !== undefined) return { key: Buffer.from(configured, 'base64'), origin: 'environment' };
  if (dataDir === MEMORY_DATA_DIR) return { key: randomBytes(32), origin: 'ephemeral' };
  const path = join(dataDir, MASTER_KEY_FILE);
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${path} does not hold a base64 32-byte key`);
    return { key, origin: 'file' };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, origin: 'generated' };
}
