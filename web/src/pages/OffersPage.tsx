import { Button, Card, NoticeBar, Segmented, Tag } from 'antd-mobile';
import { useState } from 'react';
import type { Offer, OfferSort } from '../api/types.ts';
import { AprHero } from '../components/AprHero.tsx';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { methodLabel } from '../components/labels.ts';
import { PageShell } from '../components/PageShell.tsx';
import { yuan } from '../format/money.ts';
import { percentRange } from '../format/rate.ts';
import { useI18n } from '../i18n/context.tsx';
import { navigate } from '../router.ts';
import { useJourney } from '../state/journey.tsx';
import { useAsync } from '../state/use-async.ts';

function OfferCard({ offer }: { readonly offer: Offer }) {
  const { t, language } = useI18n();
  const open = () => navigate({ name: 'product', productId: offer.productId });
  return (
    <Card className="lg-offer" onClick={open} data-testid="offer">
      <div className="lg-offer__apr-label">{t('apr.label')}</div>
      <div className="lg-offer__apr" data-testid="offer-apr">
        {percentRange(offer.aprMin, offer.aprMax)}
      </div>
      <div className="lg-offer__name">{offer.productName}</div>
      <div className="lg-muted">{t('offers.lender', { name: offer.lender.name })}</div>
      <div className="lg-muted">{t('offers.funder', { name: offer.funderName })}</div>
      <div className="lg-offer__facts">
        <span>
          {t('offers.amount')} ¥{yuan(offer.amountMinFen)} – ¥{yuan(offer.amountMaxFen)}
        </span>
        <span>
          {t('offers.terms')} {offer.termsMonths.join('/')}
          {language === 'zh-CN' ? ' 个月' : ' months'}
        </span>
      </div>
      <div className="lg-offer__tags">
        {offer.methods.map((method) => (
          <Tag key={method} fill="outline">
            {methodLabel(t, method)}
          </Tag>
        ))}
        {offer.preCheck === 'accepted' ? (
          <Tag color="success">
            {offer.indicativeLimitFen !== null
              ? t('offers.preApproved', { limit: yuan(offer.indicativeLimitFen) })
              : t('status.pre_checked')}
          </Tag>
        ) : (
          <Tag color="warning">{t('offers.pendingProfile')}</Tag>
        )}
      </div>
      <Button size="small" color="primary" fill="outline" className="lg-offer__go">
        {t('offers.choose')}
      </Button>
    </Card>
  );
}

/** The offers: the APR range across them first and largest, then each offer; sortable by price. */
export function OffersPage() {
  const { t } = useI18n();
  const journey = useJourney();
  const [sort, setSort] = useState<OfferSort>('default');
  const page = useAsync(() => journey.offers(sort, true), [sort]);
  return (
    <PageShell title={t('offers.title')} back={{ name: 'entry' }}>
      {page.data?.aprRange ? (
        <AprHero
          label={`${t('offers.rangeHeading')}`}
          value={percentRange(page.data.aprRange.min, page.data.aprRange.max)}
          note={t('apr.note')}
        />
      ) : null}
      <Segmented
        block
        className="lg-sort"
        value={sort}
        onChange={(value) => setSort(value === 'apr' ? 'apr' : 'default')}
        options={[
          { label: t('offers.sort.default'), value: 'default' },
          { label: t('offers.sort.apr'), value: 'apr' },
        ]}
        data-testid="offers-sort"
      />
      {page.data?.profileNeeded ? <NoticeBar content={t('offers.profileNeeded')} color="info" wrap /> : null}
      {page.loading ? <Loading /> : null}
      {page.error ? <LoadFailed error={page.error} onRetry={page.reload} /> : null}
      {page.data && !page.loading ? (
        page.data.offers.length === 0 ? (
          <p className="lg-empty" data-testid="offers-empty">
            {t('offers.empty')}
          </p>
        ) : (
          <div className="lg-offers" data-testid="offers">
            {page.data.offers.map((offer) => (
              <OfferCard key={offer.productId} offer={offer} />
            ))}
          </div>
        )
      ) : null}
    </PageShell>
  );
}
