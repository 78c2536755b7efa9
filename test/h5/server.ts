import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

export interface RunningServer {
  readonly baseUrl: string;
  readonly child: ChildProcess;
  /** Everything the server wrote to stderr so far (its banner and warnings). */
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Builds the H5 when web/dist is missing or stale, as `npm start` does before starting. */
export function buildWebIfStale(): void {
  const result = spawnSync(process.execPath, ['scripts/build-web-if-stale.mjs'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building the H5 failed:\n${result.stdout}\n${result.stderr}`);
}

/**
 * Starts the real entry point (`node src/main.ts`) on a fresh in-memory database in demo mode and
 * resolves with its URL once the banner is printed.
 */
export function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: {
      ...inherited,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: 'memory://',
      LENDGATE_DEMO: 'true',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.removeAllListeners('exit');
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner within 40 s:\n${stderr}`));
    }, 40_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /health\s+(http:\/\/[^/\s]+)\/healthz/.exec(stderr);
      if (match && stderr.endsWith('\n\n')) {
        clearTimeout(timer);
        resolve({ baseUrl: match[1]!, child, output: () => stderr, stop });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${stderr}`));
    });
  });
}
