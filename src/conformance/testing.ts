/**
 * Test support for the kit's own tests against a real sandbox lender process: a free port for
 * the kit's callback receiver, callback timing short enough for a test, and the clean-up.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type SpawnedSandbox, spawnSandbox } from '../../sandbox/lender/testing.ts';
import type { PublicKeyRecord } from '../protocol/envelope/index.ts';

/** A TCP port free on 127.0.0.1 just now (the kit listens on it for the sandbox's callbacks). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The sandbox's callback retry timing for tests: a few quick retries, not minutes of them. */
export const TEST_CALLBACK_TIMING = { retryBaseMs: 20, retryCapMs: 50, maxAttempts: 3, timeoutMs: 2_000 };

/**
 * A sandbox lender process for one partner, its data under `dir/dataDir`, sending its callbacks
 * to a free local port (where the kit will listen) signed for `platformKey` only. Answers the
 * file of public keys it writes for registration: what a partner hands over, used as is.
 */
export async function spawnTestSandbox(input: {
  readonly dir: string;
  readonly dataDir: string;
  readonly lender: { readonly partnerId: string; readonly [setting: string]: unknown };
  readonly platformKey: PublicKeyRecord;
  readonly callbacks?: typeof TEST_CALLBACK_TIMING;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<{ sandbox: SpawnedSandbox; callbackPort: number; lenderKeysFile: string }> {
  const callbackPort = await freePort();
  const dataDir = join(input.dir, input.dataDir);
  const sandbox = await spawnSandbox({
    SANDBOX_CONFIG: JSON.stringify({
      callbacks: input.callbacks ?? TEST_CALLBACK_TIMING,
      lenders: [input.lender],
    }),
    SANDBOX_DATA_DIR: dataDir,
    SANDBOX_PLATFORM_URL: `http://127.0.0.1:${callbackPort}`,
    SANDBOX_PLATFORM_KEYS: JSON.stringify([input.platformKey]),
    ...input.env,
  });
  return { sandbox, callbackPort, lenderKeysFile: join(dataDir, input.lender.partnerId, 'public-keys.json') };
}

/** Stops the sandbox (if it started) and removes the test's temporary directory. */
export async function stopSandbox(sandbox: SpawnedSandbox | undefined, dir: string): Promise<void> {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
}
