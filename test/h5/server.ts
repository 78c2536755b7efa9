import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

export interface RunningServer {
  readonly baseUrl: string;
  readonly child: ChildProcess;
  /** The `  lenders       ` lines of the banner: the sandbox lender and each demo partner's admission. */
  readonly lenders: readonly string[];
  /** Everything the server wrote to stderr so far (its banner and warnings). */
  readonly output: () => string;
  /** Its log so far: JSON lines on stdout, warnings and errors only. */
  readonly log: () => string;
  /**
   * SIGTERM, then SIGKILL if it has not exited after `graceMs` (default 5 s); resolves with the exit
   * code once it has exited (null when it was killed by a signal).
   */
  stop(graceMs?: number): Promise<number | null>;
}

/** How to start the server, besides its environment. */
export interface StartOptions {
  /** How long to wait for the banner with the lenders lines (default 40 s). */
  readonly timeoutMs?: number;
}

/** Builds the H5 when web/dist is missing or stale, as `npm start` does before starting. */
export function buildWebIfStale(): void {
  const result = spawnSync(process.execPath, ['scripts/build-web-if-stale.mjs'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building the H5 failed:\n${result.stdout}\n${result.stderr}`);
}

const LENDERS_LINE = /^ {2}lenders {7}(.*)$/gm;

/**
 * Starts the real entry point (`node src/main.ts`) as `npm start` does in demo mode, on a fresh
 * in-memory database whatever DATABASE_URL says (each run starts from the demo seed, and nothing
 * is left behind in a shared PostgreSQL), and resolves once the banner is printed and the demo
 * lenders have been through admission (the `  lenders` lines, printed after the server is
 * healthy). Rejects if the server exits, or prints no lenders lines within 120 s (`timeoutMs`): the demo
 * admits its four partners by conformance runs first, which takes a while on a loaded machine.
 * `env` overrides any of it: a `DATA_DIR` folder to start again on, a fixed `PORT`, a
 * `DATABASE_URL`.
 */
export function startServer(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningServer> {
  const timeoutMs = options.timeoutMs ?? 120_000;
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  // The server's log (JSON lines on stdout, warnings and errors only): shown when it fails to start.
  let log = '';
  let failed: ((error: Error) => void) | undefined;
  child.stdout!.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    if (log.includes('the sandbox lenders did not start')) failed?.(new Error(`no demo lenders:\n${log}`));
  });
  const stop = (graceMs = 5_000) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.removeAllListeners('exit');
      child.on('exit', (code) => resolve(code));
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
    });
  return new Promise((resolve, reject) => {
    failed = (error) => {
      clearTimeout(timer);
      void stop();
      reject(error);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner with the lenders lines within ${timeoutMs / 1000} s:\n${stderr}\n${log}`));
    }, timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const health = /health\s+(http:\/\/[^/\s]+)\/healthz/.exec(stderr);
      const lenders = [...stderr.matchAll(LENDERS_LINE)].map((match) => match[1]!);
      // The lenders block ends with an empty line once every partner's admission is printed.
      if (health && lenders.length > 0 && stderr.endsWith('\n\n')) {
        clearTimeout(timer);
        resolve({ baseUrl: health[1]!, child, lenders, output: () => stderr, log: () => log, stop });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${stderr}\n${log}`));
    });
  });
}
