import { NavBar } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/context.tsx';
import { goBack, type Route } from '../router.ts';

interface Props {
  readonly title: string;
  /** Where the back arrow leads when there is no history to go back to; no arrow when absent. */
  readonly back?: Route;
  /** A bar fixed at the bottom, for the page's one main action. */
  readonly footer?: ReactNode;
  readonly children: ReactNode;
}

/** The frame of every page: title bar with back arrow and language switch, content, action bar. */
export function PageShell({ title, back, footer, children }: Props) {
  const { t, language, setLanguage } = useI18n();
  const switchLanguage = (
    <button
      type="button"
      className="lg-lang"
      data-testid="language-switch"
      aria-label={t('app.languageName')}
      onClick={() => setLanguage(language === 'zh-CN' ? 'en-US' : 'zh-CN')}
    >
      {t('app.language')}
    </button>
  );
  return (
    <div className={footer ? 'lg-page lg-page--with-footer' : 'lg-page'}>
      <NavBar
        className="lg-navbar"
        backIcon={back !== undefined}
        back={back !== undefined ? t('app.back') : null}
        onBack={back !== undefined ? () => goBack(back) : undefined}
        right={switchLanguage}
      >
        {title}
      </NavBar>
      <main className="lg-content">{children}</main>
      {footer ? <div className="lg-footer">{footer}</div> : null}
    </div>
  );
}
