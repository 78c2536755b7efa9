import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { ApplicationService } from './applications/service.ts';
import { AuditLog } from './audit/audit-log.ts';
import { type BorrowerServices, createBorrowerServices } from './borrowers/index.ts';
import { BorrowerSessions } from './borrowers/sessions.ts';
import { type ChannelServices, createChannelServices, devMintingEnabled } from './channels/index.ts';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/connection.ts';
import { isFullyMigrated } from './db/migrations.ts';
import { adminAuditRoutes } from './http/routes/admin-audit.ts';
import { adminAuthRoutes } from './http/routes/admin-auth.ts';
import { adminChannelRoutes } from './http/routes/admin-channels.ts';
import { adminComplianceRoutes } from './http/routes/admin-compliance.ts';
import { adminConformanceRunRoutes } from './http/routes/admin-conformance-runs.ts';
import { adminLenderKeyRoutes } from './http/routes/admin-lender-keys.ts';
import { adminLenderPreCheckKeyRoutes } from './http/routes/admin-lender-pre-check-keys.ts';
import { adminLenderProductRoutes } from './http/routes/admin-lender-products.ts';
import { adminLenderRoutes } from './http/routes/admin-lenders.ts';
import { adminOperatorRoutes } from './http/routes/admin-operators.ts';
import { adminProtocolRoutes } from './http/routes/admin-protocol.ts';
import { adminReconciliationRoutes } from './http/routes/admin-reconciliation.ts';
import { adminSettlementRoutes } from './http/routes/admin-settlement.ts';
import { adminWhitelistRoutes } from './http/routes/admin-whitelists.ts';
import { agreementRoutes } from './http/routes/agreements.ts';
import { borrowerApplicationRoutes } from './http/routes/borrower-applications.ts';
import { borrowerConsentRoutes } from './http/routes/borrower-consents.ts';
import { borrowerEntryRoutes } from './http/routes/borrower-entry.ts';
import { borrowerOfferRoutes } from './http/routes/borrower-offers.ts';
import { borrowerProfileRoutes } from './http/routes/borrower-profile.ts';
import { borrowerSessionRoutes } from './http/routes/borrower-session.ts';
import { channelSessionRoutes, devChannelTokenRoutes } from './http/routes/channel-sessions.ts';
import { healthRoutes } from './http/routes/health.ts';
import { openRoutes } from './http/routes/open.ts';
import { quoteRoutes } from './http/routes/quotes.ts';
import { webRoutes } from './http/routes/web.ts';
import { buildServer } from './http/server.ts';
import { ConformanceRunService } from './lenders/conformance-runs.ts';
import { registryEndpoints } from './lenders/endpoints.ts';
import { createLenderServices, isIpAllowed, type LenderServices } from './lenders/index.ts';
import { hasActiveLoans, type LoanService } from './loans/service.ts';
import type { OfferService } from './marketplace/service.ts';
import { OperatorService } from './operators/service.ts';
import { type KeyLookup, STATUS_QUERY } from './protocol/envelope/index.ts';
import { type CallbackHandler, InboundCallbacks } from './protocol/inbound.ts';
import { type LenderEndpoints, lenderDelivery } from './protocol/lender-client.ts';
import { DatabaseNonceStore } from './protocol/nonce-store.ts';
import { ProtocolOperations } from './protocol/operations.ts';
import { OutboxWorker } from './protocol/outbox-worker.ts';
import { PlatformKeyring } from './protocol/platform-keys.ts';
import { createSettlementServices, type SettlementServices } from './settlement/index.ts';
import type { Clock } from './shared/clock.ts';
import { channelDirectory, createWhitelistServices, type WhitelistServices } from './whitelist/index.ts';
import { ConformanceRunner } from './wiring/conformance-runner.ts';
import { createJourney, type JourneyServices } from './wiring/journey.ts';
import { lenderDirectoryFrom } from './wiring/lenders-adapter.ts';
import { StatusPuller } from './wiring/status-pull.ts';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Everything the running service is made of, built once by `createApp`. */
export interface App {
  readonly server: FastifyInstance;
  readonly services: Services;
}

