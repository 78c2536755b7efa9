/**
 * The chart of accounts. Accounts are named, not registered: a name is `type:part[:part]`, and a
 * balance is the sum of the account's postings (debits positive, credits negative).
 *
 * | account                          | kind      | normal side | meaning                                  |
 * | -------------------------------- | --------- | ----------- | ---------------------------------------- |
 * | `lender:{code}:receivable`       | asset     | debit       | what the lender owes Lendgate            |
 * | `revenue:referral:{channel}`     | revenue   | credit      | referral fees, attributed to the channel |
 * | `revenue:service:{channel}`      | revenue   | credit      | service fees, attributed to the channel  |
 * | `platform:cash`                  | asset     | debit       | money received from lenders (settled)    |
 *
 * Platform revenue by kind is the sum over its channel accounts (`revenue:referral:*`); revenue
 * is kept per channel so that internal attribution needs no second set of books.
 */

export const REVENUE_KINDS = ['referral', 'service'] as const;
export type RevenueKind = (typeof REVENUE_KINDS)[number];

/** Used when an event's channel is not known (e.g. a loan opened before settlement was running). */
export const UNATTRIBUTED_CHANNEL = 'unattributed';

const PART = /^[A-Za-z0-9._-]{1,64}$/;
const ACCOUNT = /^[a-z_]+(:[A-Za-z0-9._-]{1,64})+$/;

function part(value: string, what: string): string {
  if (!PART.test(value)) throw new RangeError(`${what} "${value}" cannot be part of an account name`);
  return value;
}

export const accounts = {
  lenderReceivable: (lenderCode: string) => `lender:${part(lenderCode, 'lender code')}:receivable`,
  revenue: (kind: RevenueKind, channelCode: string) => `revenue:${kind}:${part(channelCode, 'channel code')}`,
  cash: 'platform:cash',
} as const;

export function isAccountName(name: string): boolean {
  return ACCOUNT.test(name) && name.length <= 200;
}
