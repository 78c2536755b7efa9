/** Builders for the borrower tests: valid identities, a registered lender with texts, consents. */
import fc from 'fast-check';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { generateKeyPair } from '../protocol/envelope/index.ts';
import type { TestApp } from '../testing/app.ts';
import { DEMO_PLATFORM_SERVICE } from './agreement-texts.ts';
import type { PiiCategory } from './categories.ts';
import { idNumberCheckCharacter } from './id-number.ts';

/** A valid id number from its parts (region code, `YYYYMMDD`, 3-digit sequence). */
export function idNumberOf(region: string, birth: string, sequence: string): string {
  const first17 = `${region}${birth}${sequence}`;
  return `${first17}${idNumberCheckCharacter(first17)}`;
}

/** A Luhn-valid card number from a prefix of digits. */
export function cardNumberOf(prefix: string): string {
  for (let d = 0; d <= 9; d += 1) {
    const candidate = `${prefix}${d}`;
    let sum = 0;
    for (let i = 0; i < candidate.length; i += 1) {
      let digit = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      sum += digit;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

const PROVINCES = ['11', '31', '44', '51', '65', '81'] as const;

export const validIdNumber: fc.Arbitrary<string> = fc
  .record({
    province: fc.constantFrom(...PROVINCES),
    rest: fc.integer({ min: 0, max: 9999 }),
    date: fc.date({
      min: new Date('1930-01-01T00:00:00Z'),
      max: new Date('2007-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    sequence: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ province, rest, date, sequence }) =>
    idNumberOf(
      `${province}${String(rest).padStart(4, '0')}`,
      date.toISOString().slice(0, 10).replaceAll('-', ''),
      String(sequence).padStart(3, '0'),
    ),
  );

export const validPhone: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 3, max: 9 }), fc.stringMatching(/^[0-9]{9}$/))
  .map(([second, rest]) => `1${second}${rest}`);

export const validCard: fc.Arbitrary<string> = fc
  .stringMatching(/^[0-9]{11,18}$/)
  .map((prefix) => cardNumberOf(prefix));

/** A complete, valid profile whose values are easy to search for in raw rows. */
export const SAMPLE = {
  name: '张三丰',
  idNumber: idNumberOf('110105', '19900307', '123'),
  phone: '13812345678',
  bankCard: cardNumberOf('622202020011223344'),
  contacts: [{ name: '李四', phone: '13900001111', relation: 'spouse' as const }],
} as const;

/** Every plain value of {@link SAMPLE}: none may appear in a stored row or a log line. */
export const SAMPLE_PLAIN_VALUES: readonly string[] = [
  SAMPLE.name,
  SAMPLE.idNumber,
  SAMPLE.phone,
  SAMPLE.bankCard,
  SAMPLE.contacts[0].name,
  SAMPLE.contacts[0].phone,
];

let counter = 0;

/** Registers a lender in the registry and publishes its authorization (and platform texts once). */
export async function registeredLender(
  t: TestApp,
  options: { readonly categories?: readonly PiiCategory[]; readonly loanAgreement?: boolean } = {},
) {
  counter += 1;
  const code = `vault-${process.pid}-${counter}`;
  const lender = await t.app.services.lenders.partners.create(
    {
      code,
      kind: 'bank',
      legalName: `测试银行${counter}号股份有限公司`,
      licenseType: '金融许可证',
      licenseNumber: `VAULT-${counter}`,
      contact: { name: '王经理', email: 'dpo@bank.example', phone: '010-5555-0100' },
      dailyApplicationQuota: 100,
      callbackBaseUrl: 'https://bank.example/lendgate/',
    },
    SYSTEM_ACTOR,
  );
  const { agreements } = t.app.services.borrowers;
  if (!(await agreements.current('platform_service', null))) {
    await agreements.publish({ kind: 'platform_service', ...DEMO_PLATFORM_SERVICE }, SYSTEM_ACTOR);
  }
  await agreements.publishPiAuthorization(
    lender.id,
    {
      categories: options.categories ?? ['name', 'id_number', 'phone', 'bank_card', 'contacts'],
      purpose: '贷款申请审核（测试）',
      retention: '5年（测试）',
    },
    SYSTEM_ACTOR,
  );
  if (options.loanAgreement) {
    await agreements.publish(
      {
        kind: 'lender_loan_agreement',
        lenderId: lender.id,
        title: '借款合同（测试）',
        text: '测试借款合同 v1',
      },
      SYSTEM_ACTOR,
    );
  }
  return { id: lender.id, code: lender.code, legalName: lender.legalName };
}

/** A new borrower and a bearer token for them. */
export async function signedInBorrower(t: TestApp, channelCode = 'shop') {
  const sessions = t.app.services.borrowerSessions;
  const borrowerId = await sessions.createBorrower();
  const { token } = await sessions.open({ borrowerId, channelCode });
  return { borrowerId, channelCode, headers: { authorization: `Bearer ${token}` } };
}

/** The ids and versions of the texts in force for a lender, as a client would send them back. */
export async function shownAgreements(t: TestApp, lenderId: string) {
  const texts = await t.app.services.borrowers.agreements.inForce(lenderId);
  return texts.map((text) => ({ id: text.id, version: text.version }));
}

export async function lenderEncryptionKey() {
  return generateKeyPair('RSA-OAEP-256', { notBefore: 0, modulusLength: 2048 });
}
