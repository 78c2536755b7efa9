/**
 * The borrower module: identities and sessions, the personal-data vault, consents per lender,
 * agreement texts, and the data release log. Other modules use these services, never the tables.
 *
 * For other modules:
 * - `vault.preCheckIdentities(borrowerId, keys)` — keyed hashes (HMAC under each partner pre-check
 *   key) + age band + region for pre-checks;
 * - `vault.buildLenderPii(borrowerId, categories, recipientKey, { lenderId, partnerId, requestId }, trx?)`
 *   — the only release of plain data, encrypted for the lender, logged in the same transaction;
 * - `consents.active(borrowerId, lenderId)` / `consents.require(borrowerId, lenderId, categories)`;
 * - `hasActiveLoans` (option) — the applications module's answer to "may this data be deleted?".
 */

import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { AgreementService } from './agreements.ts';
import { ConsentService } from './consents.ts';
import type { LenderDirectory } from './lender-directory.ts';
import { ReleaseLog } from './releases.ts';
import type { BorrowerTables } from './tables.ts';
import { BorrowerVault, type HasActiveLoans } from './vault.ts';

export type { Agreement, NewAgreement } from './agreements.ts';
export { AGREEMENT_KINDS, AgreementService, textSha256 } from './agreements.ts';
export { CATEGORY_FIELD, PII_CATEGORIES, type PiiCategory } from './categories.ts';
export type { ActiveConsent, Consent, ConsentEvidence, ConsentQuery, NewConsent } from './consents.ts';
export { ConsentService } from './consents.ts';
export type { LenderDirectory, LenderParty } from './lender-directory.ts';
export { staticLenderDirectory } from './lender-directory.ts';
export type { MaskedProfile } from './masking.ts';
export { CONTACT_RELATIONS, type ProfileChanges } from './profile-rules.ts';
export type { ChainProblem, ReleaseEntry } from './release-chain.ts';
export { type ChainReport, ReleaseLog } from './releases.ts';
export { BorrowerSessions } from './sessions.ts';
export {
  BorrowerVault,
  type HasActiveLoans,
  type LenderRelease,
  NO_ACTIVE_LOANS,
  type PreCheckHashKey,
  type PreCheckIdentity,
  type ProfileView,
  type ReleaseTarget,
} from './vault.ts';
export { preCheckHmac } from './vault-crypto.ts';

export interface BorrowerServices {
  readonly agreements: AgreementService;
  readonly consents: ConsentService;
  readonly releases: ReleaseLog;
  readonly vault: BorrowerVault;
  readonly lenders: LenderDirectory;
}

export interface BorrowerServiceOptions {
  readonly clock: Clock;
  /** Wraps each borrower's data key; the blind-index key is derived from it. */
  readonly masterKey: Buffer;
  /** The lender registry, seen through the narrow seam this module needs. */
  readonly lenders: LenderDirectory;
  /** Whether a loan still needs a borrower's data; none does by default. */
  readonly hasActiveLoans?: HasActiveLoans;
}

export function createBorrowerServices(
  db: Executor<BorrowerTables>,
  options: BorrowerServiceOptions,
): BorrowerServices {
  const agreements = new AgreementService(db, { clock: options.clock, lenders: options.lenders });
  const consents = new ConsentService(db, { clock: options.clock, lenders: options.lenders, agreements });
  const releases = new ReleaseLog(db);
  const vault = new BorrowerVault(db, {
    clock: options.clock,
    masterKey: options.masterKey,
    consents,
    releases,
    ...(options.hasActiveLoans ? { hasActiveLoans: options.hasActiveLoans } : {}),
  });
  return { agreements, consents, releases, vault, lenders: options.lenders };
}
