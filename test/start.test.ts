import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Starts the real entry point (`node src/main.ts`, as `npm start` does) on the embedded database
 * and checks what a new user sees: a healthy server, kept data across restarts, no second seeding,
 * and a clear start-up error for bad configuration.
 */

const running: ChildProcess[] = [];

interface Started {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly banner: string;
}

function startServer(env: Record<string, string>): Promise<Started> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: { ...inherited, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no banner within 120 s:\n${stderr}`)), 120_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /health\s+(http:\/\/[^/\s]+)\/healthz/.exec(stderr);
      if (match && stderr.endsWith('\n\n')) {
        clearTimeout(timer);
        resolve({ child, baseUrl: match[1]!, banner: stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${stderr}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm start', () => {
  it('serves /healthz and /openapi.json, keeps data across a restart, and seeds only once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lendgate-start-'));
    const first = await startServer({ DATA_DIR: dataDir, LENDGATE_DEMO: 'true' });
    expect(first.banner).toContain(`Node ${process.version}`);
    expect(first.banner).toContain('password (shown once)');
    expect(first.banner).toContain('demo operator accounts');
    expect(first.banner).toMatch(/mode {10}demo \(demo data, dev token minting on, sandbox lenders\)/);
    expect((await fetch(`${first.baseUrl}/healthz`)).status).toBe(200);
    const openapi = (await (await fetch(`${first.baseUrl}/openapi.json`)).json()) as { openapi: string };
    expect(openapi.openapi).toMatch(/^3\./);
    const password = /password \(shown once\): (\S+)/.exec(first.banner)![1]!;
    expect(await stop(first.child)).toBe(0);

    const second = await startServer({ DATA_DIR: dataDir, LENDGATE_DEMO: 'true' });
    expect(second.banner).toContain('migrations    up to date');
    expect(second.banner).not.toContain('shown once');
    expect(second.banner).not.toContain('demo operator accounts');
    const session = await fetch(`${second.baseUrl}/api/v1/admin/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@lendgate.local', password }),
    });
    expect(session.status).toBe(201);
    const { token } = (await session.json()) as { token: string };
    const operators = await fetch(`${second.baseUrl}/api/v1/admin/operators`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { items } = (await operators.json()) as { items: { email: string }[] };
    // One admin plus the three demo accounts: the second start created nothing.
    expect(items.map((item) => item.email).sort()).toEqual([
      'admin@lendgate.local',
      'compliance@demo.lendgate.local',
      'finance@demo.lendgate.local',
      'operator@demo.lendgate.local',
    ]);
    expect(await stop(second.child)).toBe(0);
  }, 300_000);

  it('refuses a wrong PORT with a clear start-up error and exit code 78', async () => {
    const child = spawn(process.execPath, ['src/main.ts'], {
      env: { ...process.env, PORT: 'eighty', DATA_DIR: 'memory://' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toContain('PORT must be an integer from 0 to 65535 (got "eighty")');
  }, 30_000);
});
