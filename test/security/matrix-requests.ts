/**
 * One realistic request per operation for the authorization matrix: valid bodies on the world's
 * fixtures (borrower A's application and loan, lender A's partner record…). A request that would
 * change a shared fixture for good (revoking a key, moving a partner's status, disabling a channel)
 * works on a throw-away resource made for that request.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../src/audit/audit-log.ts';
import { testKeyPair } from '../../src/channels/testing.ts';
import { bankBody, ed25519PublicPem, productBody } from '../../src/lenders/testing.ts';
import { chinaDate } from '../../src/shared/china-date.ts';
import type { Principal } from './policy.ts';
import type { World } from './world.ts';

export interface MatrixRequest {
  readonly url: string;
  readonly body?: unknown;
  /** Raw body text with its content type (the CSV import). */
  readonly raw?: { readonly text: string; readonly contentType: string };
}

export type Builder = (w: World, principal: Principal) => Promise<MatrixRequest>;

let counter = 0;
const next = () => {
  counter += 1;
  return `${process.pid}${counter}`;
};

/** A strong password that passes any strength rule (random, long, mixed). */
export const strongPassword = () => `Vx9!${randomBytes(12).toString('base64url')}#q`;

async function throwawayChannel(w: World): Promise<string> {
  const code = `mx_${next()}`;
  await w.t.app.services.channels.registry.create({ code, name: code }, SYSTEM_ACTOR);
  return code;
}

async function throwawayLender(w: World): Promise<string> {
  const body = bankBody({ code: `mx-${next()}` });
  const created = await w.t.app.services.lenders.partners.create(body as never, SYSTEM_ACTOR);
  return created.id;
}

async function throwawayProduct(w: World): Promise<string> {
  const product = productBody({ code: `mx-${next()}` }) as Record<string, unknown>;
  const created = await w.t.app.services.lenders.products.create(
    w.lenders.B.id,
    { ...product, funderId: null } as never,
    SYSTEM_ACTOR,
  );
  return created.id;
}

const csv = (users: readonly string[]) =>
  `channel_user_id,segment,limit_fen\n${users.map((u) => `${u},prime,100000`).join('\n')}\n`;

const signedCallbackKinds = [
  'credit-decision',
  'disbursement',
  'repayment-schedule',
  'repayment',
  'loan-status',
];

function isoIn(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}

/** Schedule installments of A's loan (1,000,000 fen over 12 months), at a given version. */
async function scheduleOfA(w: World): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<{
    period: number;
    due_date: string;
    principal_fen: number;
    interest_fen: number;
    fee_fen: number;
  }>`SELECT period, due_date, principal_fen, interest_fen, fee_fen FROM loan_installments
     WHERE loan_id = ${w.a.loanId} ORDER BY period`.execute(w.t.database.db);
  return rows.map((r) => ({
    period: r.period,
    dueDate: String(r.due_date).slice(0, 10),
    principalFen: Number(r.principal_fen),
    interestFen: Number(r.interest_fen),
    feeFen: Number(r.fee_fen),
    penaltyFen: 0,
    paidFen: 0,
    status: 'pending',
  }));
}

let scheduleVersion = 1;
let signInEmail: Promise<string> | undefined;
let statusVersion = 0;

