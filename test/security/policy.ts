/**
 * The declared authorization policy: for every operation of the OpenAPI document (`METHOD /path`),
 * what each principal may do. test/security/authz.test.ts checks the running app against it, with
 * realistic fixtures (the resources belong to borrower A and lender A), and fails for an operation
 * without a row here.
 *
 * Principals: anonymous; borrower A (owns the fixtures), borrower B (same channel), borrower C
 * (another channel); each operator role; lender A (the lender of A's application and loan) and
 * lender B, each signing its envelopes with its own key.
 *
 * Verdicts:
 * - allow: 2xx, or a business refusal with one of the listed codes (never an authorization code).
 * - own: as allow, but on the caller's own data: the answer holds nothing of borrower A's.
 * - deny: one of the listed statuses, and nothing of borrower A's in the answer.
 * - isolated: accepted into the caller's own namespace (a lender's callback about its own loan id,
 *   held back as 202 deferred): borrower A's loan is exactly as before.
 */
import type { OperatorRole } from '../../src/operators/roles.ts';

export const PRINCIPALS = [
  'anonymous',
  'borrowerA',
  'borrowerB',
  'borrowerC',
  'admin',
  'operator',
  'finance',
  'compliance',
  'lenderA',
  'lenderB',
] as const;
export type Principal = (typeof PRINCIPALS)[number];

export type Expectation =
  | { readonly verdict: 'allow'; readonly codes: readonly string[] }
  | { readonly verdict: 'own'; readonly codes: readonly string[] }
  | { readonly verdict: 'deny'; readonly statuses: readonly number[] }
  | { readonly verdict: 'isolated' };

export type PolicyRow = Readonly<Record<Principal, Expectation>>;

const allow = (...codes: string[]): Expectation => ({ verdict: 'allow', codes });
const own = (...codes: string[]): Expectation => ({ verdict: 'own', codes });
const deny = (...statuses: number[]): Expectation => ({ verdict: 'deny', statuses });
const ISOLATED: Expectation = { verdict: 'isolated' };

const BORROWERS = ['borrowerA', 'borrowerB', 'borrowerC'] as const;
const OPERATORS = ['admin', 'operator', 'finance', 'compliance'] as const;
const LENDERS = ['lenderA', 'lenderB'] as const;

function row(entries: Partial<Record<Principal, Expectation>>, rest: Expectation): PolicyRow {
  return Object.fromEntries(PRINCIPALS.map((p) => [p, entries[p] ?? rest])) as PolicyRow;
}

/** Anyone, signed in or not (public reads, sign-in routes, quotes). */
function publicRoute(...codes: string[]): PolicyRow {
  return row({}, allow(...codes));
}

/**
 * Operators holding one of `roles` (admin always); other roles 403; no operator session 401 —
 * borrowers' tokens and lenders' envelopes are not operator sessions.
 */
function operators(roles: readonly OperatorRole[], ...codes: string[]): PolicyRow {
  const entries: Partial<Record<Principal, Expectation>> = {};
  for (const role of OPERATORS)
    entries[role] = role === 'admin' || roles.includes(role) ? allow(...codes) : deny(403);
  return row(entries, deny(401));
}

/** A borrower route on a resource of borrower A: others of any channel get 404, never A's data. */
function borrowersResource(...codes: string[]): PolicyRow {
  return row({ borrowerA: allow(...codes), borrowerB: deny(404), borrowerC: deny(404) }, deny(401));
}

/** A borrower route on the caller's own data (lists, profile, entry): each borrower sees their own. */
function borrowersOwn(
  codesOfA: readonly string[] = [],
  codesOfOthers: readonly string[] = codesOfA,
): PolicyRow {
  return row(
    {
      borrowerA: allow(...codesOfA),
      borrowerB: own(...codesOfOthers),
      borrowerC: own(...codesOfOthers),
    },
    deny(401),
  );
}

/**
 * A lender callback about borrower A's application or loan: only a signed envelope gets past the
 * envelope check (no envelope: 400 MALFORMED_ENVELOPE, or 401); lender A's is applied (or refused
 * on business grounds); lender B's is refused as not its own, or kept apart in its own namespace.
 */
