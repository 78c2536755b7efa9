/**
 * Demo agreement texts for `npm start`: the platform agreement, and for every registered lender
 * its personal-information authorization (covering the categories its products need) and a loan
 * agreement. All fictional and marked 演示 (demo).
 */

import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import type { Executor } from '../db/transaction.ts';
import type { LenderServices } from '../lenders/index.ts';
import type { Clock } from '../shared/clock.ts';
import {
  DEMO_AUTHORIZATION_TERMS,
  DEMO_PLATFORM_SERVICE,
  demoLenderLoanAgreement,
} from './agreement-texts.ts';
import { AgreementService } from './agreements.ts';
import { isPiiCategory, normalizeCategories } from './categories.ts';
import type { LenderDirectory } from './lender-directory.ts';
import type { BorrowerTables } from './tables.ts';

/**
 * `lenders`: the registry's services over `trx`, for the demo lenders and their products;
 * `directory`: the same registry seen through this module's seam (wiring/lenders-adapter.ts).
 */
export async function seedDemoAgreements(
  trx: Executor<BorrowerTables>,
  clock: Clock,
  { lenders: lenderServices, directory }: { lenders: LenderServices; directory: LenderDirectory },
): Promise<string[]> {
  const agreements = new AgreementService(trx, { clock, lenders: directory });
  await agreements.publish(
    { kind: 'platform_service', ...DEMO_PLATFORM_SERVICE },
    SYSTEM_ACTOR,
    undefined,
    trx,
  );
  const { items: lenders } = await lenderServices.partners.list({ limit: 200 });
  for (const lender of lenders) {
    const party = await directory.find(lender.id);
    if (!party) continue;
    const { items: products } = await lenderServices.products.list(lender.id, { limit: 200 });
    const needed = normalizeCategories(
      products.flatMap((product) => product.dataCategories.filter(isPiiCategory)),
    );
    await agreements.publishPiAuthorization(
      lender.id,
      {
        ...DEMO_AUTHORIZATION_TERMS,
        categories: needed.length > 0 ? needed : DEMO_AUTHORIZATION_TERMS.categories,
      },
      SYSTEM_ACTOR,
      undefined,
      trx,
    );
    await agreements.publish(
      { kind: 'lender_loan_agreement', lenderId: lender.id, ...demoLenderLoanAgreement(party) },
      SYSTEM_ACTOR,
      undefined,
      trx,
    );
  }
  return [];
}
