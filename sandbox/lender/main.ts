/**
 * The sandbox lender process: `npm run sandbox` (`node sandbox/lender/main.ts`). Reads its
 * configuration (docs/sandbox.md), starts, prints where it listens and what to register at the
 * platform, and stops cleanly on SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { startSandbox } from './app.ts';
import { parseSandboxConfig, SandboxConfigError } from './config.ts';
import { createSandboxLogger } from './log.ts';
import { MEMORY_STORE, SandboxStoreError } from './store.ts';

/** `SANDBOX_CONFIG` is a path to a JSON file, or the JSON itself when it starts with `{`. */
async function readDocument(source: string | undefined): Promise<unknown> {
  if (source === undefined || source.trim() === '') return {};
  const text = source.trimStart().startsWith('{') ? source : await readFile(source, 'utf8');
  return JSON.parse(text);
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  let config: ReturnType<typeof parseSandboxConfig>;
  try {
    config = parseSandboxConfig(await readDocument(process.env.SANDBOX_CONFIG), process.env);
  } catch (error) {
    process.stderr.write(`sandbox: ${error instanceof SandboxConfigError ? error.message : String(error)}\n`);
    return 78;
  }
  const log = createSandboxLogger(config.logLevel);
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox(config, log);
  } catch (error) {
    if (!(error instanceof SandboxStoreError)) throw error;
    process.stderr.write(`sandbox: ${error.message}\n`);
    return 75; // EX_TEMPFAIL
  }

  print(`Lendgate sandbox lender listening on ${sandbox.url}`);
  for (const lender of sandbox.lenders) {
    const { signing, encryption, publicFile, generated } = lender.keys;
    print(`  lender ${lender.partnerId} (${lender.config.name})`);
    print(`    products   ${lender.config.products.map((p) => p.productCode).join(', ')}`);
    print(
      `    signing    ${signing.kid} (${signing.alg})  encryption ${encryption.map((k) => k.kid).join(', ')}`,
    );
    // Key ids only: a pre-check key's secret is never printed or logged.
    const preCheckKeys = lender.config.preCheckKeys.map((k) => k.keyId).join(', ');
    print(
      `    pre-check  ${preCheckKeys === '' ? '(no key: every pre-check is declined unknown_hash_key)' : preCheckKeys}`,
    );
    print(
      `    public keys ${sandbox.url}/keys/${lender.partnerId}${publicFile ? `  (file ${publicFile})` : ''}${generated ? '  [generated now]' : ''}`,
    );
  }
  const kept = sandbox.store;
  print(
    kept.path === MEMORY_STORE
      ? '  book       in memory (nothing kept across a restart)'
      : `  book       ${kept.path}  (${kept.applications} applications, ${kept.loans} loans, ${kept.callbacks} callbacks to send)`,
  );
  print(`  platform   ${config.platform.url ?? '(no URL: callbacks wait)'}`);
  print(`  platform keys ${sandbox.platformKeys.describe()}`);
  print(`  admin      POST ${sandbox.url}/sandbox/faults   GET ${sandbox.url}/sandbox/stats`);
  print(`             GET  ${sandbox.url}/sandbox/reconciliation/{partnerId}/{YYYY-MM-DD}.csv`);
  print();

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    // Started by a platform for its demo: stop when that process is gone (its parent changes).
    if (process.env.SANDBOX_EXIT_WITH_PARENT === '1') {
      const parent = process.ppid;
      setInterval(() => {
        if (process.ppid !== parent) resolve();
      }, 500).unref();
    }
  });
  // Callbacks still being retried must not keep a stopped sandbox alive: give closing a few seconds.
  await Promise.race([sandbox.close(), new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
  return 0;
}

process.exit(await main());
