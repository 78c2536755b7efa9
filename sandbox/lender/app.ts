/**
 * Composition of the sandbox process: the store of the lenders' books, keys for every hosted
 * lender, the platform's keys, callback delivery (restarting what the store still holds), counters
 * and the HTTP server. `startSandbox` listens; `close` stops everything.
 */
import type { Logger } from 'pino';
import { InMemoryNonceStore } from '../sdk/index.ts';
import { installSm } from '../sdk/sm.ts';
import type { CallContext } from './calls.ts';
import type { SandboxConfig } from './config.ts';
import { CallbackDelivery } from './delivery.ts';
import { HostedLender } from './hosted.ts';
import { loadLenderKeys } from './keys.ts';
import { PlatformKeySource } from './platform-keys.ts';
import { buildSandboxServer } from './server.ts';
import { SandboxStats } from './stats.ts';
import { SandboxStore } from './store.ts';

export interface RunningSandbox {
  /** Base URL it listens on, e.g. `http://127.0.0.1:4100`. */
  readonly url: string;
  readonly lenders: readonly HostedLender[];
  readonly platformKeys: PlatformKeySource;
  /** Where the books are kept, and what was there at start. */
  readonly store: {
    readonly path: string;
    readonly applications: number;
    readonly loans: number;
    readonly callbacks: number;
  };
  close(): Promise<void>;
}

// A hosted lender may play a partner on the 国密 suite (signingAlg SM2-SM3, encryptionAlg SM2).
installSm();

/** @throws SandboxStoreError when the book file is in use by another process or cannot be opened. */
export async function startSandbox(config: SandboxConfig, log: Logger): Promise<RunningSandbox> {
  const nowMs = Date.now();
  const store = SandboxStore.open(config.bookFile);
  const kept = store.counts();
  const lenders: HostedLender[] = [];
  for (const lenderConfig of config.lenders) {
    const keys = await loadLenderKeys({
      partnerId: lenderConfig.partnerId,
      keysFile: lenderConfig.keysFile,
      dataDir: config.dataDir,
      signingAlg: lenderConfig.signingAlg,
      encryptionAlg: lenderConfig.encryptionAlg,
      rsaBits: config.rsaBits,
      nowMs,
    });
    lenders.push(new HostedLender(lenderConfig, keys, store));
  }
  const platformKeys = new PlatformKeySource(config.platform, (message) => log.info(message));
  await platformKeys.start();
  const stats = new SandboxStats(lenders.map((l) => l.partnerId));
  const delivery = new CallbackDelivery({
    platformUrl: config.platform.url,
    platformKeys: () => platformKeys.keys(),
    settings: config.callbacks,
    stats,
    log,
    settled: (callback) => store.removeCallback(callback.requestId),
  });
  // Callbacks queued when the last process stopped go out again, under their request ids.
  for (const lender of lenders) delivery.start(lender, store.pendingCallbacks(lender.partnerId));
  const ctx: CallContext = {
    lenders: new Map(lenders.map((l) => [l.partnerId, l])),
    platformKeys,
    nonces: new InMemoryNonceStore(),
    delivery,
    stats,
    log,
    now: Date.now,
    random: Math.random,
  };
  const server = buildSandboxServer(ctx);
  const address = await server.listen({ host: config.host, port: config.port });
  return {
    url: address.replace('[::1]', 'localhost'),
    lenders,
    platformKeys,
    store: { path: store.path, ...kept },
    async close() {
      platformKeys.stop();
      delivery.close();
      await server.close();
      store.close();
    },
  };
}
