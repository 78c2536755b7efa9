/** Builders of valid inputs for the lender tests; each test changes only what it is about. */
import { generateKeyPairSync } from 'node:crypto';
import type { TestApp } from '../testing/app.ts';

let counter = 0;

/** A unique partner code per call, so tests sharing a database never collide. */
export function uniqueCode(prefix = 'p'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export function bankBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code: uniqueCode('bank'),
    kind: 'bank',
    legalName: '测试银行股份有限公司',
    licenseType: '金融许可证',
    licenseNumber: `B0001H${counter}`,
    contact: { name: '王经理', email: 'ops@bank.example', phone: '+86 10 5555 0100' },
    securityCertification: { level: '等保三级', certificateNumber: `DJ-${counter}`, expiresOn: '2099-12-31' },
    contractReference: `HT-${counter}`,
    dailyApplicationQuota: 1000,
    ipAllowList: ['203.0.113.0/24', '2001:db8::/32'],
    callbackBaseUrl: 'https://api.bank.example/lendgate/',
    ...overrides,
  };
}

export function productBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    code: `prod-${counter}`,
    name: '随借随还',
    aprMin: '0.072',
    aprMax: '0.18',
    amountMinFen: 100_000,
    amountMaxFen: 20_000_000,
    termsMonths: [12, 3, 6, 12],
    repaymentMethods: ['equal_principal', 'equal_installment'],
    dataCategories: ['phone', 'name', 'id_number', 'bank_card'],
    ...overrides,
  };
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** POSTs a new partner and returns its JSON; fails the test if it was not created. */
export async function createLender(t: TestApp, token: string, body: Record<string, unknown>) {
  const response = await t.server.inject({
    method: 'POST',
    url: '/api/v1/admin/lenders',
    headers: auth(token),
    payload: body,
  });
  if (response.statusCode !== 201) throw new Error(`create failed: ${response.body}`);
  return response.json() as { id: string; code: string; status: string; funders: { id: string }[] };
}

export async function moveLender(t: TestApp, token: string, id: string, to: string, reason = 'test') {
  return t.server.inject({
    method: 'POST',
    url: `/api/v1/admin/lenders/${id}/status`,
    headers: auth(token),
    payload: { to, reason },
  });
}

/** Edits a partner through the admin API (PATCH), as `token`'s operator. */
export async function patchLender(t: TestApp, token: string, id: string, changes: object) {
  return t.server.inject({
    method: 'PATCH',
    url: `/api/v1/admin/lenders/${id}`,
    headers: auth(token),
    payload: changes,
  });
}

export function ed25519PublicPem(): string {
  return generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function rsaPublicPem(bits: number): string {
  return generateKeyPairSync('rsa', { modulusLength: bits })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
}

/** Row counts of every lender table, to prove a refused request left nothing behind. */
export async function tableCounts(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [
    'lenders',
    'lender_funders',
    'lender_status_history',
    'conformance_runs',
    'lender_products',
    'lender_keys',
    'lender_pre_check_keys',
  ] as const) {
    const row = await t.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}
