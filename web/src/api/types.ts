/**
 * The shapes of the borrower API as its route files declare them (src/http/routes/*.ts; also
 * GET /openapi.json). Money is integer fen; rates are decimal strings.
 */

export type RepaymentMethod = 'equal_installment' | 'equal_principal' | 'interest_first' | 'bullet';
export const REPAYMENT_METHODS: readonly RepaymentMethod[] = [
  'equal_installment',
  'equal_principal',
  'interest_first',
  'bullet',
];

export interface SignInResponse {
  readonly token: string;
  readonly expiresAt: string;
  readonly borrower: { readonly id: string };
}

export interface MintResponse {
  readonly token: string;
  readonly expiresAt: string;
  readonly kid: string;
}

export type EntryHiddenReason = 'not_whitelisted' | 'rollout' | 'kill_switch' | 'channel_disabled';

export interface Entry {
  readonly visible: boolean;
  readonly reason?: EntryHiddenReason;
  readonly segment?: string;
  readonly preApprovedLimitFen?: number;
}

export interface Offer {
  readonly productId: string;
  readonly productCode: string;
  readonly productName: string;
  readonly lender: {
    /** The lender's uuid: its agreements and the consent are asked by it. */
    readonly id: string;
    readonly code: string;
    readonly name: string;
    readonly kind: string;
  };
  readonly funderName: string;
  readonly aprMin: string;
  readonly aprMax: string;
  readonly amountMinFen: number;
  readonly amountMaxFen: number;
  readonly termsMonths: readonly number[];
  readonly methods: readonly string[];
  readonly dataCategories: readonly string[];
  readonly preCheck: 'accepted' | 'pending_profile';
  readonly indicativeLimitFen: number | null;
}

export type OfferSort = 'default' | 'apr';

export interface OffersPage {
  readonly aprRange: { readonly min: string; readonly max: string } | null;
  readonly sort: OfferSort;
  readonly profileNeeded: boolean;
  readonly offers: readonly Offer[];
}

export interface QuoteRequest {
  readonly principalFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
  readonly annualRate: string;
  readonly startDate: string;
}

export interface QuoteInstallment {
  readonly period: number;
  readonly dueDate: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly totalFen: number;
}

export interface Quote {
  readonly apr: string;
  readonly withinCap: boolean;
  readonly capReason?: string;
  readonly principalFen: number;
  readonly amountReceivedFen: number;
  readonly totalInterestFen: number;
  readonly totalFeeFen: number;
  readonly totalRepaymentFen: number;
  readonly installments: readonly QuoteInstallment[];
}

export const CONTACT_RELATIONS = [
  'parent',
  'spouse',
  'child',
  'sibling',
  'relative',
  'friend',
  'colleague',
  'other',
] as const;
export type ContactRelation = (typeof CONTACT_RELATIONS)[number];

export interface ContactInput {
  readonly name: string;
  readonly phone: string;
  readonly relation: ContactRelation;
}

/** GET/PUT /api/v1/borrower/profile: every value masked. */
export interface MaskedProfile {
  readonly name: string | null;
  readonly idNumber: string | null;
  readonly phone: string | null;
  readonly bankCard: string | null;
  readonly contacts:
    | readonly { readonly name: string; readonly phone: string; readonly relation: string }[]
    | null;
  readonly updatedAt: string | null;
}

export interface ProfileChanges {
  name?: string;
  idNumber?: string;
  phone?: string;
  bankCard?: string;
  contacts?: ContactInput[];
}

export type AgreementKind = 'platform_service' | 'pi_authorization' | 'lender_loan_agreement';

export interface Agreement {
  readonly id: string;
  readonly kind: AgreementKind;
  readonly lenderId: string | null;
  readonly version: number;
  readonly title: string;
  readonly text: string;
  readonly textSha256: string;
  readonly categories: readonly string[];
  readonly effectiveFrom: string;
}

export interface Consent {
  readonly id: string;
  readonly lenderId: string;
  readonly lenderName: string | null;
  readonly categories: readonly string[];
  readonly givenAt: string;
  readonly status: 'active' | 'withdrawn' | 'superseded' | 'profile_deleted';
  readonly endedAt: string | null;
}

