/**
 * An applicant with every field of the PII contract filled in (bank card and a contact too), so
 * the contract's validator and the PII encryption are tested on the largest valid block.
 */
import type { ApplicantPii } from '../contract.ts';

export const FULL_APPLICANT = {
  name: '张三',
  idNumber: '110101199003071234',
  phone: '13800138000',
  bankCard: '6222020200112233445',
  contacts: [{ name: '李四', phone: '13900139000', relation: 'spouse' }],
} as const satisfies ApplicantPii;
