/**
 * Who a borrower request is from: the borrower and the channel they came through. Borrowers' sessions
 * authenticate it; the modules of the journey (whitelist, marketplace, applications, loans) and the
 * channels take it as is, so it lives here rather than in any one of them.
 */
export interface BorrowerPrincipal {
  readonly borrowerId: string;
  readonly channelCode: string;
}
