/**
 * Offer ranking (pure). The default puts what the borrower can actually get first, then the
 * cheapest worst case: pre-check accepted before not-yet-checked, then the lowest maximum APR
 * (the price the borrower may end up paying), then the highest indicative limit, then the product
 * code for a stable order. `sort=apr` is the user-first price ranking: lowest minimum APR first.
 */
export const OFFER_SORTS = ['default', 'apr'] as const;
export type OfferSort = (typeof OFFER_SORTS)[number];

export interface RankableOffer {
  readonly productCode: string;
  readonly preCheck: 'accepted' | 'pending_profile';
  readonly aprMin: string;
  readonly aprMax: string;
  readonly indicativeLimitFen: number | null;
}

/** Compares two decimal strings in [0, 1] exactly (no floats): pad the fractions and compare. */
export function compareDecimal(a: string, b: string): number {
  const [ai = '0', af = ''] = a.split('.');
  const [bi = '0', bf = ''] = b.split('.');
  if (ai !== bi) return Number(ai) - Number(bi);
  const width = Math.max(af.length, bf.length);
  const left = af.padEnd(width, '0');
  const right = bf.padEnd(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

export function rankOffers<T extends RankableOffer>(offers: readonly T[], sort: OfferSort): T[] {
  const byCode = (a: T, b: T) => (a.productCode < b.productCode ? -1 : a.productCode > b.productCode ? 1 : 0);
  if (sort === 'apr') {
    return [...offers].sort(
      (a, b) => compareDecimal(a.aprMin, b.aprMin) || compareDecimal(a.aprMax, b.aprMax) || byCode(a, b),
    );
  }
  const status = (offer: T) => (offer.preCheck === 'accepted' ? 0 : 1);
  return [...offers].sort(
    (a, b) =>
      status(a) - status(b) ||
      compareDecimal(a.aprMax, b.aprMax) ||
      (b.indicativeLimitFen ?? 0) - (a.indicativeLimitFen ?? 0) ||
      byCode(a, b),
  );
}

/** The APR range across all offers, shown before anything else on the offers page. */
export function aprRange(offers: readonly RankableOffer[]): { min: string; max: string } | null {
  if (offers.length === 0) return null;
  let min = offers[0]!.aprMin;
  let max = offers[0]!.aprMax;
  for (const offer of offers) {
    if (compareDecimal(offer.aprMin, min) < 0) min = offer.aprMin;
    if (compareDecimal(offer.aprMax, max) > 0) max = offer.aprMax;
  }
  return { min, max };
}
