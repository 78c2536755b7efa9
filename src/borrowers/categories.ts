/**
 * The categories of personal data the vault holds, as lenders' products name them (the same
 * values as the lender registry's DATA_CATEGORIES). A release and a consent are always expressed
 * in these categories, never in raw field names, so that "which data" means one thing everywhere.
 */
export const PII_CATEGORIES = ['name', 'id_number', 'phone', 'bank_card', 'contacts'] as const;
export type PiiCategory = (typeof PII_CATEGORIES)[number];

export function isPiiCategory(value: string): value is PiiCategory {
  return (PII_CATEGORIES as readonly string[]).includes(value);
}

/** The profile field (API and lender payload name) that holds each category. */
export const CATEGORY_FIELD = {
  name: 'name',
  id_number: 'idNumber',
  phone: 'phone',
  bank_card: 'bankCard',
  contacts: 'contacts',
} as const satisfies Record<PiiCategory, string>;

export type ProfileField = (typeof CATEGORY_FIELD)[PiiCategory];

/** Chinese labels, for agreement texts shown to borrowers. */
export const CATEGORY_LABEL_ZH: Readonly<Record<PiiCategory, string>> = {
  name: '姓名',
  id_number: '身份证号码',
  phone: '手机号码',
  bank_card: '银行卡号',
  contacts: '紧急联系人（姓名、手机号码、关系）',
};

/** Sorted, duplicate-free, in the canonical order above: the one form stored and hashed. */
export function normalizeCategories(categories: Iterable<PiiCategory>): PiiCategory[] {
  const set = new Set(categories);
  return PII_CATEGORIES.filter((category) => set.has(category));
}
