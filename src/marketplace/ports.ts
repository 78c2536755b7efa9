import type { BorrowerPrincipal } from '../borrowers/sessions.ts';
import type { LenderEndpoint } from '../protocol/lender-client.ts';

/** One approved product of a lender that takes applications, as the offers page shows it. */
export interface CatalogueEntry {
  readonly productId: string;
  readonly productCode: string;
  readonly productName: string;
  readonly lenderId: string;
  readonly partnerId: string;
  readonly lenderName: string;
  readonly lenderKind: string;
  readonly funderName: string;
  readonly aprMin: string;
  readonly aprMax: string;
  readonly amountMinFen: number;
  readonly amountMaxFen: number;
  readonly termsMonths: readonly number[];
  readonly methods: readonly string[];
  readonly dayCount: string;
  readonly dataCategories: readonly string[];
  readonly dailyApplicationQuota: number;
}

/** The hashed identity and coarse bands a pre-check carries — never plain personal data. */
export interface PreCheckIdentity {
  readonly phoneSha256: string;
  readonly idNumberSha256: string;
  readonly hashSalt: string;
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
   * The pre-check identity for each lender (salted per lender), read once per offers request;
   * empty without a complete profile.
   */
  preCheckIdentities(
    borrowerId: string,
    partnerIds: readonly string[],
  ): Promise<ReadonlyMap<string, PreCheckIdentity>>;
  endpointOf(partnerId: string): Promise<LenderEndpoint | undefined>;
  /** Applications sent to each of these lenders since midnight (China time). */
  applicationsToday(lenderIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}