export interface DataRelease {
  readonly id: string;
  readonly lenderId: string;
  readonly lenderName: string | null;
  readonly categories: readonly string[];
  readonly consentId: string;
  readonly releasedAt: string;
}

export type ApplicationStatus =
  | 'submitted'
  | 'pre_checked'
  | 'sent'
  | 'approved'
  | 'rejected'
  | 'drawdown_requested'
  | 'disbursed'
  | 'drawdown_failed'
  | 'repaying'
  | 'overdue'
  | 'settled'
  | 'cancelled'
  | 'expired';

export interface Approval {
  /** All-in APR of the approval, six places like every other APR ("0.136800"). */
  readonly apr: string;
  readonly limitFen: number;
  readonly termsMonths: readonly number[];
  readonly methods: readonly string[];
  readonly validUntil: string | null;
}

export interface Application {
  readonly id: string;
  readonly status: ApplicationStatus;
  readonly productId: string;
  readonly productCode: string;
  /**
   * The product and lender names as offered when the borrower applied. Empty ('') for an
   * application made before the API carried them: show `Parties` with a fallback then.
   */
  readonly productName: string;
  readonly lenderName: string;
  readonly partnerId: string;
  readonly channelCode: string;
  readonly requestedAmountFen: number;
  readonly termMonths: number;
  readonly method: string;
  readonly approval: Approval | null;
  readonly decisionReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ApplicationHistoryEntry {
  readonly event: string;
  readonly from: string;
  readonly to: string;
  readonly cause: string;
  readonly at: string;
}

export interface ApplicationDetail {
  readonly application: Application;
  readonly history: readonly ApplicationHistoryEntry[];
}

export interface DrawdownTerms {
  readonly amountFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
}

export interface DisclosureInstallment {
  readonly period: number;
  readonly dueDate: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly totalFen: number;
}

/** 综合融资成本明示表 (the *Yuan strings of the route are not used: the H5 formats fen itself). */
export interface Disclosure {
  readonly apr: string;
  readonly principalFen: number;
  readonly amountReceivedFen: number;
  readonly termMonths: number;
  readonly startDate: string;
  readonly maturityDate: string;
  readonly method: string;
  readonly annualRate: string;
  readonly totalInterestFen: number;
  readonly totalFeeFen: number;
  readonly totalCostFen: number;
  readonly totalRepaymentFen: number;
  readonly installments: readonly DisclosureInstallment[];
}

export interface LoanInstallment {
  readonly period: number;
  readonly dueDate: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly penaltyFen: number;
  readonly paidFen: number;
  readonly status: string;
}

export interface Loan {
  readonly id: string;
  readonly applicationId: string;
  readonly partnerId: string;
  /** Its application's product and lender names (empty for one made before they were kept). */
  readonly productName: string;
  readonly lenderName: string;
  readonly principalFen: number;
  readonly termMonths: number;
  readonly method: string;
  readonly annualRate: string;
  readonly dayCount: string;
  readonly startDate: string;
  readonly status: string;
  readonly scheduleVersion: number;
  readonly installments: readonly LoanInstallment[];
}

/** A repayment as asked of the lender, and how it ended. */
export interface RepaymentRequest {
  readonly id: string;
  readonly kind: 'installment' | 'payoff';
  readonly periods: readonly number[];
  readonly amountFen: number;
  readonly status: 'requested' | 'completed' | 'failed';
  readonly failureCode: string | null;
  /** The lender's own words when it refused; for other failures, not meant for the borrower. */
  readonly failureReason: string | null;
  readonly createdAt: string;
}

export interface PayoffQuote {
  readonly principalFen: number;
  readonly interestFen: number;
  /** Fees and penalties of installments already due (normally 0); paying off itself is free. */
  readonly feeFen: number;
  readonly totalFen: number;
  readonly accrualStartDate: string;
  readonly accrualDays: number;
}

export type RepayRequest =
  | { readonly kind: 'installment'; readonly periods: readonly number[] }
  | { readonly kind: 'payoff' };

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}
