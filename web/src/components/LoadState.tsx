import { Button, DotLoading, ErrorBlock } from 'antd-mobile';
import { useI18n } from '../i18n/context.tsx';
import { errorMessage } from './errors.ts';

/** The spinner while a page loads. */
export function Loading() {
  const { t } = useI18n();
  return (
    <div className="lg-loading" role="status">
      <DotLoading color="primary" />
      <span>{t('app.loading')}</span>
    </div>
  );
}

/** A failed load, with its reason and a retry. */
export function LoadFailed({ error, onRetry }: { readonly error: unknown; readonly onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <ErrorBlock status="default" title={errorMessage(t, error)} description="" data-testid="load-failed">
      {onRetry ? (
        <Button color="primary" fill="outline" size="small" onClick={onRetry}>
          {t('app.retry')}
        </Button>
      ) : null}
    </ErrorBlock>
  );
}
