/**
 * One fictional lender hosted by the sandbox process: its configuration, keys, book, memory of
 * answers and current faults. A process may host several, told apart by `X-Lendgate-Partner`.
 * The book and the memory are read back from the store when the lender is created and written
 * through by `commit` (store.ts).
 */
import { randomUUID } from 'node:crypto';
import { LenderBook } from './book.ts';
import type { LenderConfig } from './config.ts';
import type { CallbackSender, QueuedCallback } from './delivery.ts';
import type { FaultSettings } from './faults.ts';
import { IdempotencyMemory } from './idempotency.ts';
import type { LenderKeys } from './keys.ts';
import { SandboxStore } from './store.ts';

export class HostedLender implements CallbackSender {
  readonly config: LenderConfig;
  readonly keys: LenderKeys;
  readonly store: SandboxStore;
  #book: LenderBook;
  #memory: IdempotencyMemory;
  #faults: FaultSettings;

  /** `store`: where the book is kept; by default an in-memory one of its own (nothing kept). */
  constructor(config: LenderConfig, keys: LenderKeys, store: SandboxStore = SandboxStore.open()) {
    this.config = config;
    this.keys = keys;
    this.store = store;
    this.#faults = config.faults;
    [this.#book, this.#memory] = this.#load();
  }

  #load(): [LenderBook, IdempotencyMemory] {
    const records = this.store.load(this.partnerId);
    const book = new LenderBook({
      products: this.config.products,
      delays: this.config.delays,
      existingCustomers: this.config.existingCustomers,
      preCheckKeys: this.config.preCheckKeys,
      newLoanId: () => `loan-${randomUUID()}`,
      state: records.book,
    });
    return [book, new IdempotencyMemory(records.answers)];
  }

  get book(): LenderBook {
    return this.#book;
  }

  get memory(): IdempotencyMemory {
    return this.#memory;
  }

  get partnerId(): string {
    return this.config.partnerId;
  }

  get key() {
    return this.keys.signing;
  }

  faults(): FaultSettings {
    return this.#faults;
  }

  setFaults(faults: FaultSettings): void {
    this.#faults = faults;
  }

  /**
   * Writes what the book and the memory changed since the last commit, with the callbacks those
   * changes queued, in one transaction. When the write fails, the book and the memory are read
   * back from the store — the change is undone, as if the call never came — and the error thrown.
   */
  commit(callbacks: readonly QueuedCallback[]): void {
    const changes = { book: this.#book.takeChanges(), answers: this.#memory.takeChanges(), callbacks };
    try {
      this.store.write(this.partnerId, changes);
    } catch (error) {
      [this.#book, this.#memory] = this.#load();
      throw error;
    }
  }
}
