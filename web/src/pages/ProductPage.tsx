import { Button, NoticeBar } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { borrowerApi } from '../api/borrower.ts';
import type { Offer, Quote, RepaymentMethod } from '../api/types.ts';
import { REPAYMENT_METHODS } from '../api/types.ts';
import { AprHero } from '../components/AprHero.tsx';
import { errorMessage } from '../components/errors.ts';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { categoryLabels } from '../components/labels.ts';
import { PageShell } from '../components/PageShell.tsx';
import { type TermsDraft, TermsPicker } from '../components/TermsPicker.tsx';
import { chinaToday } from '../format/dates.ts';
import { parseYuan, yuan, yuanPlain } from '../format/money.ts';
import { percent, percentRange } from '../format/rate.ts';
import { useI18n } from '../i18n/context.tsx';
import { navigate } from '../router.ts';
import { useJourney } from '../state/journey.tsx';
import { useAsync } from '../state/use-async.ts';
import { QuoteResult } from './QuoteResult.tsx';

const DEFAULT_AMOUNT_FEN = 1_000_000;

function initialDraft(
  offer: Offer,
  saved: { amountFen: number; termMonths: number; method: RepaymentMethod } | undefined,
): TermsDraft {
  if (saved)
    return { amount: yuanPlain(saved.amountFen), termMonths: saved.termMonths, method: saved.method };
  const amountFen = Math.min(Math.max(DEFAULT_AMOUNT_FEN, offer.amountMinFen), offer.amountMaxFen);
  const method = REPAYMENT_METHODS.find((m) => offer.methods.includes(m)) ?? 'equal_installment';
  const termMonths = offer.termsMonths.includes(12) ? 12 : (offer.termsMonths[0] ?? 12);
  return { amount: yuanPlain(amountFen), termMonths, method };
}

/** The amount in fen when it lies within the offer's range, else null. */
function amountWithin(offer: Offer, amount: string): number | null {
  const fen = parseYuan(amount);
  return fen !== null && fen >= offer.amountMinFen && fen <= offer.amountMaxFen ? fen : null;
}

function Calculator({ offer }: { readonly offer: Offer }) {
  const { t, language } = useI18n();
  const journey = useJourney();
  const [draft, setDraft] = useState<TermsDraft>(() => initialDraft(offer, journey.terms(offer.productId)));
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const amountFen = amountWithin(offer, draft.amount);

  useEffect(() => {
    if (amountFen === null) return;
    let current = true;
    const timer = window.setTimeout(() => {
      borrowerApi
        .quote({
          principalFen: amountFen,
          termMonths: draft.termMonths,
          method: draft.method,
          annualRate: offer.aprMax,
          startDate: chinaToday(),
        })
        .then(
          (result) => {
            if (!current) return;
            setQuote(result);
            setQuoteError(null);
          },
          (error: unknown) => current && setQuoteError(errorMessage(t, error)),
        );
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [amountFen, draft.termMonths, draft.method, offer.aprMax, t]);

  const apply = () => {
    if (amountFen === null) return;
    journey.setTerms(offer.productId, { amountFen, termMonths: draft.termMonths, method: draft.method });
    navigate({ name: 'profile', productId: offer.productId });
  };

  return (
    <>
      <h2 className="lg-section-title">{t('product.calculator')}</h2>
      <TermsPicker
        value={draft}
        onChange={setDraft}
        amountLabel={t('product.amount')}
        amountHint={t('product.amountHint', { min: yuan(offer.amountMinFen), max: yuan(offer.amountMaxFen) })}
        amountError={
          amountFen === null
            ? t('product.invalidAmount', { min: yuan(offer.amountMinFen), max: yuan(offer.amountMaxFen) })
            : null
        }
        termsMonths={offer.termsMonths}
        methods={offer.methods}
      />
      <p className="lg-footnote">{t('product.quoteBasis', { rate: percent(offer.aprMax) })}</p>
      {quoteError ? <p className="lg-error">{quoteError}</p> : null}
      {quote && amountFen !== null ? <QuoteResult quote={quote} /> : null}
      <NoticeBar className="lg-free" content={t('product.earlyPayoffFree')} color="info" wrap />
      <p className="lg-footnote">
        {t('product.dataNeeded', { categories: categoryLabels(t, language, offer.dataCategories) })}
      </p>
      <div className="lg-actions">
        <Button
          block
          color="primary"
          size="large"
          disabled={amountFen === null}
          onClick={apply}
          data-testid="apply"
        >
          {t('product.apply')}
        </Button>
      </div>
    </>
  );
}

/** One offer: its APR range first, who lends and funds it, and the 试算 calculator. */
export function ProductPage({ productId }: { readonly productId: string }) {
  const { t } = useI18n();
  const journey = useJourney();
  const offer = useAsync(() => journey.offer(productId), [productId]);
  return (
    <PageShell title={t('product.title')} back={{ name: 'offers' }}>
      {offer.loading ? <Loading /> : null}
      {offer.error ? <LoadFailed error={offer.error} onRetry={offer.reload} /> : null}
      {!offer.loading && !offer.error && !offer.data ? (
        <p className="lg-empty">{t('product.notFound')}</p>
      ) : null}
      {offer.data ? (
        <>
          <AprHero
            label={t('apr.label')}
            value={percentRange(offer.data.aprMin, offer.data.aprMax)}
            note={t('apr.note')}
          >
            <div className="lg-apr__product">{offer.data.productName}</div>
            <div className="lg-apr__lender">
              {t('offers.lender', { name: offer.data.lender.name })} ·{' '}
              {t('offers.funder', { name: offer.data.funderName })}
            </div>
          </AprHero>
          <Calculator offer={offer.data} />
        </>
      ) : null}
    </PageShell>
  );
}
