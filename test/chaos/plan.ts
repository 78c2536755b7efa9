import { idNumberCheckCharacter } from '../../src/borrowers/id-number.ts';
import { demoSandboxLenders } from '../../src/demo/sandbox-lenders.ts';
import { DEMO_PARTNERS } from '../../src/lenders/demo.ts';
import { quoteLoan, type RepaymentMethod } from '../../src/money/index.ts';

/**
 * The chaos run's plan, decided up front by a seeded PRNG: who borrows what, and where each
 * application must end. Nothing here looks at the system under test.
 */

/** mulberry32: small, fast, good enough to shuffle a test plan; the same seed gives the same plan. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Where an application ends:
 * - `rejected`: applies for more than the lender lends (the sandbox's own limit is below the
 *   amount the platform's product allows), the lender rejects it;
 * - `approved`: approved, never drawn;
 * - `open`: drawn, nothing repaid;
 * - `installment`: drawn, installment 1 repaid (settled if the loan has only one installment);
 * - `payoff`: drawn, paid off at once;
 * - `installment_payoff`: drawn, installment 1 repaid, then paid off.
 */
export const OUTCOMES = [
  'rejected',
  'approved',
  'open',
  'installment',
  'payoff',
  'installment_payoff',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

const WEIGHTS: Record<Outcome, number> = {
  rejected: 0.08,
  approved: 0.08,
  open: 0.2,
  installment: 0.24,
  payoff: 0.24,
  installment_payoff: 0.16,
};

export const CHANNELS = ['shop', 'maps'] as const;

/** A product as the chaos run uses it: the platform's terms and the sandbox lender's policy. */
export interface ChaosProduct {
  readonly partnerId: string;
  readonly productCode: string;
  readonly amountMinFen: number;
  /** The platform's product maximum. */
  readonly amountMaxFen: number;
  /** What the sandbox lends at most (its limit): above it, up to `amountMaxFen`, it rejects. */
  readonly lenderMaxFen: number;
  readonly termsMonths: readonly number[];
  readonly methods: readonly RepaymentMethod[];
  readonly aprByTerm: Readonly<Record<string, string>>;
  readonly dayCount: 'ACT/360' | 'ACT/365';
}

/** The demo products, with the sandbox lending at most 60% of each product's maximum. */
export function chaosProducts(): ChaosProduct[] {
  const policies = new Map(
    demoSandboxLenders().flatMap((lender) => lender.products.map((p) => [p.productCode, p] as const)),
  );
  return DEMO_PARTNERS.flatMap(({ partner, products }) =>
    products.map((product) => {
      const policy = policies.get(product.code)!;
      const lenderMaxFen = Math.floor((product.amountMaxFen * 0.6) / 10_000) * 10_000;
      return {
        partnerId: partner.code,
        productCode: product.code,
        amountMinFen: product.amountMinFen,
        amountMaxFen: product.amountMaxFen,
        lenderMaxFen,
        termsMonths: [...product.termsMonths],
        methods: [...product.repaymentMethods],
        aprByTerm: policy.aprByTerm,
        dayCount: product.dayCount ?? 'ACT/360',
      };
    }),
  );
}

export interface BorrowerPlan {
  readonly index: number;
  readonly channelCode: (typeof CHANNELS)[number];
  readonly channelUserId: string;
  readonly name: string;
  readonly idNumber: string;
  readonly phone: string;
  readonly bankCard: string;
  readonly contactName: string;
  readonly contactPhone: string;
  readonly product: ChaosProduct;
  readonly amountFen: number;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
  readonly outcome: Outcome;
  /** Installments of the loan (from its terms; the count does not depend on the start date). */
  readonly installments: number;
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '朱'];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '强',
  '磊',
  '洋',
  '艳',
  '勇',
  '军',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
];
const REGIONS = ['110101', '310104', '440106', '330106', '510104', '420102', '320102', '370102'];

function luhnComplete(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${digits}${(10 - (sum % 10)) % 10}`;
}

/** A valid, unique 18-character id number for borrower `i` (aged about 26 to 46). */
function idNumberOf(i: number): string {
  const birth = new Date(Date.UTC(1980, 0, 1) + ((i * 37) % 7300) * 86_400_000);
  const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `${REGIONS[i % REGIONS.length]}${ymd}${String(i % 1000).padStart(3, '0')}`;
  return `${first17}${idNumberCheckCharacter(first17)}`;
}

function pickOutcome(r: number): Outcome {
  let acc = 0;
  for (const outcome of OUTCOMES) {
    acc += WEIGHTS[outcome];
    if (r < acc) return outcome;
  }
  return 'open';
}

/** `count` borrowers, each with a product, terms and a planned end, from `seed`. */
export function makePlan(seed: number, count: number, runTag: string): BorrowerPlan[] {
  const rand = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const products = chaosProducts();
  const plan: BorrowerPlan[] = [];
  for (let index = 0; index < count; index++) {
    const product = pick(products);
    const termMonths = pick(product.termsMonths);
    const method = pick(product.methods);
    let outcome = pickOutcome(rand());
    // Whole hundreds of yuan, like a borrower would ask for.
    const amountFen =
      outcome === 'rejected'
        ? int(product.lenderMaxFen / 10_000 + 1, product.amountMaxFen / 10_000) * 10_000
        : int(Math.ceil(product.amountMinFen / 10_000), product.lenderMaxFen / 10_000) * 10_000;
    const installments = quoteLoan({
      principalFen: amountFen,
      termMonths,
      method,
      annualRate: product.aprByTerm[String(termMonths)]!,
      startDate: '2026-01-15',
      dayCount: product.dayCount,
    }).installments.length;
    // A one-installment loan is settled by its installment: nothing is left to pay off.
    if (outcome === 'installment_payoff' && installments < 2) outcome = 'installment';
    plan.push({
      index,
      channelCode: CHANNELS[index % CHANNELS.length]!,
      channelUserId: `chaos-${runTag}-${String(index).padStart(5, '0')}`,
      name: `${pick(SURNAMES)}${pick(GIVEN)}${pick(GIVEN)}`,
      idNumber: idNumberOf(index),
      phone: `13${String(100_000_000 + index * 7919).slice(-9)}`,
      bankCard: luhnComplete(`622202${String(index).padStart(9, '0')}`),
      contactName: `${pick(SURNAMES)}${pick(GIVEN)}`,
      contactPhone: `15${String(100_000_000 + index * 7919).slice(-9)}`,
      product,
      amountFen,
      termMonths,
      method,
      outcome,
      installments,
    });
  }
  return plan;
}

/** The application state each planned end must leave (docs/journey.md). */
export function plannedApplicationState(plan: BorrowerPlan): string {
  switch (plan.outcome) {
    case 'rejected':
      return 'rejected';
    case 'approved':
      return 'approved';
    case 'open':
      return 'repaying';
    case 'installment':
      return plan.installments === 1 ? 'settled' : 'repaying';
    case 'payoff':
    case 'installment_payoff':
      return 'settled';
  }
}

export function drawn(plan: BorrowerPlan): boolean {
  return plan.outcome !== 'rejected' && plan.outcome !== 'approved';
}

export function repaysInstallment(plan: BorrowerPlan): boolean {
  return plan.outcome === 'installment' || plan.outcome === 'installment_payoff';
}

export function paysOff(plan: BorrowerPlan): boolean {
  return plan.outcome === 'payoff' || plan.outcome === 'installment_payoff';
}
