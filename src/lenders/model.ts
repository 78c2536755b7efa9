/** The partner registry as the rest of the system sees it: plain, readonly values. */
import type { DayCount, RepaymentMethod } from '../money/index.ts';
import type { PublicKeyRecord } from '../protocol/envelope/index.ts';
import type { ProductStatus } from './product-status.ts';
import type { LenderStatus } from './status.ts';

export const LENDER_KINDS = ['bank', 'consumer_finance', 'micro_loan', 'facilitator'] as const;
export type LenderKind = (typeof LENDER_KINDS)[number];

/** Kinds that hold a lending license themselves and may fund loans (银行, 消费金融公司, 小额贷款公司). */
export const LICENSED_KINDS = ['bank', 'consumer_finance', 'micro_loan'] as const;
export type LicensedKind = (typeof LICENSED_KINDS)[number];

export function isLicensedKind(kind: string): kind is LicensedKind {
  return (LICENSED_KINDS as readonly string[]).includes(kind);
}

/**
 * Data categories a product may require, matching what the borrower data vault holds. A lender
 * receives only the categories its product lists (COMPLIANCE.md: collect only what is needed).
 */
export const DATA_CATEGORIES = ['name', 'id_number', 'phone', 'bank_card', 'contacts'] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export interface Contact {
  readonly name: string;
  readonly email: string;
  readonly phone: string;
}

export interface SecurityCertification {
  /** E.g. 等保三级 (MLPS level 3). */
  readonly level: string;
  readonly certificateNumber: string;
  /** `YYYY-MM-DD`. */
  readonly expiresOn: string;
}

export interface Timeouts {
  readonly preCheckMs: number;
  readonly applyMs: number;
  readonly drawdownMs: number;
  readonly repayMs: number;
  readonly statusQueryMs: number;
}

export interface Funder {
  readonly id: string;
  /** The registered partner, when the funder is one; `null` when named by legal name + license. */
  readonly lenderId: string | null;
  readonly kind: LicensedKind;
  readonly legalName: string;
  readonly licenseNumber: string;
}

export interface Lender {
  readonly id: string;
  readonly code: string;
  readonly kind: LenderKind;
  readonly legalName: string;
  readonly licenseType: string | null;
  readonly licenseNumber: string | null;
  readonly funders: Funder[];
  readonly contact: Contact;
  readonly securityCertification: SecurityCertification | null;
  readonly contractReference: string | null;
  readonly status: LenderStatus;
  readonly dailyApplicationQuota: number;
  readonly ipAllowList: string[];
  readonly callbackBaseUrl: string;
  readonly timeouts: Timeouts;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A funder as given: a registered licensed partner, or (when not registered) its legal name and license. */
export interface FunderInput {
  readonly lenderId?: string;
  readonly kind?: LicensedKind;
  readonly legalName?: string;
  readonly licenseNumber?: string;
}

export interface NewLender {
  readonly code: string;
  readonly kind: LenderKind;
  readonly legalName: string;
  readonly licenseType?: string | null;
  readonly licenseNumber?: string | null;
  readonly funders?: readonly FunderInput[];
  readonly contact: Contact;
  readonly securityCertification?: SecurityCertification | null;
  readonly contractReference?: string | null;
  readonly dailyApplicationQuota: number;
  readonly ipAllowList?: readonly string[];
  readonly callbackBaseUrl: string;
  readonly timeouts?: Partial<Timeouts>;
}

/** A partial update; `null` clears an optional field. The code and the kind never change. */
export interface LenderChanges {
  readonly legalName?: string;
  readonly licenseType?: string | null;
  readonly licenseNumber?: string | null;
  readonly funders?: readonly FunderInput[];
  readonly contact?: Partial<Contact>;
  readonly securityCertification?: SecurityCertification | null;
  readonly contractReference?: string | null;
  readonly dailyApplicationQuota?: number;
  readonly ipAllowList?: readonly string[];
  readonly callbackBaseUrl?: string;
  readonly timeouts?: Partial<Timeouts>;
}

export interface StatusChange {
  readonly id: number;
  readonly lenderId: string;
  readonly from: LenderStatus | null;
  readonly to: LenderStatus;
  readonly reason: string;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly requestId: string | null;
  readonly at: string;
}

export type ConformanceRunStatus = 'running' | 'passed' | 'failed';

export interface ConformanceRun {
  readonly id: number;
  readonly lenderId: string;
  /** `running` (an operator-run in the background) until it ends `passed` or `failed`. */
  readonly status: ConformanceRunStatus;
  readonly startedAt: string;
  /** Null while running. */
  readonly finishedAt: string | null;
  /** Null while running. */
  readonly passed: boolean | null;
  /** Why a run failed without its checks' verdict: `interrupted` (its process stopped), `error: …`. */
  readonly failureReason: string | null;
  /** Checks done and in all, for an operator-run; null for a run recorded whole. */
  readonly progress: { readonly done: number; readonly total: number } | null;
  /** The partner's base URL the run called (null: recorded before this was kept). */
  readonly lenderUrl: string | null;
  /** Digest of the partner's key set the run used ({@link keySetDigest}). */
  readonly keySetDigest: string | null;
  /** Where the kit listened for the partner's callbacks during the run. */
  readonly callbackUrl: string | null;
  /** The operator who started an operator-run. */
  readonly requestedBy: string | null;
  /** The report: `checks` (each with id, title, status, detail, durationMs), and when done the rest. */
  readonly report: Record<string, unknown>;
  readonly recordedAt: string;
}

/** What a conformance run was against: the partner's base URL and its key set. */
export interface ConformanceTarget {
  readonly lenderUrl: string;
  readonly keys: readonly PublicKeyRecord[];
}

export interface NewConformanceRun {
  readonly lenderId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly passed: boolean;
  /** The runner's report (checks, timings, failures). Never borrower data: the runner uses test data. */
  readonly report: Readonly<Record<string, unknown>>;
  /**
   * What the run called and with which keys. Omitted: the partner as registered now (its base URL
   * and the key set valid now) — for a runner that used exactly those.
   */
  readonly target?: ConformanceTarget;
}

export interface Product {
  readonly id: string;
  readonly lenderId: string;
  readonly code: string;
  readonly name: string;
  /** Who grants the credit: the partner itself, or for a facilitator one of its funders. */
  readonly funder: {
    readonly funderId: string | null;
    readonly legalName: string;
    readonly licenseNumber: string | null;
  };
  readonly aprMin: string;
  readonly aprMax: string;
  readonly amountMinFen: number;
  readonly amountMaxFen: number;
  readonly termsMonths: number[];
  readonly repaymentMethods: RepaymentMethod[];
  readonly dayCount: DayCount;
  readonly dataCategories: DataCategory[];
  readonly status: ProductStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewProduct {
  readonly code: string;
  readonly name: string;
  /** Required for a facilitator (one of its funders); omitted when the partner funds itself. */
  readonly funderId?: string | null;
  readonly aprMin: string;
  readonly aprMax: string;
  readonly amountMinFen: number;
  readonly amountMaxFen: number;
  readonly termsMonths: readonly number[];
  readonly repaymentMethods: readonly RepaymentMethod[];
  readonly dayCount?: DayCount;
  readonly dataCategories: readonly DataCategory[];
}

export type ProductChanges = Partial<Omit<NewProduct, 'code'>>;

/** One page of a list and the cursor of the next page (`null` on the last page). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}
