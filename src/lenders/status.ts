/**
 * The partner admission life cycle as a pure state machine (no I/O, no clock):
 * applied → under_review → sandbox → active ⇄ suspended, and terminated from every later stage.
 */

export const LENDER_STATUSES = [
  'applied',
  'under_review',
  'sandbox',
  'active',
  'suspended',
  'terminated',
] as const;
export type LenderStatus = (typeof LENDER_STATUSES)[number];

/** Every allowed move. Anything not listed is refused, including staying where one is. */
export const LENDER_TRANSITIONS: Readonly<Record<LenderStatus, readonly LenderStatus[]>> = {
  applied: ['under_review'],
  under_review: ['sandbox', 'terminated'],
  sandbox: ['active', 'terminated'],
  active: ['suspended', 'terminated'],
  suspended: ['active', 'terminated'],
  terminated: [],
};

/** What admission has on record, looked up only when the move is to `active`. */
export interface ActivationReadiness {
  /** Whether the most recent finished conformance run passed; `null` when none was ever run. */
  readonly latestConformancePassed: boolean | null;
  /**
   * What the partner changed since that passed run — its base URL, its key set: a pass counts only
   * for the endpoint and the keys it tested. Empty (or omitted) when it still stands.
   */
  readonly conformanceOutdated?: readonly ('callbackBaseUrl' | 'keys')[];
  readonly hasContractReference: boolean;
  /** Whether a security certification is on record and not expired today. */
  readonly certificationValid: boolean;
}

export type TransitionVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'not_allowed'; readonly allowed: readonly LenderStatus[] }
  | {
      readonly ok: false;
      readonly reason: 'not_conformant';
      readonly latestConformancePassed: boolean | null;
      /** When it passed: what changed since (base URL, keys). */
      readonly outdated: readonly ('callbackBaseUrl' | 'keys')[];
    }
  | {
      readonly ok: false;
      readonly reason: 'admission_incomplete';
      readonly missing: readonly ('contractReference' | 'securityCertification')[];
    };

/**
 * Decides whether a partner may move from `from` to `to`. Moving to `active` (first activation or
 * the end of a suspension) also needs a passed latest conformance run — against the base URL and
 * keys the partner has now — a contract and a valid security certification: the partner is about
 * to receive borrowers' data.
 */
export function checkLenderTransition(
  from: LenderStatus,
  to: LenderStatus,
  readiness?: ActivationReadiness,
): TransitionVerdict {
  const allowed = LENDER_TRANSITIONS[from];
  if (!allowed.includes(to)) return { ok: false, reason: 'not_allowed', allowed };
  if (to !== 'active') return { ok: true };
  const passed = readiness?.latestConformancePassed ?? null;
  if (passed !== true)
    return { ok: false, reason: 'not_conformant', latestConformancePassed: passed, outdated: [] };
  const outdated = readiness?.conformanceOutdated ?? [];
  if (outdated.length > 0)
    return { ok: false, reason: 'not_conformant', latestConformancePassed: true, outdated };
  const missing: ('contractReference' | 'securityCertification')[] = [];
  if (!readiness?.hasContractReference) missing.push('contractReference');
  if (!readiness?.certificationValid) missing.push('securityCertification');
  return missing.length > 0 ? { ok: false, reason: 'admission_incomplete', missing } : { ok: true };
}

/**
 * Whether the marketplace may send a partner new applications (pre-checks included): only an
 * active partner with a non-zero daily quota. Suspension therefore stops new applications at once,
 * while loans in flight carry on (callbacks and repayments do not consult this).
 * Pass a freshly read partner; the daily count against the quota is the caller's to keep.
 */
export function isAcceptingApplications(lender: {
  readonly status: LenderStatus;
  readonly dailyApplicationQuota: number;
}): boolean {
  return lender.status === 'active' && lender.dailyApplicationQuota > 0;
}

/** Applications still allowed today, given how many were sent to this partner so far today. */
export function remainingDailyQuota(
  lender: { readonly status: LenderStatus; readonly dailyApplicationQuota: number },
  sentToday: number,
): number {
  if (!isAcceptingApplications(lender)) return 0;
  return Math.max(0, lender.dailyApplicationQuota - sentToday);
}

/** Whether a partner can still be edited, get products, keys or conformance runs. */
export function isTerminated(status: LenderStatus): boolean {
  return status === 'terminated';
}
