import { ApplicationLifecycleService } from '../applications/lifecycle.ts';
import type { ApplicationPorts } from '../applications/ports.ts';
import { ApplicationService } from '../applications/service.ts';
import type { BorrowerServices } from '../borrowers/index.ts';
import type { Database } from '../db/schema.ts';
import { type Executor, ownTables } from '../db/transaction.ts';
import { registryEndpoints } from '../lenders/endpoints.ts';
import type { LenderServices } from '../lenders/index.ts';
import { LoanCallbacks } from '../loans/callbacks.ts';
import type { LoanEvents } from '../loans/events.ts';
import { LoanService } from '../loans/service.ts';
import { lenderCatalogue } from '../marketplace/lender-catalogue.ts';
import type { MarketplacePorts, PreCheckIdentity } from '../marketplace/ports.ts';
import { OfferService } from '../marketplace/service.ts';
import type { RepaymentMethod } from '../money/index.ts';
import { callbackHandler, typedHandler } from '../protocol/contract-validators.ts';
import { type PublicEncryptionKey, selectEncryptionKey } from '../protocol/envelope/index.ts';
import type { CallbackHandler } from '../protocol/inbound.ts';
import type { OnDeadLettered, OnDelivered } from '../protocol/outbox-worker.ts';
import type { PlatformKeyring } from '../protocol/platform-keys.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import type { EntryDecision, WhitelistServices } from '../whitelist/index.ts';
import { isPulledLoanEnd, PULLED_LOAN_END } from './status-pull.ts';

/**
 * Wires the borrower journey — offers, applications, loans — to its neighbours through their
 * narrow ports: the lender registry (catalogue, endpoints, keys), the whitelist (entry), the vault
 * (pre-check identity, consent, data release). Only this file knows all of them.
 */
export interface JourneyServices {
  readonly offers: OfferService;
  readonly applications: ApplicationService;
  readonly loans: LoanService;
  /** Lender callbacks by kind, for the inbound pipeline. */
  readonly callbackHandlers: Readonly<Record<string, CallbackHandler>>;
  /** What happens when the outbox delivered a call: an acknowledged apply moves its application. */
  readonly onDelivered: OnDelivered;
  /** What happens when a call is given up: a refused repayment fails, unlocking its loan. */
  readonly onDeadLettered: OnDeadLettered;
  /** Whether the borrower sees the entry: by channel user id, or by phone for phone-keyed lists. */
  readonly entryFor: (principal: BorrowerPrincipal) => Promise<EntryDecision>;
}

export interface JourneyDependencies {
  readonly db: Executor<Database>;
  readonly clock: Clock;
  readonly lenders: LenderServices;
  readonly borrowers: BorrowerServices;
  readonly whitelist: WhitelistServices;
  readonly keyring: PlatformKeyring;
  readonly loanEvents?: LoanEvents;
  readonly offerBudgetMs?: number;
  readonly fetch?: typeof fetch;
}

