import type { I18n } from '../i18n/context.tsx';
import { isMessageKey } from '../i18n/messages.ts';

/** A repayment method's name ("等额本息"); an unknown one shows as sent. */
export function methodLabel(t: I18n['t'], method: string): string {
  const key = `method.${method}`;
  return isMessageKey(key) ? t(key) : method;
}

/** Data categories as words, joined for the language ("姓名、身份证号" / "name, id number"). */
export function categoryLabels(t: I18n['t'], language: string, categories: readonly string[]): string {
  const words = categories.map((category) => {
    const key = `category.${category}`;
    return isMessageKey(key) ? t(key) : category;
  });
  return words.join(language === 'zh-CN' ? '、' : ', ');
}

export function statusLabel(t: I18n['t'], status: string): string {
  const key = `status.${status}`;
  return isMessageKey(key) ? t(key) : status;
}

export function relationLabel(t: I18n['t'], relation: string): string {
  const key = `relation.${relation}`;
  return isMessageKey(key) ? t(key) : relation;
}
