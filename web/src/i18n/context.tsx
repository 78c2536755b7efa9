import { ConfigProvider, setDefaultConfig } from 'antd-mobile';
import enLocale from 'antd-mobile/es/locales/en-US';
import zhLocale from 'antd-mobile/es/locales/zh-CN';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { isLanguage, type Language, type MessageKey, translate, type Vars } from './messages.ts';

const STORAGE_KEY = 'lendgate.language';

export interface I18n {
  readonly language: Language;
  readonly t: (key: MessageKey, vars?: Vars) => string;
  readonly setLanguage: (language: Language) => void;
}

const I18nContext = createContext<I18n | null>(null);

/** Chinese unless the host app asks for English (?lang=en-US) or the borrower switched. */
function initialLanguage(): Language {
  const fromUrl =
    new URLSearchParams(window.location.search).get('lang') ??
    new URLSearchParams(window.location.hash.replace(/^#/, '?')).get('lang');
  if (isLanguage(fromUrl)) {
    // Kept for the session: the sign-in clears the address bar.
    window.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    return fromUrl;
  }
  const stored = window.sessionStorage.getItem(STORAGE_KEY);
  return isLanguage(stored) ? stored : 'zh-CN';
}

export function I18nProvider({ children }: { readonly children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const setLanguage = useCallback((next: Language) => {
    window.sessionStorage.setItem(STORAGE_KEY, next);
    setLanguageState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
    // Dialogs opened by Dialog.confirm render outside the provider and read the default config.
    setDefaultConfig({ locale: language === 'zh-CN' ? zhLocale : enLocale });
  }, [language]);
  const value = useMemo<I18n>(
    () => ({ language, setLanguage, t: (key, vars) => translate(language, key, vars) }),
    [language, setLanguage],
  );
  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider locale={language === 'zh-CN' ? zhLocale : enLocale}>{children}</ConfigProvider>
    </I18nContext.Provider>
  );
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
