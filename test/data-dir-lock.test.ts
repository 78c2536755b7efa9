import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The CLI and the server on one embedded database (PGlite in DATA_DIR, whatever DATABASE_URL
 * says). PGlite serves the process that opened it: a CLI command run beside the server used to
 * print success while its writes went into a copy of its own — the server never saw them and they
 * were gone after a restart. Now the command is refused, saying who holds the database, and works
 * once the server has stopped; and what it wrote then is there when the server starts again.
 */

const { DATABASE_URL: _ignored, ...inherited } = process.env;
const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

const PASSWORD = 'Plum-Harbor-Violet-7391!';

function env(dataDir: string): NodeJS.ProcessEnv {
  return { ...inherited, DATA_DIR: dataDir, LENDGATE_DEMO: 'false', LOG_LEVEL: 'warn' };
}

function startServer(dataDir: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: { ...env(dataDir), HOST: '127.0.0.1', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let stderr = '';
    // A first start migrates a fresh embedded database: half a minute on a busy machine.
    const timer = setTimeout(() => reject(new Error(`no banner within 120 s:\n${stderr}`)), 120_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /health\s+(http:\/\/[^/\s]+)\/healthz/.exec(stderr);
      if (match && stderr.endsWith('\n\n')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, baseUrl: match[1]! });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${stderr}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** Runs `node <script> args…` to its end: exit code and output. */
function run(
  script: string,
  args: readonly string[],
  extraEnv: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [script, ...args], {
    env: extraEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function signIn(baseUrl: string, email: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/v1/admin/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  return response.status;
}

describe('one process at a time on the embedded database', () => {
  it('refuses the CLI (exit 75, naming the server) while the server runs, and serves it after', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lendgate-lock-e2e-'));
    const cliEnv = { ...env(dataDir), LENDGATE_NEW_PASSWORD: PASSWORD } as Record<string, string>;
    const server = await startServer(dataDir);

    const refused = await run(
      'src/cli/main.ts',
      ['create-operator', '--email', 'beside@lendgate.test', '--roles', 'operator'],
      cliEnv,
    );
    expect(refused.code, refused.stderr).toBe(75);
    expect(refused.stderr).toContain(`the Lendgate server (pid ${server.child.pid}`);
    expect(refused.stderr).toContain('operator API');
    expect(refused.stdout).not.toContain('Created operator');
    const importRefused = await run(
      'src/cli/main.ts',
      ['whitelist', 'import', '--channel', 'shop', '--file', '/dev/null'],
      cliEnv,
    );
    expect(importRefused.code, importRefused.stderr).toBe(75);
    // A second server on the same folder is refused just the same.
    const second = await run('src/main.ts', [], { ...cliEnv, HOST: '127.0.0.1', PORT: '0' });
    expect(second.code, second.stderr).toBe(75);
    expect(second.stderr).toContain(`pid ${server.child.pid}`);
    // Nothing of the refused command reached the database.
    expect(await signIn(server.baseUrl, 'beside@lendgate.test')).toBe(401);

    expect(await stop(server.child)).toBe(0);
    const created = await run(
      'src/cli/main.ts',
      ['create-operator', '--email', 'after@lendgate.test', '--roles', 'operator'],
      cliEnv,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created operator after@lendgate.test');

    // What the CLI wrote is kept: the next server start has it.
    const restarted = await startServer(dataDir);
    expect(await signIn(restarted.baseUrl, 'after@lendgate.test')).toBe(201);
    expect(await stop(restarted.child)).toBe(0);
  }, 400_000);
});
