/**
 * Demo partners for `npm start`: fictional companies (names, licenses and certificates are made
 * up) with a product or two each. They stop at `sandbox` on purpose: becoming active needs a passed
 * conformance run, and none has been run against them, so none is recorded.
 */

import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import type { Executor } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { createLenderServices, type LenderServices } from './index.ts';
import type { LenderKey, NewLenderKey } from './key-service.ts';
import type { Lender, NewLender, NewProduct } from './model.ts';
import type { LenderTables } from './tables.ts';

const DEMO_REASON = 'demo data (npm start)';

/**
 * The sandbox lender process (`sandbox/lender`, default port 4100). It hosts several fictional
 * lenders at one address and tells them apart by the envelope's partner id, so all share this URL.
 */
export const DEMO_SANDBOX_BASE_URL = 'http://127.0.0.1:4100';

interface DemoPartner {
  readonly partner: Omit<NewLender, 'funders' | 'callbackBaseUrl' | 'contact' | 'dailyApplicationQuota'>;
  readonly fundedBy?: string;
  readonly products: readonly Omit<NewProduct, 'funderId'>[];
}

const CERT = { level: '等保三级', expiresOn: '2028-12-31' };

const ALL_CATEGORIES = ['name', 'id_number', 'phone', 'bank_card', 'contacts'] as const;
const NO_CONTACTS = ['name', 'id_number', 'phone', 'bank_card'] as const;

export const DEMO_PARTNERS: readonly DemoPartner[] = [
  {
    partner: {
      code: 'xinghe-bank',
      kind: 'bank',
      legalName: '星河银行股份有限公司（演示）',
      licenseType: '金融许可证',
      licenseNumber: 'DEMO-B0001H',
      securityCertification: { ...CERT, certificateNumber: 'DEMO-DJ-0001' },
      contractReference: 'DEMO-HT-2026-001',
    },
    products: [
      {
        code: 'xinghe-quick',
        name: '星河快贷',
        aprMin: '0.072',
        aprMax: '0.18',
        amountMinFen: 100_000,
        amountMaxFen: 20_000_000,
        termsMonths: [3, 6, 12, 24],
        repaymentMethods: ['equal_installment', 'equal_principal'],
        dataCategories: NO_CONTACTS,
      },
    ],
  },
  {
    partner: {
      code: 'anhe-cf',
      kind: 'consumer_finance',
      legalName: '安和消费金融有限公司（演示）',
      licenseType: '金融许可证',
      licenseNumber: 'DEMO-T0002H',
      securityCertification: { ...CERT, certificateNumber: 'DEMO-DJ-0002' },
      contractReference: 'DEMO-HT-2026-002',
    },
    products: [
      {
        code: 'anhe-flex',
        name: '安和随心借',
        aprMin: '0.108',
        aprMax: '0.24',
        amountMinFen: 50_000,
        amountMaxFen: 5_000_000,
        termsMonths: [3, 6, 9, 12],
        repaymentMethods: ['equal_installment'],
        dataCategories: ALL_CATEGORIES,
      },
      {
        code: 'anhe-bullet',
        name: '安和短期周转',
        aprMin: '0.12',
        aprMax: '0.216',
        amountMinFen: 50_000,
        amountMaxFen: 1_000_000,
        termsMonths: [1, 3],
        repaymentMethods: ['bullet', 'interest_first'],
        dayCount: 'ACT/365',
        dataCategories: NO_CONTACTS,
      },
    ],
  },
  {
    partner: {
      code: 'qingsong-ml',
      kind: 'micro_loan',
      legalName: '青松小额贷款有限公司（演示）',
      licenseType: '小额贷款公司经营许可',
      licenseNumber: 'DEMO-XD-0003',
      securityCertification: { ...CERT, certificateNumber: 'DEMO-DJ-0003' },
      contractReference: 'DEMO-HT-2026-003',
    },
    products: [
      {
        code: 'qingsong-turnover',
        name: '青松周转贷',
        aprMin: '0.144',
        aprMax: '0.24',
        amountMinFen: 50_000,
        amountMaxFen: 2_000_000,
        termsMonths: [6, 12],
        repaymentMethods: ['equal_installment', 'interest_first'],
        dataCategories: ALL_CATEGORIES,
      },
    ],
  },
  {
    partner: {
      code: 'yuanfan-fac',
      kind: 'facilitator',
      legalName: '远帆助贷科技有限公司（演示）',
      securityCertification: { ...CERT, certificateNumber: 'DEMO-DJ-0004' },
      contractReference: 'DEMO-HT-2026-004',
    },
    fundedBy: 'xinghe-bank',
    products: [
      {
        code: 'yuanfan-credit',
        name: '远帆信用贷（星河银行出资）',
        aprMin: '0.09',
        aprMax: '0.216',
        amountMinFen: 100_000,
        amountMaxFen: 10_000_000,
        termsMonths: [6, 12, 18, 24],
        repaymentMethods: ['equal_installment'],
        dataCategories: NO_CONTACTS,
      },
    ],
  },
];

/**
 * Registers the demo partners, walks them to sandbox and approves their products. With the master
 * key each gets its pre-check key (handed to the sandbox lender when the demo starts it, see
 * src/demo/sandbox-lenders.ts); without, the demo start-up issues them.
 */
export async function seedDemoLenders(
  trx: Executor<LenderTables>,
  clock: Clock,
  masterKey?: Buffer,
): Promise<string[]> {
  const services = createLenderServices(trx, { clock, ...(masterKey ? { masterKey } : {}) });
  const byCode = new Map<string, Lender>();
  for (const demo of DEMO_PARTNERS) {
    const funder = demo.fundedBy === undefined ? undefined : byCode.get(demo.fundedBy);
    const lender = await services.partners.create(
      {
        ...demo.partner,
        funders: funder ? [{ lenderId: funder.id }] : [],
        contact: {
          name: '演示联系人',
          email: `ops@${demo.partner.code}.example`,
          phone: '+86 400 000 0000',
        },
        dailyApplicationQuota: 10_000,
        callbackBaseUrl: DEMO_SANDBOX_BASE_URL,
      },
      SYSTEM_ACTOR,
    );
    byCode.set(lender.code, lender);
    for (const to of ['under_review', 'sandbox'] as const) {
      await services.partners.transition(lender.id, { to, reason: DEMO_REASON }, SYSTEM_ACTOR);
    }
    for (const product of demo.products) {
      const created = await services.products.create(
        lender.id,
        { ...product, funderId: lender.funders[0]?.id ?? null },
        SYSTEM_ACTOR,
      );
      for (const to of ['in_review', 'approved'] as const) {
        await services.products.transition(lender.id, created.id, { to, reason: DEMO_REASON }, SYSTEM_ACTOR);
      }
    }
  }
  return [
    `demo partners ${[...byCode.keys()].join(', ')} in sandbox with approved products; ` +
      'none is active until a conformance run passes (docs/lenders.md)',
  ];
}

/**
 * For whoever starts the sandbox lender: publishes one of its public keys for a demo (or any)
 * partner, found by code. Call it with the seed's transaction or the app's database.
 */
export async function addPartnerKeyByCode(
  services: LenderServices,
  code: string,
  key: NewLenderKey,
): Promise<LenderKey> {
  const lender = await services.partners.findByCode(code);
  if (!lender) throw new Error(`no partner with code ${code}`);
  return services.keys.add(lender.id, key, SYSTEM_ACTOR);
}
