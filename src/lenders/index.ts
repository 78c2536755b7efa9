/**
 * The partner (lender) registry: admission and life cycle with a facilitator's funders, products
 * with review and the price rule, and partner keys. Other modules use these services, never the tables.
 */

import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { FunderService } from './funders.ts';
import { LenderKeyService } from './key-service.ts';
import { PreCheckKeyService } from './pre-check-keys.ts';
import { ProductService } from './product-service.ts';
import { LenderService } from './service.ts';
import type { LenderTables } from './tables.ts';

export { isIpAllowed } from './cidr.ts';
export { KEY_ALGORITHMS, KEY_USES, type KeyAlgorithm, type KeyUse } from './key-material.ts';
export type { KeyState, LenderKey, NewLenderKey } from './key-service.ts';
export * from './model.ts';
export { type PreCheckKeyState, preCheckKeyState } from './pre-check-key-rules.ts';
export type { IssuedPreCheckKey, PreCheckKey, PreCheckSecret, RotateOptions } from './pre-check-keys.ts';
export { isOfferable, PRODUCT_STATUSES, type ProductStatus } from './product-status.ts';
export type { CreatedLender } from './service.ts';
export {
  isAcceptingApplications,
  LENDER_STATUSES,
  LENDER_TRANSITIONS,
  type LenderStatus,
  remainingDailyQuota,
} from './status.ts';
export { FunderService, LenderKeyService, LenderService, PreCheckKeyService, ProductService };

export interface LenderServices {
  readonly partners: LenderService;
  readonly products: ProductService;
  readonly keys: LenderKeyService;
  /** Pre-check (撞库) HMAC keys: issued at registration, rotated with an overlap. */
  readonly preCheckKeys: PreCheckKeyService;
}

/**
 * `masterKey` seals the partners' pre-check keys; without it (commands that only read the
 * registry) partners are registered without one, and no pre-check hash can be computed.
 */
export function createLenderServices(
  db: Executor<LenderTables>,
  options: { readonly clock: Clock; readonly masterKey?: Buffer },
): LenderServices {
  const preCheckKeys = new PreCheckKeyService(db, options);
  return {
    partners: new LenderService(db, { clock: options.clock, funders: new FunderService(db), preCheckKeys }),
    products: new ProductService(db, options),
    keys: new LenderKeyService(db, options),
    preCheckKeys,
  };
}
