/**
 * Product review as a pure state machine: draft → in_review → approved → withdrawn. A reviewer may
 * send a product back to draft; withdrawn is final (a product that comes back is a new product, so
 * that offers shown in the past keep pointing at what was shown).
 */

export const PRODUCT_STATUSES = ['draft', 'in_review', 'approved', 'withdrawn'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

export const PRODUCT_TRANSITIONS: Readonly<Record<ProductStatus, readonly ProductStatus[]>> = {
  draft: ['in_review', 'withdrawn'],
  in_review: ['approved', 'draft', 'withdrawn'],
  approved: ['withdrawn'],
  withdrawn: [],
};

export function canMoveProduct(from: ProductStatus, to: ProductStatus): boolean {
  return PRODUCT_TRANSITIONS[from].includes(to);
}

/**
 * The status a product has after its terms are edited: an edit to a product under review or
 * approved sends it back to draft, so nothing a borrower sees changes without a new review.
 * `null` means the product cannot be edited at all.
 */
export function statusAfterEdit(status: ProductStatus): ProductStatus | null {
  return status === 'withdrawn' ? null : 'draft';
}

/** Only approved products may be offered to borrowers. */
export function isOfferable(status: ProductStatus): boolean {
  return status === 'approved';
}
