import type { LenderEndpoint } from '../protocol/lender-client.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';

/** A product and its terms as borrowers see them: in the catalogue and on an offer. */
export interface ProductTermsShown {
  readonly productId: string;
  readonly productCode: string;
  readonly productName: string;
  readonly funderName: string;
  readonly aprMin: string;
  readonly aprMax: string;
  readonly amountMinFen: number;
  readonly amountMaxFen: number;
  readonly termsMonths: readonly number[];
  readonly methods: readonly string[];
  readonly dataCategories: readonly string[];
}

/** One approved product of a lender that takes applications, as the offers page shows it. */
export interface CatalogueEntry extends ProductTermsShown {
  readonly lenderId: string;
  readonly partnerId: string;
  readonly lenderName: string;
  readonly lenderKind: string;
  readonly dayCount: string;
  readonly dailyApplicationQuota: number;
}

/**
 * The hashed identity and coarse bands a pre-check carries — never plain personal data: HMACs of
 * the phone and id number under one of the partner's pre-check keys, and that key's id.
 */
export interface PreCheckIdentity {
  readonly phoneHmac: string;
  readonly idNumberHmac: string;
  readonly hashKeyId: string;
  readonly ageBand: string;
  readonly region: string;
}

export interface MarketplacePorts {
  /** Approved products of lenders that accept applications now. */
  catalogue(): Promise<readonly CatalogueEntry[]>;
  entryVisible(
    principal: BorrowerPrincipal,
  ): Promise<{ visible: boolean; reason?: string; preApprovedLimitFen?: number }>;
  /**
   * The pre-check identities for each lender, read once per offers request: one per valid
   * pre-check key of the lender, its current key first (then the keys it replaced, still valid
   * during a rotation's overlap). A lender is absent when no pre-check can be made for this
   * borrower (incomplete profile, under 18) and present with none when it has no valid key.
   */
  preCheckIdentities(
    borrowerId: string,
    partnerIds: readonly string[],
  ): Promise<ReadonlyMap<string, readonly PreCheckIdentity[]>>;
  endpointOf(partnerId: string): Promise<LenderEndpoint | undefined>;
  /** Applications sent to each of these lenders since midnight (China time). */
  applicationsToday(lenderIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}
