/**
 * The partner (lender) registry: admission and life cycle, products with review and the price
 * rule, and partner keys. Other modules use these services, never the tables.
 */
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { LenderKeyService } from './key-service.ts';
import { ProductService } from './product-service.ts';
import { LenderService } from './service.ts';

export { isIpAllowed } from './cidr.ts';
export { KEY_ALGORITHMS, KEY_USES, type KeyAlgorithm, type KeyUse } from './key-material.ts';
export type { KeyState, LenderKey, NewLenderKey } from './key-service.ts';
export * from './model.ts';
export { isOfferable, PRODUCT_STATUSES, type ProductStatus } from './product-status.ts';
export {
  isAcceptingApplications,
  LENDER_STATUSES,
  LENDER_TRANSITIONS,
  type LenderStatus,
  remainingDailyQuota,
} from './status.ts';
export { LenderKeyService, LenderService, ProductService };

export interface LenderServices {
  readonly partners: LenderService;
  readonly products: ProductService;
  readonly keys: LenderKeyService;
}

export function createLenderServices(db: Executor, options: { readonly clock: Clock }): LenderServices {
  return {
    partners: new LenderService(db, options),
    products: new ProductService(db, options),
    keys: new LenderKeyService(db, options),
  };
}
