import { Button, List, Result } from 'antd-mobile';
import { borrowerApi } from '../api/borrower.ts';
import type { Entry } from '../api/types.ts';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { PageShell } from '../components/PageShell.tsx';
import { yuan } from '../format/money.ts';
import { useI18n } from '../i18n/context.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { navigate } from '../router.ts';
import { useAsync } from '../state/use-async.ts';

function hiddenReasonKey(entry: Entry): MessageKey {
  switch (entry.reason) {
    case 'not_whitelisted':
      return 'entry.hidden.not_whitelisted';
    case 'rollout':
      return 'entry.hidden.rollout';
    case 'kill_switch':
      return 'entry.hidden.kill_switch';
    case 'channel_disabled':
      return 'entry.hidden.channel_disabled';
    default:
      return 'entry.hidden.unknown';
  }
}

function VisibleEntry({ entry }: { readonly entry: Entry }) {
  const { t } = useI18n();
  return (
    <>
      <section className="lg-hero" data-testid="entry-visible">
        {entry.preApprovedLimitFen ? (
          <>
            <div className="lg-hero__label">{t('entry.headline')}</div>
            <div className="lg-hero__amount" data-testid="entry-limit">
              {yuan(entry.preApprovedLimitFen)}
            </div>
          </>
        ) : (
          <div className="lg-hero__label">{t('entry.noLimit')}</div>
        )}
        <Button
          block
          color="primary"
          size="large"
          shape="rounded"
          onClick={() => navigate({ name: 'offers' })}
          data-testid="see-offers"
        >
          {t('entry.cta')}
        </Button>
      </section>
      <ul className="lg-promises">
        <li>{t('entry.promise1')}</li>
        <li>{t('entry.promise2')}</li>
        <li>{t('entry.promise3')}</li>
      </ul>
    </>
  );
}

/** 借钱: the entry a host app opens; says why not when the borrower may not see it. */
export function EntryPage() {
  const { t } = useI18n();
  const entry = useAsync(() => borrowerApi.entry(), []);
  return (
    <PageShell title={t('entry.title')}>
      {entry.loading ? <Loading /> : null}
      {entry.error ? <LoadFailed error={entry.error} onRetry={entry.reload} /> : null}
      {entry.data?.visible ? <VisibleEntry entry={entry.data} /> : null}
      {entry.data && !entry.data.visible ? (
        <Result
          status="info"
          title={t('entry.hidden.title')}
          description={<span data-testid="entry-hidden">{t(hiddenReasonKey(entry.data))}</span>}
        />
      ) : null}
      <List className="lg-links">
        <List.Item onClick={() => navigate({ name: 'mine' })}>{t('entry.mine')}</List.Item>
        <List.Item onClick={() => navigate({ name: 'shared' })}>{t('entry.shared')}</List.Item>
      </List>
      <p className="lg-footnote">{t('app.platformFree')}</p>
    </PageShell>
  );
}
