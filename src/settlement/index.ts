/**
 * Settlement: revenue-share contracts, fee accrual into the ledger, monthly statements and
 * reconciliation with lenders' daily files. Other modules use these services, never the tables.
 */

import type { Executor } from '../db/transaction.ts';
import { Ledger } from '../ledger/index.ts';
import type { LedgerTables } from '../ledger/tables.ts';
import type { Clock } from '../shared/clock.ts';
import { AccrualService } from './accruals.ts';
import { ContractService } from './contracts.ts';
import type { LenderDirectory } from './ports.ts';
import { ReconciliationService } from './reconciliation.ts';
import { StatementService } from './statements.ts';
import type { SettlementTables } from './tables.ts';

export type {
  ContractRule,
  ContractTerms,
  ReferralTerms,
  ServiceTerms,
  ServiceTier,
} from './contract-terms.ts';
export type { ContractVersion, NewContractVersion } from './contracts.ts';
export type { LenderDirectory } from './ports.ts';
export type { ReconciliationRun, StoredDifference } from './reconciliation.ts';
export type { StatementLine, StatementTotals } from './statement-builder.ts';
export { statementCsv, statementFileName, statementXlsx } from './statement-export.ts';
export { STATEMENT_STATUSES, STATEMENT_TRANSITIONS } from './statement-status.ts';
export { ALL_CHANNELS, type Statement, type StatementEvent } from './statements.ts';
export { DIFFERENCE_KINDS, type StatementStatus } from './tables.ts';
export { XLSX_CONTENT_TYPE } from './xlsx.ts';
export { AccrualService, ContractService, ReconciliationService, StatementService };

export interface SettlementServices {
  readonly ledger: Ledger;
  readonly contracts: ContractService;
  /** The LoanEvents listener to hand to LoanCallbacks: accrues fees in the callback's transaction. */
  readonly accruals: AccrualService;
  readonly statements: StatementService;
  readonly reconciliation: ReconciliationService;
}

export function createSettlementServices(
  // Settlement's own tables and the ledger's: the factory builds the ledger it posts to.
  db: Executor<SettlementTables & LedgerTables>,
  options: { readonly clock: Clock; readonly lenders: LenderDirectory },
): SettlementServices {
  const ledger = new Ledger(db, options.clock);
  const contracts = new ContractService(db, options.clock, options.lenders);
  return {
    ledger,
    contracts,
    accruals: new AccrualService(ledger, contracts, options.clock),
    statements: new StatementService(db, options.clock, ledger, options.lenders),
    reconciliation: new ReconciliationService(db, options.clock, options.lenders),
  };
}
