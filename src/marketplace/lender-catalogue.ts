import { isAcceptingApplications, isOfferable, type LenderServices } from '../lenders/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { CatalogueEntry } from './ports.ts';

/**
 * The offerable catalogue read from the lender registry through its services: approved products of
 * partners that accept applications (active, with a quota). Offers are built on every page view,
 * so the catalogue is cached briefly; a suspension shows within `ttlMs` (and the application step
 * re-reads the registry, so no application reaches a suspended partner).
 */
export function lenderCatalogue(
  lenders: LenderServices,
  clock: Clock,
  ttlMs = 5_000,
): () => Promise<CatalogueEntry[]> {
  let cached: { at: number; entries: Promise<CatalogueEntry[]> } | undefined;
  const load = async (): Promise<CatalogueEntry[]> => {
    const entries: CatalogueEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await lenders.partners.list({
        status: 'active',
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      for (const lender of page.items) {
        if (!isAcceptingApplications(lender)) continue;
        let productCursor: string | undefined;
        do {
          const products = await lenders.products.list(lender.id, {
            status: 'approved',
            limit: 200,
            ...(productCursor ? { cursor: productCursor } : {}),
          });
          for (const product of products.items) {
            if (!isOfferable(product.status)) continue;
            entries.push({
              productId: product.id,
              productCode: product.code,
              productName: product.name,
              lenderId: lender.id,
              partnerId: lender.code,
              lenderName: lender.legalName,
              lenderKind: lender.kind,
              funderName: product.funder.legalName,
              aprMin: product.aprMin,
              aprMax: product.aprMax,
              amountMinFen: product.amountMinFen,
              amountMaxFen: product.amountMaxFen,
              termsMonths: product.termsMonths,
              methods: product.repaymentMethods,
              dayCount: product.dayCount,
              dataCategories: product.dataCategories,
              dailyApplicationQuota: lender.dailyApplicationQuota,
            });
          }
          productCursor = products.nextCursor ?? undefined;
        } while (productCursor);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return entries;
  };
  return async () => {
    const now = clock().getTime();
    if (!cached || now - cached.at >= ttlMs) {
      const entries = load();
      cached = { at: now, entries };
      // A failed load must not be cached.
      entries.catch(() => {
        if (cached?.entries === entries) cached = undefined;
      });
    }
    return cached.entries;
  };
}
