/**
 * The platform's public signing keys, which the sandbox verifies calls and callback answers with.
 * From the configuration or a file when given; otherwise fetched from `{platform}/open/v1/keys`,
 * retried in the background until the platform is up, and refreshed now and then (and soon after
 * an unknown key id) so that a platform key rotation is picked up without a restart.
 */
import { readFile } from 'node:fs/promises';
import type { PublicKeyRecord } from '../sdk/index.ts';
import { type PlatformSettings, parseKeySet } from './config.ts';

export const PLATFORM_KEYS_PATH = '/open/v1/keys';
const RETRY_FIRST_MS = 1_000;
const RETRY_CAP_MS = 30_000;
const REFRESH_MS = 10 * 60_000;
const MIN_REFRESH_GAP_MS = 10_000;

export class PlatformKeySource {
  readonly #settings: PlatformSettings;
  readonly #onChange: (message: string) => void;
  #keys: readonly PublicKeyRecord[] | undefined;
  #origin = 'not loaded';
  #timer: NodeJS.Timeout | undefined;
  #lastFetchMs = 0;
  #stopped = false;

  constructor(settings: PlatformSettings, onChange: (message: string) => void) {
    this.#settings = settings;
    this.#onChange = onChange;
  }

  /** Current keys, or `undefined` while none are known (calls are then answered 503). */
  keys(): readonly PublicKeyRecord[] | undefined {
    return this.#keys;
  }

  /** Where the keys came from, for the start-up banner. */
  describe(): string {
    return this.#origin;
  }

  get fetching(): boolean {
    return this.#settings.keys === undefined && this.#settings.keysFile === undefined;
  }

  /** Loads configured keys, or makes a first fetch attempt and schedules the next ones. */
  async start(): Promise<void> {
    if (this.#settings.keys !== undefined) {
      this.#set(this.#settings.keys, 'from the configuration');
      return;
    }
    if (this.#settings.keysFile !== undefined) {
      const keys = parseKeySet(JSON.parse(await readFile(this.#settings.keysFile, 'utf8')));
      if (keys === undefined) throw new Error(`${this.#settings.keysFile}: not a key set`);
      this.#set(keys, `from ${this.#settings.keysFile}`);
      return;
    }
    if (this.#settings.url === undefined || !this.#settings.fetchKeys) {
      this.#origin = 'none (set platform.keys, SANDBOX_PLATFORM_KEYS or SANDBOX_PLATFORM_URL)';
      return;
    }
    this.#origin = `not fetched yet from ${this.#settings.url}${PLATFORM_KEYS_PATH} (retrying)`;
    await this.#fetchLoop(RETRY_FIRST_MS);
  }

  /** Asks for an early refresh (a call named a key id we do not know: the platform may have rotated). */
  refreshSoon(): void {
    if (!this.fetching || this.#stopped || Date.now() - this.#lastFetchMs < MIN_REFRESH_GAP_MS) return;
    clearTimeout(this.#timer);
    void this.#fetchLoop(RETRY_FIRST_MS);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #set(keys: readonly PublicKeyRecord[], origin: string): void {
    const changed = JSON.stringify(keys) !== JSON.stringify(this.#keys);
    this.#keys = keys;
    this.#origin = origin;
    if (changed) this.#onChange(`platform keys ${origin}: ${keys.map((k) => k.kid).join(', ')}`);
  }

  async #fetchLoop(retryMs: number): Promise<void> {
    if (this.#stopped) return;
    this.#lastFetchMs = Date.now();
    let next = REFRESH_MS;
    try {
      const response = await fetch(`${this.#settings.url}${PLATFORM_KEYS_PATH}`, {
        signal: AbortSignal.timeout(5_000),
      });
      const keys = response.ok ? parseKeySet(await response.json()) : undefined;
      if (keys === undefined) throw new Error(`answered ${response.status}`);
      this.#set(keys, `fetched from ${this.#settings.url}${PLATFORM_KEYS_PATH}`);
    } catch (error) {
      next = retryMs;
      this.#onChange(`platform keys not fetched (${(error as Error).message}); retrying in ${retryMs} ms`);
    }
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#fetchLoop(Math.min(retryMs * 2, RETRY_CAP_MS)), next);
    this.#timer.unref();
  }
}