export interface Services {
  readonly operators: OperatorService;
  readonly borrowerSessions: BorrowerSessions;
  /** The borrower data vault, consents, agreement texts and the data release log. */
  readonly borrowers: BorrowerServices;
  readonly lenders: LenderServices;
  /** Operator-run conformance: the kit against a partner, in the background (stop it before the database). */
  readonly conformance: ConformanceRunner;
  readonly keyring: PlatformKeyring;
  readonly inbound: InboundCallbacks;
  readonly outbox: OutboxWorker;
  /** Operators' side of the protocol: refusals counted at the edge, callbacks, dead letters and requeue. */
  readonly protocol: ProtocolOperations;
  /** The audit log as operators search it. */
  readonly audit: AuditLog;
  /** The pull fallback: asks lenders about objects whose callback is overdue (status_query). */
  readonly statusPull: StatusPuller;
  /** The borrower journey: offers (pre-check fan-out), applications, loans. */
  readonly offers: OfferService;
  readonly applications: ApplicationService;
  readonly loans: LoanService;
  /** Whether a borrower sees the entry (whitelist by channel user id or by phone). */
  readonly entryFor: JourneyServices['entryFor'];
  /**
   * Revenue share: ledger, contracts, statements, reconciliation. `settlement.accruals` is the
   * LoanEvents listener to pass to LoanCallbacks, so fees are posted in each callback's transaction.
   */
  readonly settlement: SettlementServices;
  /** Channels, their keys and joint sign-in (联合登录). */
  readonly channels: ChannelServices;
  /** Whitelist gating: versions, imports, rollouts, kill switches, entryFor(principal). */
  readonly whitelist: WhitelistServices;
}

export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: DatabaseHandle;
  readonly clock: Clock;
  /** Wraps per-borrower data keys, seals the platform's private keys and partners' pre-check keys. */
  readonly masterKey: Buffer;
  /** Published keys of each lender partner, for verifying their callbacks. */
  readonly partnerKeys?: KeyLookup;
  /** Where each lender is called; by default the lender registry's callback URLs and keys. */
  readonly lenderEndpoints?: LenderEndpoints;
  /** Handlers of lender callbacks by kind, provided by the modules they affect. */
  readonly callbackHandlers?: Readonly<Record<string, CallbackHandler>>;
  /** `fetch` for calls to lenders; tests inject one. */
  readonly fetch?: typeof fetch;
}

