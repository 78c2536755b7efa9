import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aprRange, compareDecimal, type RankableOffer, rankOffers } from './ranking.ts';

const offer = (
  code: string,
  aprMin: string,
  aprMax: string,
  extra: Partial<RankableOffer> = {},
): RankableOffer => ({
  productCode: code,
  preCheck: 'accepted',
  aprMin,
  aprMax,
  indicativeLimitFen: null,
  ...extra,
});

describe('offer ranking', () => {
  const offers = [
    offer('a', '0.108', '0.24'),
    offer('b', '0.072', '0.18'),
    offer('c', '0.036', '0.24', { preCheck: 'pending_profile' }),
    offer('d', '0.12', '0.18', { indicativeLimitFen: 5_000_000 }),
  ];

  it('ranks by default: accepted first, lowest worst-case APR, then highest limit', () => {
    expect(rankOffers(offers, 'default').map((o) => o.productCode)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('ranks by price with sort=apr: lowest minimum APR first', () => {
    expect(rankOffers(offers, 'apr').map((o) => o.productCode)).toEqual(['c', 'b', 'a', 'd']);
  });

  it('shows the APR range across offers', () => {
    expect(aprRange(offers)).toEqual({ min: '0.036', max: '0.24' });
    expect(aprRange([])).toBeNull();
  });

  it('compares decimals exactly, like numbers (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 999_999 }), (x, y) => {
        const a = `0.${String(x).padStart(6, '0')}`.replace(/0+$/, '').replace(/\.$/, '');
        const b = `0.${String(y).padStart(6, '0')}`;
        expect(Math.sign(compareDecimal(a, b))).toBe(Math.sign(x - y));
      }),
    );
  });
});
