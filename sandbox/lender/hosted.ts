/**
 * One fictional lender hosted by the sandbox process: its configuration, keys, book, memory of
 * answers and current faults. A process may host several, told apart by `X-Lendgate-Partner`.
 */
import { randomUUID } from 'node:crypto';
import { LenderBook } from './book.ts';
import type { LenderConfig } from './config.ts';
import type { CallbackSender } from './delivery.ts';
import type { FaultSettings } from './faults.ts';
import { IdempotencyMemory } from './idempotency.ts';
import type { LenderKeys } from './keys.ts';

export class HostedLender implements CallbackSender {
  readonly config: LenderConfig;
  readonly keys: LenderKeys;
  readonly book: LenderBook;
  readonly memory = new IdempotencyMemory();
  #faults: FaultSettings;

  constructor(config: LenderConfig, keys: LenderKeys) {
    this.config = config;
    this.keys = keys;
    this.#faults = config.faults;
    this.book = new LenderBook({
      products: config.products,
      delays: config.delays,
      existingCustomers: config.existingCustomers,
      newLoanId: () => `loan-${randomUUID()}`,
    });
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
}
