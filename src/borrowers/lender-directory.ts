/**
 * What the borrower module needs to know about a lender, and nothing more: to name it in the
 * authorization text, to check it exists, and to bind a release to its partner id. The lender
 * registry (src/lenders) provides it; the adapter lives in lenders-adapter.ts so that this module
 * depends only on this small interface.
 */
export interface LenderParty {
  readonly id: string;
  /** Public partner id: `partnerId` in the protocol envelope. */
  readonly code: string;
  /** The lender's legal name, as named in the authorization text. */
  readonly legalName: string;
  /** The lender's business contact for data-protection questions (not a borrower's data). */
  readonly contact: { readonly name: string; readonly email: string; readonly phone: string };
  /** False once the lender may no longer receive new consents (e.g. terminated). */
  readonly acceptsConsents: boolean;
}

export interface LenderDirectory {
  /** The lender with this id, or `undefined` when there is none. */
  find(lenderId: string): Promise<LenderParty | undefined>;
}

/** A directory over a fixed list: for tests and for wiring before the registry exists. */
export function staticLenderDirectory(lenders: readonly LenderParty[]): LenderDirectory {
  const byId = new Map(lenders.map((lender) => [lender.id, lender]));
  return { find: async (lenderId) => byId.get(lenderId) };
}