export const REQUESTS: Readonly<Record<string, Builder>> = {
  'GET /healthz': async () => ({ url: '/healthz' }),
  'GET /open/v1/keys': async () => ({ url: '/open/v1/keys' }),
  'GET /open/v1/contract': async () => ({ url: '/open/v1/contract' }),
  'GET /api/v1/agreements': async (w) => ({ url: `/api/v1/agreements?lenderId=${w.lenders.A.id}` }),
  'GET /api/v1/agreements/{id}': async (w) => ({ url: `/api/v1/agreements/${w.a.agreementIds[0]}` }),
  'POST /api/v1/quotes': async () => ({
    url: '/api/v1/quotes',
    body: {
      principalFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
      annualRate: '0.12',
      startDate: '2026-01-15',
    },
  }),
  'POST /api/v1/quotes/payoff': async () => ({
    url: '/api/v1/quotes/payoff',
    body: {
      principalFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
      annualRate: '0.12',
      startDate: '2026-01-15',
      payoffDate: '2026-05-20',
    },
  }),
  'POST /api/v1/admin/sessions': async (w) => {
    // One account, signed in by every principal (hashing a password is slow on purpose).
    signInEmail ??= (async () => {
      const email = `mx-sign-in-${next()}@security.lendgate.local`;
      await w.t.app.services.operators.create(
        { email, displayName: email, password: MATRIX_PASSWORD, roles: ['compliance'] },
        SYSTEM_ACTOR,
      );
      return email;
    })();
    return { url: '/api/v1/admin/sessions', body: { email: await signInEmail, password: MATRIX_PASSWORD } };
  },
  'POST /api/v1/channels/{code}/sessions': async (w) => ({
    url: '/api/v1/channels/shop/sessions',
    body: { token: await w.channelToken(`mx-user-${next()}`) },
  }),

  'POST /api/v1/dev/channels/{code}/tokens': async () => ({
    url: '/api/v1/dev/channels/shop/tokens',
    body: { channelUserId: `mx-demo-${next()}` },
  }),

  'DELETE /api/v1/admin/sessions/current': async () => ({ url: '/api/v1/admin/sessions/current' }),
  'GET /api/v1/admin/me': async () => ({ url: '/api/v1/admin/me' }),
  'PUT /api/v1/admin/me/password': async () => ({
    url: '/api/v1/admin/me/password',
    body: { currentPassword: MATRIX_PASSWORD, newPassword: strongPassword() },
  }),
  'GET /api/v1/admin/operators': async () => ({ url: '/api/v1/admin/operators' }),
  'POST /api/v1/admin/operators': async () => ({
    url: '/api/v1/admin/operators',
    body: {
      email: `mx-${next()}@security.lendgate.local`,
      displayName: 'Matrix operator',
      password: strongPassword(),
      roles: ['finance'],
    },
  }),

  'GET /api/v1/admin/channels': async () => ({ url: '/api/v1/admin/channels' }),
  'POST /api/v1/admin/channels': async () => ({
    url: '/api/v1/admin/channels',
    body: { code: `mx_${next()}`, name: 'Matrix channel' },
  }),
  'GET /api/v1/admin/channels/{code}': async () => ({ url: '/api/v1/admin/channels/shop' }),
  'PATCH /api/v1/admin/channels/{code}': async (w) => ({
    url: `/api/v1/admin/channels/${await throwawayChannel(w)}`,
    body: { name: 'Renamed' },
  }),
  'POST /api/v1/admin/channels/{code}/disable': async (w) => ({
    url: `/api/v1/admin/channels/${await throwawayChannel(w)}/disable`,
    body: { reason: 'matrix' },
  }),
  'POST /api/v1/admin/channels/{code}/enable': async (w) => {
    const code = await throwawayChannel(w);
    await w.t.app.services.channels.registry.disable(code, 'matrix', SYSTEM_ACTOR);
    return { url: `/api/v1/admin/channels/${code}/enable` };
  },
  'GET /api/v1/admin/channels/{code}/keys': async () => ({ url: '/api/v1/admin/channels/shop/keys' }),
  'POST /api/v1/admin/channels/{code}/keys': async (w) => {
    const key = testKeyPair('EdDSA', `mx-${next()}`);
    return {
      url: `/api/v1/admin/channels/${await throwawayChannel(w)}/keys`,
      body: { kid: key.kid, alg: key.alg, jwk: key.publicJwk },
    };
  },
  'POST /api/v1/admin/channels/{code}/keys/{kid}/revoke': async (w) => {
    const code = await throwawayChannel(w);
    const key = testKeyPair('EdDSA', `mx-${next()}`);
    await w.t.app.services.channels.keys.add(
      code,
      { kid: key.kid, alg: key.alg, jwk: key.publicJwk },
      SYSTEM_ACTOR,
    );
    return { url: `/api/v1/admin/channels/${code}/keys/${key.kid}/revoke`, body: { reason: 'matrix' } };
  },

  'POST /api/v1/admin/whitelists/{channel}/imports': async (w) => ({
    url: `/api/v1/admin/whitelists/${await throwawayChannel(w)}/imports?activate=true`,
    raw: { text: csv(['mx-1', 'mx-2']), contentType: 'text/csv' },
  }),
  'GET /api/v1/admin/whitelists/{channel}': async () => ({ url: '/api/v1/admin/whitelists/shop' }),
  'GET /api/v1/admin/whitelists/{channel}/imports/{version}': async (w) => ({
    url: `/api/v1/admin/whitelists/shop/imports/${w.whitelistVersion}`,
  }),
  'GET /api/v1/admin/whitelists/{channel}/versions': async () => ({
    url: '/api/v1/admin/whitelists/shop/versions',
  }),
  'POST /api/v1/admin/whitelists/{channel}/versions/{version}/activate': async (w) => {
    const code = await throwawayChannel(w);
    const imported = await w.t.app.services.whitelist.importer.import(code, [csv(['mx-3'])], {
      actor: SYSTEM_ACTOR,
      source: 'seed',
      activate: false,
    });
    return { url: `/api/v1/admin/whitelists/${code}/versions/${imported.version.version}/activate` };
  },
  'DELETE /api/v1/admin/whitelists/{channel}/versions/{version}': async (w) => {
    const code = await throwawayChannel(w);
    const imported = await w.t.app.services.whitelist.importer.import(code, [csv(['mx-4'])], {
      actor: SYSTEM_ACTOR,
      source: 'seed',
      activate: false,
    });
    return { url: `/api/v1/admin/whitelists/${code}/versions/${imported.version.version}` };
  },
  'PUT /api/v1/admin/whitelists/{channel}/rollouts/{segment}': async (w) => ({
    url: `/api/v1/admin/whitelists/${await throwawayChannel(w)}/rollouts/prime`,
    body: { percent: 100 },
  }),
  'PUT /api/v1/admin/whitelists/{channel}/kill-switch': async (w) => ({
    url: `/api/v1/admin/whitelists/${await throwawayChannel(w)}/kill-switch`,
    body: { engaged: false, reason: 'matrix' },
  }),
  'GET /api/v1/admin/whitelists/kill-switch': async () => ({ url: '/api/v1/admin/whitelists/kill-switch' }),
  'PUT /api/v1/admin/whitelists/kill-switch': async () => ({
    url: '/api/v1/admin/whitelists/kill-switch',
    body: { engaged: false, reason: 'matrix' },
  }),
  'PUT /api/v1/admin/whitelists/{channel}/phone-salt': async (w) => ({
    url: `/api/v1/admin/whitelists/${await throwawayChannel(w)}/phone-salt`,
    body: { salt: `salt-${next()}-matrix` },
  }),

  'GET /api/v1/admin/lenders': async () => ({ url: '/api/v1/admin/lenders?limit=50' }),
  'POST /api/v1/admin/lenders': async () => ({
    url: '/api/v1/admin/lenders',
    body: bankBody({ code: `mx-${next()}` }),
  }),
  'GET /api/v1/admin/lenders/{lenderId}': async (w) => ({ url: `/api/v1/admin/lenders/${w.lenders.A.id}` }),
  'PATCH /api/v1/admin/lenders/{lenderId}': async (w) => ({
    url: `/api/v1/admin/lenders/${await throwawayLender(w)}`,
    body: { contractReference: 'HT-MATRIX' },
  }),
  'POST /api/v1/admin/lenders/{lenderId}/status': async (w) => ({
    url: `/api/v1/admin/lenders/${await throwawayLender(w)}/status`,
    body: { to: 'under_review', reason: 'matrix' },
  }),
  'GET /api/v1/admin/lenders/{lenderId}/status-history': async (w) => ({
    url: `/api/v1/admin/lenders/${w.lenders.A.id}/status-history?limit=10`,
  }),
  'GET /api/v1/admin/lenders/{lenderId}/conformance-runs': async (w) => ({
    url: `/api/v1/admin/lenders/${w.lenders.A.id}/conformance-runs?limit=10`,
  }),
  'POST /api/v1/admin/lenders/{lenderId}/conformance-runs': async (w) => {
    // A partner in the sandbox stage of its own, whose endpoint refuses connections at once: the
    // run starts (202) and fails quickly in the background.
    const created = await w.t.app.services.lenders.partners.create(
      bankBody({ code: `mx-${next()}`, callbackBaseUrl: 'http://127.0.0.1:9/lendgate' }) as never,
      SYSTEM_ACTOR,
    );
    for (const to of ['under_review', 'sandbox'] as const)
      await w.t.app.services.lenders.partners.transition(created.id, { to, reason: 'matrix' }, SYSTEM_ACTOR);
    return {
      url: `/api/v1/admin/lenders/${created.id}/conformance-runs`,
      body: { scenario: { productCode: 'mx-cash', amountFen: 1_000_000, termMonths: 12 } },
    };
  },
  'GET /api/v1/admin/lenders/{lenderId}/conformance-runs/{runId}': async (w) => {
    const runs = await w.t.app.services.lenders.partners.conformanceRuns(w.lenders.A.id, { limit: 1 });
    return { url: `/api/v1/admin/lenders/${w.lenders.A.id}/conformance-runs/${runs.items[0]!.id}` };
  },
  'GET /api/v1/admin/lenders/{lenderId}/products': async (w) => ({
    url: `/api/v1/admin/lenders/${w.lenders.A.id}/products?limit=10`,
  }),
  'POST /api/v1/admin/lenders/{lenderId}/products': async (w) => ({
    url: `/api/v1/admin/lenders/${w.lenders.B.id}/products`,
    body: productBody({ code: `mx-${next()}` }),
  }),
  'GET /api/v1/admin/lenders/{lenderId}/products/{productId}': async (w) => ({
    url: `/api/v1/admin/lenders/${w.lenders.A.id}/products/${w.lenders.A.productId}`,
  }),
  'PATCH /api/v1/admin/lenders/{lenderId}/products/{productId}': async (w) => ({
    url: `/api/v1/admin/lenders/${w.lenders.B.id}/products/${await throwawayProduct(w)}`,
    body: { name: '改名产品' },
  }),
  'POST /api/v1/admin/lenders/{lenderId}/products/{productId}/status': async (w) => ({
    url: `/api/v1/admin/lenders/${w.lenders.B.id}/products/${await throwawayProduct(w)}/status`,
    body: { to: 'in_review', reason: 'matrix' },
  }),
  'GET /api/v1/admin/lenders/{lenderId}/keys': async (w) => ({
    url: `/api/v1/admin/lenders/${w.lenders.A.id}/keys?limit=10`,
  }),
  'POST /api/v1/admin/lenders/{lenderId}/keys': async (w) => ({
    url: `/api/v1/admin/lenders/${await throwawayLender(w)}/keys`,
    body: { kid: `mx-${next()}`, algorithm: 'Ed25519', use: 'signing', publicKeyPem: ed25519PublicPem() },
  }),
  'POST /api/v1/admin/lenders/{lenderId}/keys/{kid}/revoke': async (w) => {
    const lenderId = await throwawayLender(w);
    const kid = `mx-${next()}`;
    await w.t.app.services.lenders.keys.add(
      lenderId,
      { kid, algorithm: 'Ed25519', use: 'signing', publicKeyPem: ed25519PublicPem() },
      SYSTEM_ACTOR,
    );
    return { url: `/api/v1/admin/lenders/${lenderId}/keys/${kid}/revoke`, body: { reason: 'matrix' } };
  },
  'GET /api/v1/admin/lenders/{lenderId}/pre-check-keys': async (w) => ({
    url: `/api/v1/admin/lenders/${w.lenders.A.id}/pre-check-keys?limit=10`,
  }),
  // On a throw-away partner: rotating lender A's key would change what its pre-checks carry.
  'POST /api/v1/admin/lenders/{lenderId}/pre-check-keys': async (w) => ({
    url: `/api/v1/admin/lenders/${await throwawayLender(w)}/pre-check-keys`,
    body: { previousKeyRetiresAt: new Date(Date.now() + 86_400_000).toISOString() },
  }),

  'GET /api/v1/admin/audit': async () => ({ url: '/api/v1/admin/audit?limit=20' }),
  'GET /api/v1/admin/protocol/dead-letters': async () => ({
    url: '/api/v1/admin/protocol/dead-letters?limit=20',
  }),
  'POST /api/v1/admin/protocol/dead-letters/{id}/requeue': async (w) => {
    // Dead again before each request, so that every allowed caller finds it to requeue.
    await sql`UPDATE outbox_messages SET status = 'dead' WHERE id = ${w.deadLetterId}`.execute(
      w.t.database.db,
    );
    return { url: `/api/v1/admin/protocol/dead-letters/${w.deadLetterId}/requeue` };
  },
  'GET /api/v1/admin/protocol/rejections': async () => ({
    url: '/api/v1/admin/protocol/rejections?limit=20',
  }),
  'GET /api/v1/admin/protocol/callbacks': async () => ({
    url: '/api/v1/admin/protocol/callbacks?status=applied&limit=20',
  }),

  'GET /api/v1/admin/settlement/contracts': async () => ({ url: '/api/v1/admin/settlement/contracts' }),
  'GET /api/v1/admin/settlement/contracts/{lenderCode}': async (w) => ({
    url: `/api/v1/admin/settlement/contracts/${w.lenders.A.code}`,
  }),
  'POST /api/v1/admin/settlement/contracts/{lenderCode}/versions': async (w) => ({
    url: `/api/v1/admin/settlement/contracts/${w.lenders.A.code}/versions`,
    body: {
      effectiveFrom: chinaDate(new Date(Date.now() + (10 + (counter % 300)) * 86_400_000)),
      reference: `HT-MX-${next()}`,
      terms: {
        rules: [
          {
            channels: null,
            referral: { type: 'fixed', fen: 5000 },
            service: { interestBps: 1500, feeBps: 0 },
          },
        ],
      },
    },
  }),
  'GET /api/v1/admin/settlement/ledger/balances': async () => ({
    url: '/api/v1/admin/settlement/ledger/balances',
  }),
  'GET /api/v1/admin/settlement/ledger/entries': async () => ({
    url: '/api/v1/admin/settlement/ledger/entries?limit=20',
  }),
  'POST /api/v1/admin/settlement/ledger/verify': async () => ({
    url: '/api/v1/admin/settlement/ledger/verify',
  }),
  'POST /api/v1/admin/settlement/statements': async (w) => ({
    url: '/api/v1/admin/settlement/statements',
    body: { lenderCode: w.lenders.B.code, month: lastMonth() },
  }),
  'GET /api/v1/admin/settlement/statements': async () => ({
    url: '/api/v1/admin/settlement/statements?limit=20',
  }),
  'GET /api/v1/admin/settlement/statements/{statementId}': async (w) => ({
    url: `/api/v1/admin/settlement/statements/${w.settlement.statementId}`,
  }),
  'GET /api/v1/admin/settlement/statements/{statementId}/lines': async (w) => ({
    url: `/api/v1/admin/settlement/statements/${w.settlement.statementId}/lines?limit=20`,
  }),
  'POST /api/v1/admin/settlement/statements/{statementId}/status': async (w) => {
    // Back to draft before each request, so that every allowed caller can issue it.
    await sql`UPDATE statements SET status = 'draft' WHERE id = ${w.settlement.statementId}`.execute(
      w.t.database.db,
    );
    return {
      url: `/api/v1/admin/settlement/statements/${w.settlement.statementId}/status`,
      body: { to: 'issued' },
    };
  },
  'GET /api/v1/admin/settlement/statements/{statementId}/download': async (w) => ({
    url: `/api/v1/admin/settlement/statements/${w.settlement.statementId}/download?format=csv`,
  }),
  'POST /api/v1/admin/settlement/reconciliations': async (w) => ({
    url: '/api/v1/admin/settlement/reconciliations',
    body: {
      lenderCode: w.lenders.A.code,
      date: chinaDate(new Date(Date.now() - 2 * 86_400_000)),
      fileName: 'matrix.csv',
      content:
        'type,business_id,loan_id,application_id,occurred_at,amount_fen,principal_fen,interest_fen,fee_fen,penalty_fen\r\n',
    },
  }),
  'GET /api/v1/admin/settlement/reconciliations': async () => ({
    url: '/api/v1/admin/settlement/reconciliations?limit=20',
  }),
  'GET /api/v1/admin/settlement/reconciliations/{runId}': async (w) => ({
    url: `/api/v1/admin/settlement/reconciliations/${w.settlement.runId}?unresolvedOnly=false`,
  }),
  'POST /api/v1/admin/settlement/reconciliations/{runId}/differences/{differenceId}/resolve': async (w) => {
    // Unresolved again before each request, so that every allowed caller can resolve it.
    await sql`UPDATE reconciliation_differences SET resolved_at = NULL, resolved_by = NULL, resolution_note = NULL
              WHERE id = ${w.settlement.differenceId}`.execute(w.t.database.db);
    return {
      url: `/api/v1/admin/settlement/reconciliations/${w.settlement.runId}/differences/${w.settlement.differenceId}/resolve`,
      body: { note: 'matrix' },
    };
  },
  'GET /api/v1/admin/settlement/reconciliations/{runId}/report': async (w) => ({
    url: `/api/v1/admin/settlement/reconciliations/${w.settlement.runId}/report?format=csv`,
  }),

  'GET /api/v1/admin/compliance/consents': async (w) => ({
    url: `/api/v1/admin/compliance/consents?borrowerId=${w.borrowers.A.borrowerId}&limit=20`,
  }),
  'GET /api/v1/admin/compliance/data-releases': async (w) => ({
    url: `/api/v1/admin/compliance/data-releases?borrowerId=${w.borrowers.A.borrowerId}&limit=20`,
  }),
  'POST /api/v1/admin/compliance/release-chain/verify': async (w) => ({
    url: '/api/v1/admin/compliance/release-chain/verify',
    body: { borrowerId: w.borrowers.A.borrowerId },
  }),
  'POST /api/v1/admin/compliance/agreements': async (w) => ({
    url: '/api/v1/admin/compliance/agreements',
    body: {
      kind: 'lender_loan_agreement',
      lenderId: w.lenders.B.id,
      title: '借款合同（矩阵）',
      text: `矩阵测试 ${next()}`,
    },
  }),
  'POST /api/v1/admin/compliance/lenders/{lenderId}/pi-authorization': async (w) => ({
    url: `/api/v1/admin/compliance/lenders/${w.lenders.B.id}/pi-authorization`,
    body: { categories: ['name', 'phone'], purpose: '矩阵测试', retention: '1年' },
  }),

  'GET /api/v1/borrower/entry': async () => ({ url: '/api/v1/borrower/entry' }),
  'DELETE /api/v1/borrower/session': async () => ({ url: '/api/v1/borrower/session' }),
  'GET /api/v1/borrower/profile': async () => ({ url: '/api/v1/borrower/profile' }),
  'PUT /api/v1/borrower/profile': async (w, principal) => {
    const own =
      principal === 'borrowerB' ? w.borrowers.B : principal === 'borrowerC' ? w.borrowers.C : w.borrowers.A;
    return { url: '/api/v1/borrower/profile', body: { name: own.profile.name } };
  },
  'DELETE /api/v1/borrower/profile': async () => ({ url: '/api/v1/borrower/profile' }),
  'GET /api/v1/borrower/consents': async () => ({ url: '/api/v1/borrower/consents' }),
  'POST /api/v1/borrower/consents': async (w) => ({
    url: '/api/v1/borrower/consents',
    body: {
      lenderId: w.lenders.B.id,
      agreements: await agreementsOf(w, w.lenders.B.id),
      device: { platform: 'web' },
    },
  }),
  'DELETE /api/v1/borrower/consents/{id}': async (w) => ({
    url: `/api/v1/borrower/consents/${w.a.consentId}`,
  }),
  'GET /api/v1/borrower/data-releases': async () => ({ url: '/api/v1/borrower/data-releases?limit=20' }),
  'GET /api/v1/borrower/offers': async () => ({ url: '/api/v1/borrower/offers' }),
  'POST /api/v1/borrower/applications': async (w) => ({
    url: '/api/v1/borrower/applications',
    body: {
      productId: w.lenders.A.productId,
      amountFen: 500_000,
      termMonths: 6,
      method: 'equal_installment',
    },
  }),
  'GET /api/v1/borrower/applications': async () => ({ url: '/api/v1/borrower/applications' }),
  'GET /api/v1/borrower/applications/{id}': async (w) => ({
    url: `/api/v1/borrower/applications/${w.a.applicationId}`,
  }),
  'POST /api/v1/borrower/applications/{id}/cancel': async (w) => ({
    url: `/api/v1/borrower/applications/${w.a.applicationId}/cancel`,
  }),
  'POST /api/v1/borrower/applications/{id}/disclosure': async (w) => ({
    url: `/api/v1/borrower/applications/${w.a.applicationId}/disclosure`,
    body: { amountFen: 1_000_000, termMonths: 12, method: 'equal_installment' },
  }),
  'POST /api/v1/borrower/applications/{id}/drawdowns': async (w) => ({
    url: `/api/v1/borrower/applications/${w.a.applicationId}/drawdowns`,
    body: { amountFen: 1_000_000, termMonths: 12, method: 'equal_installment', disclosureAccepted: true },
  }),
  'GET /api/v1/borrower/loans': async () => ({ url: '/api/v1/borrower/loans' }),
  'GET /api/v1/borrower/loans/{id}': async (w) => ({ url: `/api/v1/borrower/loans/${w.a.loanId}` }),
  'GET /api/v1/borrower/loans/{id}/payoff-quote': async (w) => ({
    url: `/api/v1/borrower/loans/${w.a.loanId}/payoff-quote`,
  }),
  'POST /api/v1/borrower/loans/{id}/repayments': async (w) => ({
    url: `/api/v1/borrower/loans/${w.a.loanId}/repayments`,
    body: { kind: 'installment', periods: [1] },
  }),

  'POST /open/v1/callbacks/credit-decision': async (w) => ({
    url: '/open/v1/callbacks/credit-decision',
    body: {
      applicationId: w.a.applicationId,
      decision: 'approved',
      limitFen: 2_000_000,
      apr: '0.15',
      termsMonths: [6, 12],
      methods: ['equal_installment'],
      validUntil: isoIn(7),
      decidedAt: new Date().toISOString(),
    },
  }),
  'POST /open/v1/callbacks/disbursement': async (w) => ({
    url: '/open/v1/callbacks/disbursement',
    body: {
      drawdownId: w.a.drawdownId,
      applicationId: w.a.applicationId,
      loanId: w.a.lenderLoanId,
      status: 'succeeded',
      principalFen: 1_000_000,
      disbursedAt: new Date().toISOString(),
      startDate: chinaDate(new Date()),
    },
  }),
  'POST /open/v1/callbacks/repayment-schedule': async (w) => {
    scheduleVersion += 1;
    return {
      url: '/open/v1/callbacks/repayment-schedule',
      body: { loanId: w.a.lenderLoanId, version: scheduleVersion, installments: await scheduleOfA(w) },
    };
  },
  'POST /open/v1/callbacks/repayment': async (w) => ({
    url: '/open/v1/callbacks/repayment',
    body: {
      loanId: w.a.lenderLoanId,
      repaymentId: `mx-rp-${next()}`,
      paidAt: new Date().toISOString(),
      principalFen: 1,
      interestFen: 0,
      feeFen: 0,
      penaltyFen: 0,
      periods: [12],
      earlyPayoff: false,
    },
  }),
  'POST /open/v1/callbacks/loan-status': async (w) => {
    statusVersion += 1;
    return {
      url: '/open/v1/callbacks/loan-status',
      body: {
        loanId: w.a.lenderLoanId,
        status: 'repaying',
        version: statusVersion,
        asOf: new Date().toISOString(),
      },
    };
  },
};

/** The password of the operators the matrix signs in as. */
export const MATRIX_PASSWORD = `Mx!${randomBytes(18).toString('base64url')}9q`;

function lastMonth(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15)).toISOString().slice(0, 7);
}

async function agreementsOf(w: World, lenderId: string) {
  const texts = await w.t.app.services.borrowers.agreements.inForce(lenderId);
  return texts.map((text) => ({ id: text.id, version: text.version }));
}

export { signedCallbackKinds };
