import type { ApplicationTables } from '../applications/tables.ts';
import type { AuditTables } from '../audit/tables.ts';
import type { BorrowerTables } from '../borrowers/tables.ts';
import type { ChannelTables } from '../channels/tables.ts';
import type { DemoTables } from '../demo/tables.ts';
import type { LedgerTables } from '../ledger/tables.ts';
import type { LenderTables } from '../lenders/tables.ts';
import type { LoanTables } from '../loans/tables.ts';
import type { MarketplaceTables } from '../marketplace/tables.ts';
import type { OperatorTables } from '../operators/tables.ts';
import type { ProtocolTables } from '../protocol/tables.ts';
import type { SettlementTables } from '../settlement/tables.ts';
import type { WhitelistTables } from '../whitelist/tables.ts';

/**
 * The whole database as Kysely sees it: the union of the tables each module owns. A module reads
 * and writes only its own tables; this type exists so that one Kysely instance can serve them all.
 */
export interface Database
  extends OperatorTables,
    AuditTables,
    DemoTables,
    LenderTables,
    ProtocolTables,
    BorrowerTables,
    ApplicationTables,
    LoanTables,
    LedgerTables,
    SettlementTables,
    ChannelTables,
    WhitelistTables,
    MarketplaceTables {}
