/**
 * Pure validation of a partner's admission record: licenses, funders, contact, certification,
 * quota, allow-list, callback URL and timeouts. Every problem is collected and reported at once.
 */
import { parseCidr } from './cidr.ts';
import {
  type Contact,
  type FunderInput,
  isLicensedKind,
  type LenderChanges,
  type LenderKind,
  LICENSED_KINDS,
  type NewLender,
  type SecurityCertification,
  type Timeouts,
} from './model.ts';
import { isCalendarDate, type Problems, text } from './problems.ts';

export const LENDER_CODE_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;
export const MAX_DAILY_QUOTA = 10_000_000;
export const MAX_ALLOW_LIST_ENTRIES = 100;
export const MAX_FUNDERS = 20;

/**
 * Per-call timeouts of outbound calls to a partner. The pre-check is answered inside the offer
 * page's latency budget (about 1 s, PROTOCOL.md), so it has the tightest bounds.
 */
export const TIMEOUT_LIMITS: Readonly<Record<keyof Timeouts, { default: number; min: number; max: number }>> =
  {
    preCheckMs: { default: 1_000, min: 100, max: 3_000 },
    applyMs: { default: 10_000, min: 500, max: 60_000 },
    drawdownMs: { default: 10_000, min: 500, max: 60_000 },
    repayMs: { default: 10_000, min: 500, max: 60_000 },
    statusQueryMs: { default: 5_000, min: 500, max: 30_000 },
  };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 -]{5,19}$/;

/** A checked, canonical callback base URL (no trailing slash), or a problem. */
export function checkCallbackBaseUrl(problems: Problems, field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    problems.add(field, 'must be an absolute http or https URL');
    return value;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.add(field, 'must use http or https');
  else if (url.username !== '' || url.password !== '') problems.add(field, 'must not carry credentials');
  else if (url.search !== '' || url.hash !== '') problems.add(field, 'must not have a query or fragment');
  else if (url.href.length > 2048) problems.add(field, 'must be at most 2048 characters');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Canonical, de-duplicated CIDR blocks, or a problem naming each bad entry. */
export function checkAllowList(problems: Problems, field: string, entries: readonly string[]): string[] {
  if (entries.length > MAX_ALLOW_LIST_ENTRIES) {
    problems.add(field, `must have at most ${MAX_ALLOW_LIST_ENTRIES} entries`);
    return [];
  }
  const out: string[] = [];
  entries.forEach((entry, index) => {
    const parsed = parseCidr(entry);
    if (!parsed.ok) problems.add(`${field}.${index}`, parsed.message);
    else if (!out.includes(parsed.block.text)) out.push(parsed.block.text);
  });
  return out;
}

export function checkTimeouts(
  problems: Problems,
  field: string,
  given: Partial<Timeouts> | undefined,
  base?: Timeouts,
): Timeouts {
  const out = {} as Record<keyof Timeouts, number>;
  for (const [name, limit] of Object.entries(TIMEOUT_LIMITS) as [
    keyof Timeouts,
    (typeof TIMEOUT_LIMITS)[keyof Timeouts],
  ][]) {
    const value = given?.[name] ?? base?.[name] ?? limit.default;
    if (!Number.isInteger(value) || value < limit.min || value > limit.max) {
      problems.add(`${field}.${name}`, `must be an integer from ${limit.min} to ${limit.max} ms`);
    }
    out[name] = value;
  }
  return out;
}

export function checkContact(problems: Problems, field: string, contact: Contact): Contact {
  const name = text(problems, `${field}.name`, contact.name, 100);
  const email = contact.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) problems.add(`${field}.email`, 'must be an email address');
  const phone = contact.phone.trim();
  if (!PHONE.test(phone))
    problems.add(`${field}.phone`, 'must be a phone number (digits, spaces, dashes, optional +)');
  return { name, email, phone };
}

export function checkCertification(
  problems: Problems,
  field: string,
  cert: SecurityCertification | null | undefined,
): SecurityCertification | null {
  if (cert === null || cert === undefined) return null;
  const level = text(problems, `${field}.level`, cert.level, 50);
  const certificateNumber = text(problems, `${field}.certificateNumber`, cert.certificateNumber, 100);
  if (!isCalendarDate(cert.expiresOn)) problems.add(`${field}.expiresOn`, 'must be a date YYYY-MM-DD');
  return { level, certificateNumber, expiresOn: cert.expiresOn };
}

/** Whether a certification is on record and still valid on `today` (`YYYY-MM-DD`). */
export function isCertificationValid(cert: SecurityCertification | null, today: string): boolean {
  return cert !== null && cert.expiresOn >= today;
}

/**
 * Checks the shape of the funders a partner names: a facilitator must name one or more licensed
 * funders (a registered partner by id, or a legal name + license number); a licensed partner funds
 * its own loans and names none. Whether a referenced partner exists is the service's to check.
 */
export function checkFunders(
  problems: Problems,
  field: string,
  kind: LenderKind,
  funders: readonly FunderInput[] | undefined,
): FunderInput[] {
  const list = funders ?? [];
  if (kind !== 'facilitator') {
    if (list.length > 0)
      problems.add(field, 'only a facilitator names funders; a licensed partner funds itself');
    return [];
  }
  if (list.length === 0) {
    problems.add(field, 'a facilitator must name at least one licensed funder');
    return [];
  }
  if (list.length > MAX_FUNDERS) problems.add(field, `must have at most ${MAX_FUNDERS} entries`);
  return list.map((funder, index) => {
    const at = `${field}.${index}`;
    if (funder.lenderId !== undefined) {
      if (funder.kind !== undefined || funder.legalName !== undefined || funder.licenseNumber !== undefined) {
        problems.add(at, 'give either lenderId (a registered partner) or kind, legalName and licenseNumber');
      }
      return { lenderId: funder.lenderId };
    }
    if (funder.kind === undefined || !isLicensedKind(funder.kind)) {
      problems.add(`${at}.kind`, `must be one of ${LICENSED_KINDS.join(', ')}`);
    }
    const legalName = text(problems, `${at}.legalName`, funder.legalName ?? '', 200);
    const licenseNumber = text(problems, `${at}.licenseNumber`, funder.licenseNumber ?? '', 100);
    return { kind: funder.kind, legalName, licenseNumber };
  });
}

