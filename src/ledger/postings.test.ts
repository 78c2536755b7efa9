import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accounts, isAccountName } from './accounts.ts';
import { negatePostings, normalizePostings, UnbalancedEntryError } from './postings.ts';

const R = accounts.lenderReceivable('xinghe-bank');
const REF = accounts.revenue('referral', 'shop');

describe('posting sets', () => {
  it('merges legs by account, drops zero legs and sorts by account', () => {
    expect(
      normalizePostings([
        { account: REF, amountFen: -3000 },
        { account: R, amountFen: 2000 },
        { account: R, amountFen: 1000 },
        { account: 'platform:cash', amountFen: 0 },
      ]),
    ).toEqual([
      { account: R, amountFen: 3000 },
      { account: REF, amountFen: -3000 },
    ]);
  });

  it('refuses sets that do not sum to zero, single legs, fractions and bad names', () => {
    expect(() =>
      normalizePostings([
        { account: R, amountFen: 1 },
        { account: REF, amountFen: 0 },
      ]),
    ).toThrow(UnbalancedEntryError);
    expect(() =>
      normalizePostings([
        { account: R, amountFen: 5 },
        { account: REF, amountFen: -4 },
      ]),
    ).toThrow(/sum to 1/);
    expect(() =>
      normalizePostings([
        { account: R, amountFen: 0.5 },
        { account: REF, amountFen: -0.5 },
      ]),
    ).toThrow(/integer/);
    expect(() =>
      normalizePostings([
        { account: 'Bad Name', amountFen: 1 },
        { account: REF, amountFen: -1 },
      ]),
    ).toThrow(/account name/);
    expect(() =>
      normalizePostings([
        { account: R, amountFen: 7 },
        { account: R, amountFen: -7 },
      ]),
    ).toThrow(/two or more/);
  });

  it('names accounts safely and refuses codes that could not be told apart', () => {
    expect(isAccountName(R)).toBe(true);
    expect(isAccountName(accounts.cash)).toBe(true);
    expect(() => accounts.revenue('service', 'a:b')).toThrow(RangeError);
  });

  it('property: any balanced set stays balanced after normalizing, and its negation cancels it', () => {
    const names = [
      'lender:a:receivable',
      'lender:b:receivable',
      'revenue:referral:x',
      'revenue:service:y',
      'platform:cash',
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ account: fc.constantFrom(...names), amountFen: fc.integer({ min: -1e9, max: 1e9 }) }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        (legs) => {
          const total = legs.reduce((sum, leg) => sum + leg.amountFen, 0);
          const balanced = [...legs, { account: 'platform:cash', amountFen: -total }];
          let normalized: ReturnType<typeof normalizePostings>;
          try {
            normalized = normalizePostings(balanced);
          } catch {
            return; // everything cancelled to fewer than two accounts
          }
          expect(normalized.reduce((sum, leg) => sum + leg.amountFen, 0)).toBe(0);
          const both = normalizePostings([...normalized, ...negatePostings(normalized), ...normalized]);
          expect(both).toEqual(normalized);
        },
      ),
    );
  });
});
