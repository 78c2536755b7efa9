import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MASTER_KEY_FILE, resolveMasterKey } from './master-key.ts';

describe('resolveMasterKey', () => {
  it('generates a key once into the data folder with owner-only permissions, then reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lendgate-key-'));
    const first = resolveMasterKey(undefined, dir);
    expect(first.origin).toBe('generated');
    expect(first.key).toHaveLength(32);
    expect(statSync(join(dir, MASTER_KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = resolveMasterKey(undefined, dir);
    expect(second.origin).toBe('file');
    expect(second.key.equals(first.key)).toBe(true);
    expect(readFileSync(join(dir, MASTER_KEY_FILE), 'utf8').trim()).toBe(first.key.toString('base64'));
  });

  it('prefers the environment and keeps nothing for memory://', () => {
    const configured = Buffer.alloc(32, 1).toString('base64');
    expect(resolveMasterKey(configured, 'memory://').origin).toBe('environment');
    expect(resolveMasterKey(undefined, 'memory://').origin).toBe('ephemeral');
  });
});
