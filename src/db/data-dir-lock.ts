/**
 * One process at a time on an embedded database. PGlite runs PostgreSQL inside the process that
 * opened it: a second process opening the same DATA_DIR gets its own copy in memory, and whatever
 * it writes is never seen by the first and is lost when either writes its files back. So the
 * server and every CLI command that opens the embedded database first take this lock: a file in
 * DATA_DIR, created atomically (`wx`: only if it does not exist), holding the owner's pid. A lock
 * whose pid is no longer running (the owner was killed) is stale and taken over; a clean exit
 * removes it. PostgreSQL (any number of processes) and `memory://` (nothing shared) need none.
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { MEMORY_DATA_DIR } from '../config.ts';

export const LOCK_FILE = 'lendgate.lock';

/** What the lock file says about its owner. */
export interface LockOwner {
  readonly pid: number;
  /** `server`, or the CLI command (`cli whitelist`, …). */
  readonly holder: string;
  readonly since: string;
  readonly host: string;
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): void;
}

/** The embedded database is in use by another live process. */
export class DataDirLockedError extends Error {
  readonly owner: LockOwner | undefined;
  readonly path: string;
  constructor(path: string, owner: LockOwner | undefined) {
    const who = owner
      ? `the Lendgate ${owner.holder} (pid ${owner.pid} on ${owner.host}, since ${owner.since})`
      : 'another process (its lock file is being written or unreadable)';
    super(`the embedded database is in use by ${who}; lock file ${path}`);
    this.name = 'DataDirLockedError';
    this.path = path;
    this.owner = owner;
  }
}

/** An unreadable lock file younger than this may be one being written right now. */
const UNREADABLE_GRACE_MS = 10_000;

/** Lock files this process holds: a second acquisition in one process is refused too. */
const held = new Set<string>();

function isRunning(path: string, pid: number): boolean {
  // Our own pid in a lock we do not hold: left by an earlier process that had the same pid (a
  // container's pid 1 after a restart, say), so stale.
  if (pid === process.pid) return held.has(path);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user — running all the same.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return Number.isInteger(owner.pid) && (owner.pid as number) > 0 ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes the lock on `dataDir` (which must exist) for `holder`, or throws `DataDirLockedError`
 * naming the live process that has it. A stale lock is removed and taken.
 */
export function acquireDataDirLock(dataDir: string, holder: string): DataDirLock {
  const path = resolve(dataDir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, holder, since: new Date().toISOString(), host: hostname() };
  // Two rounds: the second after removing a stale lock (another process may win that race).
  for (let round = 0; round < 2; round += 1) {
    if (!held.has(path) && tryCreate(path, owner)) return lockHandle(path);
    const current = readOwner(path);
    if (current === undefined) {
      let age: number;
      try {
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue; // removed meanwhile: try again
      }
      if (age < UNREADABLE_GRACE_MS) throw new DataDirLockedError(path, undefined);
    } else if (isRunning(path, current.pid)) {
      throw new DataDirLockedError(path, current);
    }
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new DataDirLockedError(path, readOwner(path));
}

function lockHandle(path: string): DataDirLock {
  held.add(path);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    held.delete(path);
    process.removeListener('exit', release);
    // Only our own lock: never one another process took over after ours was judged stale.
    if (readOwner(path)?.pid !== process.pid) return;
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
  // `process.exit()` (the server's shutdown, the CLI's exit code) skips `finally` blocks.
  process.on('exit', release);
  return { path, release };
}

/**
 * Takes the lock when `options` name the embedded database in a folder (creating the folder);
 * returns undefined for PostgreSQL and for `memory://`, which need none.
 */
export function lockEmbeddedDatabase(
  options: { readonly databaseUrl: string | undefined; readonly dataDir: string },
  holder: string,
): DataDirLock | undefined {
  if (options.databaseUrl !== undefined || options.dataDir === MEMORY_DATA_DIR) return undefined;
  mkdirSync(options.dataDir, { recursive: true });
  return acquireDataDirLock(options.dataDir, holder);
}
