import { describe, expect, it } from 'vitest';
import { canMoveProduct, isOfferable, PRODUCT_STATUSES, statusAfterEdit } from './product-status.ts';

describe('product review machine', () => {
  it('allows review moves and refuses the rest', () => {
    const allowed = [
      ['draft', 'in_review'],
      ['draft', 'withdrawn'],
      ['in_review', 'approved'],
      ['in_review', 'draft'],
      ['in_review', 'withdrawn'],
      ['approved', 'withdrawn'],
    ];
    for (const from of PRODUCT_STATUSES) {
      for (const to of PRODUCT_STATUSES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect(canMoveProduct(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });

  it('sends an edited product back to draft, and never edits a withdrawn one', () => {
    expect(statusAfterEdit('approved')).toBe('draft');
    expect(statusAfterEdit('in_review')).toBe('draft');
    expect(statusAfterEdit('draft')).toBe('draft');
    expect(statusAfterEdit('withdrawn')).toBeNull();
  });

  it('offers approved products only', () => {
    expect(PRODUCT_STATUSES.filter(isOfferable)).toEqual(['approved']);
  });
});
