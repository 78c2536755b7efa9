import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE, lockEmbeddedDatabase } from './data-dir-lock.ts';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'lendgate-lock-'));
}

function lockOf(pid: number): string {
  return JSON.stringify({ pid, holder: 'server', since: '2026-01-01T00:00:00.000Z', host: 'elsewhere' });
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

/** The pid of a process that keeps running until the test file ends. */
async function livePid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

describe('the embedded database lock', () => {
  it('is one file holding our pid, refused to a second taker, removed on release', () => {
    const dir = freshDir();
    const lock = acquireDataDirLock(dir, 'server');
    const path = join(dir, LOCK_FILE);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, holder: 'server' });
    expect(() => acquireDataDirLock(dir, 'cli whitelist')).toThrow(DataDirLockedError);
    lock.release();
    expect(existsSync(path)).toBe(false);
    acquireDataDirLock(dir, 'cli whitelist').release();
  });

  it('refuses while another live process holds it, naming that process', async () => {
    const dir = freshDir();
    const pid = await livePid();
    writeFileSync(join(dir, LOCK_FILE), lockOf(pid));
    const error = (() => {
      try {
        acquireDataDirLock(dir, 'cli create-operator');
      } catch (failure) {
        return failure;
      }
    })();
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).owner?.pid).toBe(pid);
    expect((error as Error).message).toContain(`pid ${pid}`);
    // The refusal leaves the other process's lock alone.
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(pid);
  });

  it('takes over a stale lock: its process is gone (killed), or it had our pid (a restarted container)', async () => {
    for (const pid of [await deadPid(), process.pid]) {
      const dir = freshDir();
      writeFileSync(join(dir, LOCK_FILE), lockOf(pid));
      const lock = acquireDataDirLock(dir, 'server');
      expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
      lock.release();
    }
  });

  it('waits out an unreadable lock that may be being written, but not an old one', () => {
    const dir = freshDir();
    const path = join(dir, LOCK_FILE);
    writeFileSync(path, '');
    expect(() => acquireDataDirLock(dir, 'server')).toThrow(/another process/);
    const past = new Date(Date.now() - 60_000);
    utimesSync(path, past, past);
    acquireDataDirLock(dir, 'server').release();
  });

  it('is needed for the embedded database in a folder only: not for PostgreSQL, not for memory://', () => {
    const dir = freshDir();
    expect(lockEmbeddedDatabase({ databaseUrl: 'postgres://x@y/z', dataDir: dir }, 'server')).toBeUndefined();
    expect(lockEmbeddedDatabase({ databaseUrl: undefined, dataDir: 'memory://' }, 'server')).toBeUndefined();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const nested = join(dir, 'not', 'yet');
    const lock = lockEmbeddedDatabase({ databaseUrl: undefined, dataDir: nested }, 'server');
    expect(existsSync(join(nested, LOCK_FILE))).toBe(true);
    lock?.release();
  });
});
