/** Rows → the plain values the module hands out. */
import type { Selectable } from 'kysely';
import type { RepaymentMethod } from '../money/index.ts';
import type { ConformanceRun, DataCategory, Funder, Lender, StatusChange } from './model.ts';
import type { ConformanceRunRow, LenderFunderRow, LenderRow, LenderStatusHistoryRow } from './tables.ts';

export function toFunder(row: Selectable<LenderFunderRow>): Funder {
  return {
    id: row.id,
    lenderId: row.funder_lender_id,
    kind: row.kind,
    legalName: row.legal_name,
    licenseNumber: row.license_number,
  };
}

export function toLender(row: Selectable<LenderRow>, funders: Funder[]): Lender {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    legalName: row.legal_name,
    licenseType: row.license_type,
    licenseNumber: row.license_number,
    funders,
    contact: { name: row.contact_name, email: row.contact_email, phone: row.contact_phone },
    securityCertification:
      row.security_cert_level !== null &&
      row.security_cert_number !== null &&
      row.security_cert_expires_on !== null
        ? {
            level: row.security_cert_level,
            certificateNumber: row.security_cert_number,
            expiresOn: row.security_cert_expires_on,
          }
        : null,
    contractReference: row.contract_reference,
    status: row.status,
    dailyApplicationQuota: row.daily_application_quota,
    ipAllowList: row.ip_allow_list,
    callbackBaseUrl: row.callback_base_url,
    timeouts: {
      preCheckMs: row.timeout_pre_check_ms,
      applyMs: row.timeout_apply_ms,
      drawdownMs: row.timeout_drawdown_ms,
      repayMs: row.timeout_repay_ms,
      statusQueryMs: row.timeout_status_query_ms,
    },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toStatusChange(row: Selectable<LenderStatusHistoryRow>): StatusChange {
  return {
    id: row.id,
    lenderId: row.lender_id,
    from: row.from_status,
    to: row.to_status,
    reason: row.reason,
    actorType: row.actor_type,
    actorId: row.actor_id,
    requestId: row.request_id,
    at: row.at.toISOString(),
  };
}

export function toConformanceRun(row: Selectable<ConformanceRunRow>): ConformanceRun {
  return {
    id: row.id,
    lenderId: row.lender_id,
    status: row.status,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    passed: row.passed,
    failureReason: row.failure_reason,
    progress:
      row.checks_done === null || row.checks_total === null
        ? null
        : { done: row.checks_done, total: row.checks_total },
    lenderUrl: row.lender_url,
    keySetDigest: row.key_set_digest,
    callbackUrl: row.callback_url,
    requestedBy: row.requested_by,
    report: row.report,
    recordedAt: row.recorded_at.toISOString(),
  };
}

/** Narrowing casts for text columns whose values the database CHECKs keep within the lists. */
export const asMethods = (values: readonly string[]): RepaymentMethod[] => values as RepaymentMethod[];
export const asCategories = (values: readonly string[]): DataCategory[] => values as DataCategory[];
