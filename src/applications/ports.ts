import type { SharedTransaction } from '../db/transaction.ts';
import type { DayCount, RepaymentMethod } from '../money/index.ts';
import type { PublicEncryptionKey } from '../protocol/envelope/index.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';

/**
 * What the application module needs from its neighbours, as narrow interfaces: the lender
 * registry (products), the whitelist (entry), the borrower vault (consent and data release) and
 * the marketplace (pre-check results). The composition root plugs the real modules in; tests can
 * plug in fakes. None of these touch the application tables.
 */

/** A product a borrower may apply to now: approved, of a lender that accepts applications. */
export interface OfferableProduct {
  readonly productId: string;
  readonly productCode: string;
  readonly productName: string;
  readonly lenderId: string;
  readonly lenderName: string;
  /** The lender's protocol identity (its code). */
  readonly partnerId: string;
  readonly amountMinFen: number;
  readonly amountMaxFen: number;
  readonly termsMonths: readonly number[];
  readonly methods: readonly RepaymentMethod[];
  readonly dayCount: DayCount;
  readonly dataCategories: readonly string[];
  readonly dailyApplicationQuota: number;
}

/** Evidence of the borrower's separate consent to one lender, sent with the application. */
export interface ConsentEvidence {
  readonly consentId: string;
  readonly version: string;
  readonly textSha256: string;
  readonly givenAt: string;
}

export interface ReleaseRequest {
  readonly borrowerId: string;
  readonly lenderId: string;
  readonly partnerId: string;
  readonly categories: readonly string[];
  readonly consentId: string;
  /** The request id of the apply call that carries the data. */
  readonly requestId: string;
  /** The lender's encryption key, looked up before the transaction (see recipientKey). */
  readonly recipientKey: PublicEncryptionKey;
}

export interface ApplicationPorts {
  offerableProduct(productId: string): Promise<OfferableProduct | undefined>;
  /** Whether the borrower may see the entry at all (whitelist, rollout, kill switch). */
  entryVisible(principal: BorrowerPrincipal): Promise<boolean>;
  /** Whether the borrower's pre-check with this product was accepted recently. */
  preCheckAccepted(trx: SharedTransaction, borrowerId: string, productId: string): Promise<boolean>;
  activeConsent(
    trx: SharedTransaction,
    borrowerId: string,
    lenderId: string,
  ): Promise<ConsentEvidence | undefined>;
  /**
   * The lender's current PII encryption key. Called before the application's transaction: on the
   * embedded database a query outside an open transaction would wait for it to end.
   */
  recipientKey(lenderId: string): Promise<PublicEncryptionKey>;
  /** Encrypts the consented categories for the lender and records the release, in `trx`. */
  releasePii(trx: SharedTransaction, request: ReleaseRequest): Promise<unknown>;
}
