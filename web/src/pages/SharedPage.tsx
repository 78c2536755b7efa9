import { Button, Dialog, List, Tag } from 'antd-mobile';
import { borrowerApi } from '../api/borrower.ts';
import type { Consent } from '../api/types.ts';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { categoryLabels } from '../components/labels.ts';
import { PageShell } from '../components/PageShell.tsx';
import { chinaDateTime } from '../format/dates.ts';
import { useI18n } from '../i18n/context.tsx';
import { useAsync } from '../state/use-async.ts';

function ConsentLine({
  consent,
  onWithdrawn,
}: {
  readonly consent: Consent;
  readonly onWithdrawn: () => void;
}) {
  const { t, language } = useI18n();
  const lender = consent.lenderName ?? consent.lenderId;
  const withdraw = async () => {
    if (await Dialog.confirm({ content: t('shared.withdrawConfirm', { lender }) })) {
      await borrowerApi.withdrawConsent(consent.id);
      onWithdrawn();
    }
  };
  return (
    <List.Item
      description={
        <>
          <div>{t('shared.fields', { categories: categoryLabels(t, language, consent.categories) })}</div>
          <div>{t('shared.givenAt', { at: chinaDateTime(consent.givenAt) })}</div>
        </>
      }
      extra={
        consent.status === 'active' ? (
          <Button size="mini" color="danger" fill="outline" onClick={withdraw}>
            {t('shared.withdraw')}
          </Button>
        ) : (
          <Tag>{t('shared.consentEnded')}</Tag>
        )
      }
    >
      {lender}
    </List.Item>
  );
}

/** What was shared with whom: every release from the tamper-evident log, and my consents. */
export function SharedPage() {
  const { t, language } = useI18n();
  const state = useAsync(async () => {
    const [releases, consents] = await Promise.all([borrowerApi.dataReleases(), borrowerApi.consents()]);
    return { releases: releases.items, consents: consents.items };
  }, []);
  return (
    <PageShell title={t('shared.title')} back={{ name: 'entry' }}>
      <p className="lg-intro">{t('shared.intro')}</p>
      {state.loading && !state.data ? <Loading /> : null}
      {state.error ? <LoadFailed error={state.error} onRetry={state.reload} /> : null}
      {state.data ? (
        <>
          <List header={t('shared.releases')} data-testid="releases">
            {state.data.releases.length === 0 ? (
              <List.Item data-testid="releases-none">{t('shared.none')}</List.Item>
            ) : null}
            {state.data.releases.map((release) => (
              <List.Item
                key={release.id}
                data-testid="release"
                description={
                  <>
                    <div>
                      {t('shared.fields', { categories: categoryLabels(t, language, release.categories) })}
                    </div>
                    <div>{t('shared.at', { at: chinaDateTime(release.releasedAt) })}</div>
                  </>
                }
              >
                {t('shared.to', { lender: release.lenderName ?? release.lenderId })}
              </List.Item>
            ))}
          </List>
          <List header={t('shared.consents')} data-testid="consents">
            {state.data.consents.length === 0 ? <List.Item>{t('shared.noConsents')}</List.Item> : null}
            {state.data.consents.map((consent) => (
              <ConsentLine key={consent.id} consent={consent} onWithdrawn={state.reload} />
            ))}
          </List>
        </>
      ) : null}
    </PageShell>
  );
}
