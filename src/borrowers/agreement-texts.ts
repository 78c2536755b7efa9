/**
 * Agreement texts, pure. The personal-information authorization is rendered from the lender's
 * registry facts so that it always names the lender, its contact, the purpose, the categories and
 * the retention (PIPL art. 23, 29); the other texts here are fictional demo texts.
 */
import { CATEGORY_LABEL_ZH, type PiiCategory } from './categories.ts';
import type { LenderParty } from './lender-directory.ts';

export interface AuthorizationTerms {
  readonly categories: readonly PiiCategory[];
  /** What the lender uses the data for, e.g. 贷款申请审核、放款及贷后管理. */
  readonly purpose: string;
  /** How long the lender keeps it, e.g. 自贷款结清之日起5年. */
  readonly retention: string;
}

export function renderPiAuthorization(lender: LenderParty, terms: AuthorizationTerms): string {
  const categories = terms.categories.map((category) => CATEGORY_LABEL_ZH[category]).join('、');
  return [
    `个人信息对外提供授权书（单独同意）`,
    '',
    `本人同意 Lendgate 平台将本人的下列个人信息提供给以下机构，用于下述目的：`,
    '',
    `一、接收方：${lender.legalName}`,
    `    联系人：${lender.contact.name}；联系电话：${lender.contact.phone}；电子邮箱：${lender.contact.email}`,
    `二、处理目的：${terms.purpose}`,
    `三、个人信息种类：${categories}（其中身份证号码、银行卡号属于敏感个人信息）`,
    `四、保存期限：${terms.retention}`,
    `五、提供方式：经加密的接口传输，仅传输上述种类，每次提供均记录在案，本人可随时查询。`,
    '',
    `本人知悉：本授权仅针对上述接收方，不适用于其他任何机构；本人可随时在“我的授权”中撤回本授权，`,
    `撤回与给予同样便捷，撤回后平台不再向该机构提供本人信息，但不影响撤回前已进行的处理。`,
    `本人可向上述联系人或平台查阅、更正、删除相关个人信息。`,
  ].join('\n');
}

export const DEMO_PLATFORM_SERVICE = {
  title: 'Lendgate 平台服务协议（演示文本）',
  text: [
    `Lendgate 平台服务协议（演示文本，仅用于演示，不具法律效力）`,
    '',
    `一、Lendgate 是贷款信息撮合平台，本身不发放贷款，不向借款人收取任何费用。`,
    `二、平台展示的产品均由持牌金融机构提供，年化综合资金成本（IRR 口径）不超过 24%。`,
    `三、平台仅在您对具体机构单独授权后，才会将该机构所需的个人信息加密提供给该机构。`,
    `四、您的身份证号码、银行卡号、手机号码等敏感信息以字段级加密存储，展示时脱敏。`,
    `五、您可以随时查询信息提供记录、撤回授权，并在无合同需要时申请删除个人信息。`,
  ].join('\n'),
} as const;

export const DEMO_AUTHORIZATION_TERMS: AuthorizationTerms = {
  categories: ['name', 'id_number', 'phone', 'bank_card', 'contacts'],
  purpose: '贷款申请审核、放款、还款及贷后管理（演示）',
  retention: '自贷款结清或申请被拒之日起5年（演示）',
};

export function demoLenderLoanAgreement(lender: LenderParty): { title: string; text: string } {
  return {
    title: `${lender.legalName}借款合同（演示文本）`,
    text: [
      `${lender.legalName}个人借款合同（演示文本，仅用于演示，不具法律效力）`,
      '',
      `一、出借人：${lender.legalName}。借款金额、期限、还款方式以审批结果及借款确认页为准。`,
      `二、年化综合资金成本（IRR 口径）不超过 24%，借款前展示综合融资成本明示表。`,
      `三、借款人可随时提前还款，不收取任何提前还款费用，利息计至实际还款日。`,
    ].join('\n'),
  };
}