function optionalText(
  problems: Problems,
  field: string,
  value: string | null | undefined,
  max: number,
): string | null {
  if (value === null || value === undefined) return null;
  return text(problems, field, value, max);
}

/** The license a partner of `kind` must hold: licensed kinds need both type and number. */
function checkLicense(
  problems: Problems,
  kind: LenderKind,
  licenseType: string | null,
  licenseNumber: string | null,
): void {
  if (!isLicensedKind(kind)) return;
  if (licenseType === null) problems.add('licenseType', `is required for a ${kind} partner`);
  if (licenseNumber === null) problems.add('licenseNumber', `is required for a ${kind} partner`);
}

/** A new partner's record, normalized; funders keep their input form for the service to resolve. */
export interface CheckedLender {
  readonly code: string;
  readonly kind: LenderKind;
  readonly legalName: string;
  readonly licenseType: string | null;
  readonly licenseNumber: string | null;
  readonly funders: readonly FunderInput[];
  readonly contact: Contact;
  readonly securityCertification: SecurityCertification | null;
  readonly contractReference: string | null;
  readonly dailyApplicationQuota: number;
  readonly ipAllowList: readonly string[];
  readonly callbackBaseUrl: string;
  readonly timeouts: Timeouts;
}

function checkQuota(problems: Problems, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_DAILY_QUOTA) {
    problems.add('dailyApplicationQuota', `must be an integer from 0 to ${MAX_DAILY_QUOTA}`);
  }
}

export function checkNewLender(problems: Problems, input: NewLender): CheckedLender {
  if (!LENDER_CODE_PATTERN.test(input.code)) {
    problems.add('code', 'must be 2–64 characters: lower-case letters, digits, dot, dash, underscore');
  }
  const licenseType = optionalText(problems, 'licenseType', input.licenseType, 100);
  const licenseNumber = optionalText(problems, 'licenseNumber', input.licenseNumber, 100);
  checkLicense(problems, input.kind, licenseType, licenseNumber);
  checkQuota(problems, input.dailyApplicationQuota);
  return {
    code: input.code,
    kind: input.kind,
    legalName: text(problems, 'legalName', input.legalName, 200),
    licenseType,
    licenseNumber,
    funders: checkFunders(problems, 'funders', input.kind, input.funders),
    contact: checkContact(problems, 'contact', input.contact),
    securityCertification: checkCertification(problems, 'securityCertification', input.securityCertification),
    contractReference: optionalText(problems, 'contractReference', input.contractReference, 200),
    dailyApplicationQuota: input.dailyApplicationQuota,
    ipAllowList: checkAllowList(problems, 'ipAllowList', input.ipAllowList ?? []),
    callbackBaseUrl: checkCallbackBaseUrl(problems, 'callbackBaseUrl', input.callbackBaseUrl),
    timeouts: checkTimeouts(problems, 'timeouts', input.timeouts),
  };
}

/** The partner's record after `changes`, checked as a whole (a license can't be cleared away). */
export function checkLenderChanges(
  problems: Problems,
  current: Omit<CheckedLender, 'funders'>,
  changes: LenderChanges,
): Omit<CheckedLender, 'funders'> & { readonly funders: readonly FunderInput[] | undefined } {
  const licenseType =
    changes.licenseType === undefined
      ? current.licenseType
      : optionalText(problems, 'licenseType', changes.licenseType, 100);
  const licenseNumber =
    changes.licenseNumber === undefined
      ? current.licenseNumber
      : optionalText(problems, 'licenseNumber', changes.licenseNumber, 100);
  checkLicense(problems, current.kind, licenseType, licenseNumber);
  if (changes.dailyApplicationQuota !== undefined) checkQuota(problems, changes.dailyApplicationQuota);
  return {
    code: current.code,
    kind: current.kind,
    legalName:
      changes.legalName === undefined
        ? current.legalName
        : text(problems, 'legalName', changes.legalName, 200),
    licenseType,
    licenseNumber,
    funders:
      changes.funders === undefined
        ? undefined
        : checkFunders(problems, 'funders', current.kind, changes.funders),
    contact:
      changes.contact === undefined
        ? current.contact
        : checkContact(problems, 'contact', { ...current.contact, ...changes.contact }),
    securityCertification:
      changes.securityCertification === undefined
        ? current.securityCertification
        : checkCertification(problems, 'securityCertification', changes.securityCertification),
    contractReference:
      changes.contractReference === undefined
        ? current.contractReference
        : optionalText(problems, 'contractReference', changes.contractReference, 200),
    dailyApplicationQuota: changes.dailyApplicationQuota ?? current.dailyApplicationQuota,
    ipAllowList:
      changes.ipAllowList === undefined
        ? current.ipAllowList
        : checkAllowList(problems, 'ipAllowList', changes.ipAllowList),
    callbackBaseUrl:
      changes.callbackBaseUrl === undefined
        ? current.callbackBaseUrl
        : checkCallbackBaseUrl(problems, 'callbackBaseUrl', changes.callbackBaseUrl),
    timeouts:
      changes.timeouts === undefined
        ? current.timeouts
        : checkTimeouts(problems, 'timeouts', changes.timeouts, current.timeouts),
  };
}