export function createServices(deps: AppDependencies): Services {
  const { db } = deps.database;
  const keyring = new PlatformKeyring(db, deps.masterKey, deps.clock);
  const borrowerSessions = new BorrowerSessions(db, deps.clock);
  const channels = createChannelServices(db, {
    clock: deps.clock,
    sessions: borrowerSessions,
    masterKey: deps.masterKey,
  });
  const lenders = createLenderServices(db, { clock: deps.clock, masterKey: deps.masterKey });
  const whitelist = createWhitelistServices(db, { clock: deps.clock, channels: channelDirectory(channels) });
  const borrowers = createBorrowerServices(db, {
    clock: deps.clock,
    masterKey: deps.masterKey,
    lenders: lenderDirectoryFrom(lenders),
    // A borrower's data cannot be shredded while a loan still needs it.
    hasActiveLoans: (borrowerId, executor) => hasActiveLoans(executor, borrowerId),
  });
  const settlement = createSettlementServices(db, {
    clock: deps.clock,
    lenders: { isKnownLender: async (code) => (await lenders.partners.findByCode(code)) !== undefined },
  });
  const journey = createJourney({
    db,
    clock: deps.clock,
    lenders,
    borrowers,
    whitelist,
    keyring,
    loanEvents: settlement.accruals,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const inbound = new InboundCallbacks(db, deps.callbackHandlers ?? journey.callbackHandlers, deps.clock);
  const deliver = lenderDelivery(
    // Without the registry a server process could not reach any partner: every call would
    // fail with "no endpoint" and be retried until it became a dead letter.
    deps.lenderEndpoints ?? registryEndpoints(lenders, deps.clock),
    keyring,
    () => deps.clock().getTime(),
    deps.fetch,
  );
  return {
    operators: new OperatorService(db, {
      clock: deps.clock,
      sessionTtlMinutes: deps.config.sessionTtlMinutes,
    }),
    lenders,
    conformance: new ConformanceRunner({
      lenders,
      runs: new ConformanceRunService(db, { clock: deps.clock }),
      keyring,
      clock: deps.clock,
      logger: deps.logger,
      settings: deps.config.conformance,
    }),
    borrowerSessions,
    channels,
    whitelist,
    borrowers,
    keyring,
    settlement,
    offers: journey.offers,
    applications: journey.applications,
    loans: journey.loans,
    entryFor: journey.entryFor,
    inbound,
    protocol: new ProtocolOperations(db, deps.clock),
    audit: new AuditLog(db),
    statusPull: new StatusPuller({
      applications: journey.applications,
      loans: journey.loans,
      inbound,
      async ask(partnerId, query) {
        const now = deps.clock();
        const outcome = await deliver({
          id: randomUUID(),
          partnerId,
          call: 'status_query',
          requestId: `status-${randomUUID()}`,
          method: 'POST',
          path: STATUS_QUERY,
          body: query,
          attempts: 0,
          createdAt: now,
          giveUpAt: now,
        });
        return outcome.ok ? { ok: true, body: outcome.body } : { ok: false, error: outcome.error };
      },
      clock: deps.clock,
      logger: deps.logger,
      afterMs: deps.config.statusPullAfterMs,
      pollMs: deps.config.statusPullPollMs,
    }),
    outbox: new OutboxWorker({
      db,
      clock: deps.clock,
      logger: deps.logger,
      leaseMs: deps.config.outboxLeaseMs,
      batchSize: deps.config.outboxBatchSize,
      pollMs: deps.config.outboxPollMs,
      onDelivered: journey.onDelivered,
      onDeadLettered: journey.onDeadLettered,
      deliver,
    }),
  };
}

/**
 * The composition root of the HTTP application: builds the module services over one database and
 * hands them to the route plugins. Migrations and seeding happen before (see main.ts), so that the
 * health check only answers ok once they are done.
 */
export async function createApp(deps: AppDependencies): Promise<App> {
  const services = createServices(deps);
  const { db } = deps.database;
  await services.keyring.ensureSigningKey();
  // Runs left `running` by a process that stopped end as interrupted: on the embedded database
  // every one of them (no other process can have it open), on PostgreSQL those past their lease.
  await services.conformance.sweep({ everyRunning: deps.database.kind === 'pglite' });
  let migrated = false;
  const server = await buildServer({
    config: deps.config,
    logger: deps.logger,
    operators: services.operators,
    borrowerSessions: services.borrowerSessions,
    rateLimits: { limits: deps.config.rateLimits, clock: deps.clock },
    version: VERSION,
    routes: [
      healthRoutes({
        async check() {
          migrated ||= await isFullyMigrated(db);
          if (!migrated) throw new Error('migrations are pending');
          await sql`SELECT 1`.execute(db);
        },
      }),
      adminAuthRoutes(services.operators),
      adminOperatorRoutes(services.operators),
      adminChannelRoutes(services.channels),
      channelSessionRoutes(services.channels),
      ...(devMintingEnabled(deps.config) ? [devChannelTokenRoutes(services.channels)] : []),
      adminWhitelistRoutes(services.whitelist),
      borrowerEntryRoutes({ entryFor: services.entryFor }),
      borrowerSessionRoutes(services.borrowerSessions),
      adminLenderRoutes(services.lenders),
      adminConformanceRunRoutes(services.conformance),
      adminLenderProductRoutes(services.lenders),
      adminLenderKeyRoutes(services.lenders),
      adminLenderPreCheckKeyRoutes(services.lenders),
      adminAuditRoutes(services.audit),
      adminProtocolRoutes(services.protocol),
      adminSettlementRoutes(services.settlement),
      adminReconciliationRoutes(services.settlement),
      adminComplianceRoutes(services.borrowers),
      agreementRoutes(services.borrowers.agreements),
      borrowerProfileRoutes(services.borrowers.vault),
      borrowerConsentRoutes(services.borrowers),
      quoteRoutes,
      borrowerOfferRoutes(services.offers),
      borrowerApplicationRoutes(services.applications, services.loans),
      webRoutes(),
      openRoutes({
        rejections: services.protocol,
        partnerKeys: deps.partnerKeys ?? services.lenders.keys.keyLookup(),
        nonces: new DatabaseNonceStore(db, deps.clock),
        inbound: services.inbound,
        keyring: services.keyring,
        clock: deps.clock,
        async ipAllowed(partnerId, ip) {
          const lender = await services.lenders.partners.findByCode(partnerId);
          // A partner the registry does not know never gets here: its key lookup fails first.
          return lender === undefined || isIpAllowed(lender.ipAllowList, ip);
        },
      }),
    ],
  });
  return { server, services };
}