function callback(otherLender: Expectation, ...codes: string[]): PolicyRow {
  return row({ lenderA: allow(...codes), lenderB: otherLender }, deny(400, 401));
}

const LENDER_READ: readonly OperatorRole[] = ['operator', 'finance', 'compliance'];
const LENDER_WRITE: readonly OperatorRole[] = ['operator'];
const CHANNEL: readonly OperatorRole[] = ['operator'];
const WHITELIST: readonly OperatorRole[] = ['operator'];
const SETTLEMENT_READ: readonly OperatorRole[] = ['finance', 'compliance'];
const SETTLEMENT_WRITE: readonly OperatorRole[] = ['finance'];
const COMPLIANCE: readonly OperatorRole[] = ['compliance'];
const ALL_ROLES: readonly OperatorRole[] = ['operator', 'finance', 'compliance'];

export const POLICY: Readonly<Record<string, PolicyRow>> = {
  'GET /healthz': publicRoute(),
  'GET /open/v1/keys': publicRoute(),
  'GET /open/v1/contract': publicRoute(),
  'GET /api/v1/agreements': publicRoute(),
  'GET /api/v1/agreements/{id}': publicRoute(),
  'POST /api/v1/quotes': publicRoute(),
  'POST /api/v1/quotes/payoff': publicRoute(),
  // Signing in needs credentials, not a session: whoever holds them.
  'POST /api/v1/admin/sessions': publicRoute(),
  'POST /api/v1/channels/{code}/sessions': publicRoute(),
  // Demo mode only (never in production): minting a demo user's sign-in token is the demo's door.
  'POST /api/v1/dev/channels/{code}/tokens': publicRoute(),

  // Operator sessions: every role, on its own session.
  'DELETE /api/v1/admin/sessions/current': operators(ALL_ROLES),
  'GET /api/v1/admin/me': operators(ALL_ROLES),
  'PUT /api/v1/admin/me/password': operators(ALL_ROLES),
  'GET /api/v1/admin/operators': operators([]),
  'POST /api/v1/admin/operators': operators([]),

  'GET /api/v1/admin/channels': operators(CHANNEL),
  'POST /api/v1/admin/channels': operators(CHANNEL),
  'GET /api/v1/admin/channels/{code}': operators(CHANNEL),
  'PATCH /api/v1/admin/channels/{code}': operators(CHANNEL),
  'POST /api/v1/admin/channels/{code}/disable': operators(CHANNEL),
  'POST /api/v1/admin/channels/{code}/enable': operators(CHANNEL),
  'GET /api/v1/admin/channels/{code}/keys': operators(CHANNEL),
  'POST /api/v1/admin/channels/{code}/keys': operators(CHANNEL),
  'POST /api/v1/admin/channels/{code}/keys/{kid}/revoke': operators(CHANNEL),

  'POST /api/v1/admin/whitelists/{channel}/imports': operators(WHITELIST),
  'GET /api/v1/admin/whitelists/{channel}': operators(WHITELIST),
  'GET /api/v1/admin/whitelists/{channel}/imports/{version}': operators(WHITELIST),
  'GET /api/v1/admin/whitelists/{channel}/versions': operators(WHITELIST),
  'POST /api/v1/admin/whitelists/{channel}/versions/{version}/activate': operators(WHITELIST),
  'DELETE /api/v1/admin/whitelists/{channel}/versions/{version}': operators(WHITELIST),
  'PUT /api/v1/admin/whitelists/{channel}/rollouts/{segment}': operators(WHITELIST),
  'PUT /api/v1/admin/whitelists/{channel}/kill-switch': operators(WHITELIST),
  'GET /api/v1/admin/whitelists/kill-switch': operators(WHITELIST),
  'PUT /api/v1/admin/whitelists/kill-switch': operators(WHITELIST),
  'PUT /api/v1/admin/whitelists/{channel}/phone-salt': operators(WHITELIST),

  'GET /api/v1/admin/lenders': operators(LENDER_READ),
  'POST /api/v1/admin/lenders': operators(LENDER_WRITE),
  'GET /api/v1/admin/lenders/{lenderId}': operators(LENDER_READ),
  'PATCH /api/v1/admin/lenders/{lenderId}': operators(LENDER_WRITE),
  'POST /api/v1/admin/lenders/{lenderId}/status': operators(LENDER_WRITE),
  'GET /api/v1/admin/lenders/{lenderId}/status-history': operators(LENDER_READ),
  'GET /api/v1/admin/lenders/{lenderId}/conformance-runs': operators(LENDER_READ),
  // Operator-run conformance: starting a run is a write (it calls the partner), following it a read.
  'POST /api/v1/admin/lenders/{lenderId}/conformance-runs': operators(LENDER_WRITE),
  'GET /api/v1/admin/lenders/{lenderId}/conformance-runs/{runId}': operators(LENDER_READ),
  'GET /api/v1/admin/lenders/{lenderId}/products': operators(LENDER_READ),
  'POST /api/v1/admin/lenders/{lenderId}/products': operators(LENDER_WRITE),
  'GET /api/v1/admin/lenders/{lenderId}/products/{productId}': operators(LENDER_READ),
  'PATCH /api/v1/admin/lenders/{lenderId}/products/{productId}': operators(LENDER_WRITE),
  'POST /api/v1/admin/lenders/{lenderId}/products/{productId}/status': operators(LENDER_WRITE),
  'GET /api/v1/admin/lenders/{lenderId}/keys': operators(LENDER_READ),
  'POST /api/v1/admin/lenders/{lenderId}/keys': operators(LENDER_WRITE),
  'POST /api/v1/admin/lenders/{lenderId}/keys/{kid}/revoke': operators(LENDER_WRITE),
  // Pre-check keys: the list holds ids and times only; rotating answers the new secret once.
  'GET /api/v1/admin/lenders/{lenderId}/pre-check-keys': operators(LENDER_READ),
  'POST /api/v1/admin/lenders/{lenderId}/pre-check-keys': operators(LENDER_WRITE),

  'GET /api/v1/admin/audit': operators(COMPLIANCE),
  'GET /api/v1/admin/protocol/dead-letters': operators(['operator']),
  'POST /api/v1/admin/protocol/dead-letters/{id}/requeue': operators(['operator']),
  'GET /api/v1/admin/protocol/rejections': operators(['operator', 'compliance']),
  'GET /api/v1/admin/protocol/callbacks': operators(['operator', 'compliance']),

  'GET /api/v1/admin/settlement/contracts': operators(SETTLEMENT_READ),
  'GET /api/v1/admin/settlement/contracts/{lenderCode}': operators(SETTLEMENT_READ),
  'POST /api/v1/admin/settlement/contracts/{lenderCode}/versions': operators(SETTLEMENT_WRITE),
  'GET /api/v1/admin/settlement/ledger/balances': operators(SETTLEMENT_READ),
  'GET /api/v1/admin/settlement/ledger/entries': operators(SETTLEMENT_READ),
  'POST /api/v1/admin/settlement/ledger/verify': operators(SETTLEMENT_READ),
  // A month's statement is generated once; asking again is a conflict, not a denial.
  'POST /api/v1/admin/settlement/statements': operators(SETTLEMENT_WRITE, 'CONFLICT', 'INVALID_STATE'),
  'GET /api/v1/admin/settlement/statements': operators(SETTLEMENT_READ),
  'GET /api/v1/admin/settlement/statements/{statementId}': operators(SETTLEMENT_READ),
  'GET /api/v1/admin/settlement/statements/{statementId}/lines': operators(SETTLEMENT_READ),
  'POST /api/v1/admin/settlement/statements/{statementId}/status': operators(SETTLEMENT_WRITE),
  'GET /api/v1/admin/settlement/statements/{statementId}/download': operators(SETTLEMENT_READ),
  'POST /api/v1/admin/settlement/reconciliations': operators(SETTLEMENT_WRITE),
  'GET /api/v1/admin/settlement/reconciliations': operators(SETTLEMENT_READ),
  'GET /api/v1/admin/settlement/reconciliations/{runId}': operators(SETTLEMENT_READ),
  'POST /api/v1/admin/settlement/reconciliations/{runId}/differences/{differenceId}/resolve':
    operators(SETTLEMENT_WRITE),
  'GET /api/v1/admin/settlement/reconciliations/{runId}/report': operators(SETTLEMENT_READ),

  'GET /api/v1/admin/compliance/consents': operators(COMPLIANCE),
  'GET /api/v1/admin/compliance/data-releases': operators(COMPLIANCE),
  'POST /api/v1/admin/compliance/release-chain/verify': operators(COMPLIANCE),
  'POST /api/v1/admin/compliance/agreements': operators(COMPLIANCE),
  'POST /api/v1/admin/compliance/lenders/{lenderId}/pi-authorization': operators(COMPLIANCE),

  // The borrower's own session, data and journey.
  'GET /api/v1/borrower/entry': borrowersOwn(),
  'DELETE /api/v1/borrower/session': borrowersOwn(),
  'GET /api/v1/borrower/profile': borrowersOwn(),
  'PUT /api/v1/borrower/profile': borrowersOwn(),
  // A's data cannot be shredded while A's loan runs.
  'DELETE /api/v1/borrower/profile': borrowersOwn(['CONFLICT']),
  'GET /api/v1/borrower/consents': borrowersOwn(),
  'POST /api/v1/borrower/consents': borrowersOwn(),
  'DELETE /api/v1/borrower/consents/{id}': borrowersResource(),
  'GET /api/v1/borrower/data-releases': borrowersOwn(),
  'GET /api/v1/borrower/offers': borrowersOwn(),
  // Applying again is judged on the journey's own rules; others have no pre-check or consent.
  'POST /api/v1/borrower/applications': borrowersOwn(
    ['CONFLICT', 'LENDER_OVER_QUOTA'],
    ['CONSENT_REQUIRED', 'PRECHECK_REQUIRED', 'CONFLICT', 'LENDER_OVER_QUOTA', 'NOT_WHITELISTED'],
  ),
  'GET /api/v1/borrower/applications': borrowersOwn(),
  'GET /api/v1/borrower/applications/{id}': borrowersResource(),
  // A's application is drawn: too late to cancel, disclose or draw again.
  'POST /api/v1/borrower/applications/{id}/cancel': borrowersResource('CONFLICT', 'INVALID_STATE'),
  'POST /api/v1/borrower/applications/{id}/disclosure': borrowersResource('CONFLICT', 'INVALID_STATE'),
  'POST /api/v1/borrower/applications/{id}/drawdowns': borrowersResource('CONFLICT', 'INVALID_STATE'),
  'GET /api/v1/borrower/loans': borrowersOwn(),
  'GET /api/v1/borrower/loans/{id}': borrowersResource(),
  'GET /api/v1/borrower/loans/{id}/payoff-quote': borrowersResource(),
  // One repayment at a time.
  'POST /api/v1/borrower/loans/{id}/repayments': borrowersResource('CONFLICT'),

  // Lender callbacks about A's application (lender B: 403) and A's loan (lender B's loan ids are
  // its own: held back, A's loan untouched). Lender A's repeats are conflicts or stale versions.
  'POST /open/v1/callbacks/credit-decision': callback(deny(403), 'CONFLICT', 'INVALID_STATE'),
  'POST /open/v1/callbacks/disbursement': callback(deny(403), 'CONFLICT', 'INVALID_STATE'),
  'POST /open/v1/callbacks/repayment-schedule': callback(ISOLATED),
  'POST /open/v1/callbacks/repayment': callback(ISOLATED),
  'POST /open/v1/callbacks/loan-status': callback(ISOLATED),
};

export const PRINCIPAL_GROUPS = { BORROWERS, OPERATORS, LENDERS } as const;
