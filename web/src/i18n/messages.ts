import { enUS } from './en-US.ts';
import { zhCN } from './zh-CN.ts';

export const LANGUAGES = ['zh-CN', 'en-US'] as const;
export type Language = (typeof LANGUAGES)[number];
export type MessageKey = keyof typeof zhCN;

const DICTIONARIES: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = {
  'zh-CN': zhCN,
  'en-US': enUS,
};

export type Vars = Readonly<Record<string, string | number>>;

/** The message in a language with its {placeholders} filled in; unknown placeholders stay visible. */
export function translate(language: Language, key: MessageKey, vars?: Vars): string {
  const template = DICTIONARIES[language][key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

export function isLanguage(value: string | null | undefined): value is Language {
  return value === 'zh-CN' || value === 'en-US';
}
