/**
 * The shapes of the borrower API, named for the H5: every one is taken from the types generated
 * from the OpenAPI document (./openapi.gen.ts, `npm run api:types`), none is written by hand, so a
 * route that changes its schema changes them too. Money is integer fen; rates are decimal strings.
 */
import type { components, operations } from './openapi.gen.ts';

type Operation = keyof operations;
type JsonOf<T> = T extends { readonly content: { readonly 'application/json': infer Body } } ? Body : never;

/** The JSON answer of an operation with the given status. */
export type ResponseOf<Op extends Operation, Status extends keyof operations[Op]['responses']> = JsonOf<
  operations[Op]['responses'][Status]
>;

/** The JSON body an operation takes. */
export type RequestOf<Op extends Operation> = JsonOf<NonNullable<operations[Op]['requestBody']>>;

/** The query parameters an operation takes. */
export type QueryOf<Op extends Operation> = NonNullable<operations[Op]['parameters']['query']>;

type Item<T> = T extends readonly (infer Element)[] ? Element : never;

export type SignInResponse = ResponseOf<'postChannelsByCodeSessions', 201>;
export type MintResponse = ResponseOf<'postDevChannelsByCodeTokens', 201>;

export type Entry = ResponseOf<'getBorrowerEntry', 200>;
export type EntryHiddenReason = NonNullable<Entry['reason']>;

export type OffersPage = ResponseOf<'getBorrowerOffers', 200>;
export type Offer = Item<OffersPage['offers']>;
export type OfferSort = NonNullable<QueryOf<'getBorrowerOffers'>['sort']>;

export type QuoteRequest = RequestOf<'postQuotes'>;
export type Quote = ResponseOf<'postQuotes', 200>;
export type QuoteInstallment = Item<Quote['installments']>;

export type RepaymentMethod = QuoteRequest['method'];
export const REPAYMENT_METHODS = [
  'equal_installment',
  'equal_principal',
  'interest_first',
  'bullet',
] as const satisfies readonly RepaymentMethod[];

/** GET/PUT /api/v1/borrower/profile: every value masked. */
export type MaskedProfile = ResponseOf<'getBorrowerProfile', 200>;
/** Built up field by field by the profile form. */
export type ProfileChanges = {
  -readonly [Field in keyof RequestOf<'putBorrowerProfile'>]: RequestOf<'putBorrowerProfile'>[Field];
};
export type ContactInput = Item<NonNullable<ProfileChanges['contacts']>>;
export type ContactRelation = ContactInput['relation'];
export const CONTACT_RELATIONS = [
  'parent',
  'spouse',
  'child',
  'sibling',
  'relative',
  'friend',
  'colleague',
  'other',
] as const satisfies readonly ContactRelation[];

export type Agreement = Item<ResponseOf<'getAgreements', 200>['items']>;
export type AgreementKind = Agreement['kind'];

export type Consent = Item<ResponseOf<'getBorrowerConsents', 200>['items']>;
export type DataRelease = Item<ResponseOf<'getBorrowerDataReleases', 200>['items']>;

export type Application = ResponseOf<'postBorrowerApplications', 201>;
export type ApplicationStatus = Application['status'];
export type Approval = NonNullable<Application['approval']>;
export type ApplicationDetail = ResponseOf<'getBorrowerApplicationsById', 200>;
export type ApplicationHistoryEntry = Item<ApplicationDetail['history']>;

/** The terms the borrower picks: asked for a disclosure, then sent with the drawdown. */
export type DrawdownTerms = RequestOf<'postBorrowerApplicationsByIdDisclosure'>;
/** 综合融资成本明示表 (the route's *Yuan strings are not used: the H5 formats fen itself). */
export type Disclosure = ResponseOf<'postBorrowerApplicationsByIdDisclosure', 200>;
export type DisclosureInstallment = Item<Disclosure['installments']>;

export type LoanDetail = ResponseOf<'getBorrowerLoansById', 200>;
export type Loan = LoanDetail['loan'];
export type LoanInstallment = Item<Loan['installments']>;
/** A repayment as asked of the lender, and how it ended. */
export type RepaymentRequest = Item<LoanDetail['repaymentRequests']>;
export type PayoffQuote = ResponseOf<'getBorrowerLoansByIdPayoffQuote', 200>;
export type RepayRequest = RequestOf<'postBorrowerLoansByIdRepayments'>;

export type FieldProblem = Item<
  NonNullable<NonNullable<components['schemas']['ErrorResponse']['error']['details']>['fields']>
>;