export function createJourney(deps: JourneyDependencies): JourneyServices {
  const { db, clock, lenders, borrowers, whitelist } = deps;
  const catalogue = lenderCatalogue(lenders, clock);
  const endpoints = registryEndpoints(lenders, clock);

  // Loans tells applications of disbursements, schedules and statuses over their port (loans/ports.ts):
  // the lenders' callbacks move them, the borrower's side reads the names applied under.
  const lifecycle = new ApplicationLifecycleService(clock);
  const loans = new LoanService(db, clock, lifecycle);
  const loanCallbacks = new LoanCallbacks(lifecycle, deps.loanEvents);

  // A list keyed by salted phone hash needs the borrower's phone: the vault hands it over in
  // process, the whitelist hashes it with its list's salt, and only the hash goes to the database.
  const entryFor = async (principal: BorrowerPrincipal): Promise<EntryDecision> => {
    const phone = await borrowers.vault.phoneForLookup(principal.borrowerId);
    return whitelist.service.entryFor(principal, phone === undefined ? {} : { phone });
  };

  const marketplacePorts: MarketplacePorts = {
    catalogue,
    entryVisible: entryFor,
    async preCheckIdentities(borrowerId, partnerIds) {
      // Each lender's valid pre-check keys (current first); the vault hashes under each of them.
      const keys = await lenders.preCheckKeys.validSecrets(partnerIds);
      const all = [...keys.values()].flat();
      try {
        const identities = await borrowers.vault.preCheckIdentities(
          borrowerId,
          all.map((key) => ({ keyId: key.keyId, secret: key.secret })),
        );
        const byPartner = new Map<string, PreCheckIdentity[]>();
        // Incomplete profile or under 18: no pre-check, and every lender is left out.
        if (identities === null) return byPartner;
        for (const [partnerId, partnerKeys] of keys) {
          // A lender without a valid key gets an empty list: the offers record it as not asked.
          byPartner.set(
            partnerId,
            partnerKeys.flatMap((key) => identities.get(key.keyId) ?? []),
          );
        }
        return byPartner;
      } finally {
        for (const key of all) key.secret.fill(0);
      }
    },
    endpointOf: (partnerId) => endpoints.endpointOf(partnerId),
    // The count the applications' own quota check makes (`applications` is built below: the
    // marketplace asks only when offers are listed).
    applicationsToday: (lenderIds) => applications.applicationsToday(lenderIds),
  };
  const offers = new OfferService(db, clock, marketplacePorts, deps.keyring, {
    ...(deps.offerBudgetMs === undefined ? {} : { budgetMs: deps.offerBudgetMs }),
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });

  const encryptionKeyOf = async (lenderId: string): Promise<PublicEncryptionKey> => {
    const keys = (await lenders.keys.keySetFor(lenderId, clock())) ?? [];
    const key = selectEncryptionKey(keys, clock().getTime());
    if (!key) throw new AppError('UNAVAILABLE', 'The lender has no valid encryption key.');
    return key;
  };

  const applicationPorts: ApplicationPorts = {
    async offerableProduct(productId) {
      const product = (await catalogue()).find((entry) => entry.productId === productId);
      // The catalogue is cached briefly: ask the registry itself whether the lender still accepts.
      if (!product || !(await lenders.partners.acceptsApplications(product.lenderId))) return undefined;
      return {
        productId: product.productId,
        productCode: product.productCode,
        productName: product.productName,
        lenderId: product.lenderId,
        lenderName: product.lenderName,
        partnerId: product.partnerId,
        amountMinFen: product.amountMinFen,
        amountMaxFen: product.amountMaxFen,
        termsMonths: product.termsMonths,
        methods: product.methods as readonly RepaymentMethod[],
        dayCount: product.dayCount as 'ACT/360' | 'ACT/365',
        dataCategories: product.dataCategories,
        dailyApplicationQuota: product.dailyApplicationQuota,
      };
    },
    entryVisible: async (principal) => (await entryFor(principal)).visible,
    preCheckAccepted: (trx, borrowerId, productId) => offers.hasAcceptedPreCheck(trx, borrowerId, productId),
    async activeConsent(trx, borrowerId, lenderId) {
      // The wiring sees every table: it opens the caller's transaction for the borrowers module.
      const consent = await borrowers.consents.active(borrowerId, lenderId, ownTables<Database>(trx));
      if (!consent) return undefined;
      return { consentId: consent.id, ...consent.evidence };
    },
    recipientKey: encryptionKeyOf,
    async releasePii(trx, request) {
      const release = await borrowers.vault.buildLenderPii(
        request.borrowerId,
        request.categories,
        request.recipientKey,
        {
          lenderId: request.lenderId,
          partnerId: request.partnerId,
          requestId: request.requestId,
          consentId: request.consentId,
        },
        trx,
      );
      return release.pii;
    },
  };
  const applications = new ApplicationService(db, clock, applicationPorts);

  return {
    offers,
    applications,
    loans,
    callbackHandlers: {
      'credit-decision': callbackHandler('credit-decision', applications.creditDecisionHandler),
      disbursement: callbackHandler('disbursement', loanCallbacks.disbursementHandler),
      'repayment-schedule': callbackHandler('repayment-schedule', loanCallbacks.scheduleHandler),
      repayment: callbackHandler('repayment', loanCallbacks.repaymentHandler),
      'loan-status': callbackHandler('loan-status', loanCallbacks.loanStatusHandler),
      // Not a callback any lender sends: the end of a loan learnt by the status pull.
      [PULLED_LOAN_END]: typedHandler(isPulledLoanEnd, 'pulled loan end', loanCallbacks.pulledEndHandler),
    },
    entryFor,
    async onDelivered(message) {
      if (message.call !== 'apply') return;
      const applicationId = (message.body as { applicationId?: unknown }).applicationId;
      if (typeof applicationId === 'string') await applications.applyAcknowledged(applicationId);
    },
    onDeadLettered: loans.callDeadLettered,
  };
}
