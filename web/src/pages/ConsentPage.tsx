import { Button, Checkbox, NoticeBar, Popup, Tag } from 'antd-mobile';
import { type ReactNode, useState } from 'react';
import { borrowerApi } from '../api/borrower.ts';
import type { Agreement, Offer } from '../api/types.ts';
import { errorMessage } from '../components/errors.ts';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { categoryLabels } from '../components/labels.ts';
import { PageShell } from '../components/PageShell.tsx';
import { useI18n } from '../i18n/context.tsx';
import { navigate } from '../router.ts';
import { useJourney } from '../state/journey.tsx';
import { useAsync } from '../state/use-async.ts';

/** The full text of one agreement in a bottom sheet. */
function AgreementText({
  agreement,
  onClose,
}: {
  readonly agreement: Agreement | null;
  readonly onClose: () => void;
}) {
  const { t } = useI18n();
  return (
    <Popup visible={agreement !== null} onMaskClick={onClose} bodyClassName="lg-sheet" destroyOnClose>
      {agreement ? (
        <div data-testid="agreement-text">
          {/* Legal texts are Chinese in either language: set in a Chinese face, with Chinese quotes. */}
          <h3 lang="zh-CN">{agreement.title}</h3>
          <pre className="lg-agreement-text" lang="zh-CN">
            {agreement.text}
          </pre>
          <Button block onClick={onClose}>
            {t('consent.close')}
          </Button>
        </div>
      ) : null}
    </Popup>
  );
}

interface ItemProps {
  readonly agreement: Agreement;
  readonly heading: string;
  readonly agreeLabel: string;
  readonly checked: boolean;
  readonly onCheck: (checked: boolean) => void;
  readonly onRead: (agreement: Agreement) => void;
  readonly children?: ReactNode;
  readonly emphasis?: boolean;
}

/** One agreement: what it is, a link to its text, and its own checkbox. */
function ConsentItem({
  agreement,
  heading,
  agreeLabel,
  checked,
  onCheck,
  onRead,
  children,
  emphasis,
}: ItemProps) {
  const { t } = useI18n();
  return (
    <section
      className={emphasis ? 'lg-consent lg-consent--separate' : 'lg-consent'}
      data-testid={`consent-${agreement.kind}`}
    >
      <div className="lg-consent__head">
        <h3>{heading}</h3>
        <Button size="mini" fill="none" color="primary" onClick={() => onRead(agreement)}>
          {t('consent.read')}
        </Button>
      </div>
      {children}
      <Checkbox checked={checked} onChange={onCheck} data-testid={`check-${agreement.kind}`}>
        {agreeLabel}
      </Checkbox>
    </section>
  );
}

function ConsentForm({
  offer,
  lenderId,
  agreements,
}: {
  offer: Offer;
  lenderId: string;
  agreements: readonly Agreement[];
}) {
  const { t, language } = useI18n();
  const journey = useJourney();
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [reading, setReading] = useState<Agreement | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const lender = offer.lender.name;
  const allChecked = agreements.length > 0 && agreements.every((a) => checked.has(a.id));
  const check = (id: string) => (value: boolean) =>
    setChecked((current) => {
      const next = new Set(current);
      if (value) next.add(id);
      else next.delete(id);
      return next;
    });

  const submit = async () => {
    const terms = journey.terms(offer.productId);
    if (!terms) {
      navigate({ name: 'product', productId: offer.productId });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await borrowerApi.giveConsent(
        lenderId,
        agreements.map((a) => ({ id: a.id, version: a.version })),
      );
      const application = await borrowerApi.apply(offer.productId, terms);
      navigate({ name: 'application', id: application.id }, { replace: true });
    } catch (error) {
      setProblem(errorMessage(t, error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <p className="lg-intro">{t('consent.intro')}</p>
      {t('consent.textLanguage') ? <NoticeBar content={t('consent.textLanguage')} color="info" wrap /> : null}
      {agreements.map((agreement) => {
        if (agreement.kind === 'platform_service') {
          return (
            <ConsentItem
              key={agreement.id}
              agreement={agreement}
              heading={t('consent.platform')}
              agreeLabel={t('consent.agreePlatform', { title: agreement.title })}
              checked={checked.has(agreement.id)}
              onCheck={check(agreement.id)}
              onRead={setReading}
            />
          );
        }
        if (agreement.kind === 'pi_authorization') {
          return (
            <ConsentItem
              key={agreement.id}
              agreement={agreement}
              heading={t('consent.piTitle', { lender })}
              agreeLabel={t('consent.agreePi', { lender })}
              checked={checked.has(agreement.id)}
              onCheck={check(agreement.id)}
              onRead={setReading}
              emphasis
            >
              <p className="lg-consent__fact">{t('consent.piRecipient', { lender })}</p>
              <p className="lg-consent__fact">
                {t('consent.piCategories', { categories: categoryLabels(t, language, agreement.categories) })}
              </p>
              <div className="lg-consent__tags">
                {agreement.categories.map((category) => (
                  <Tag key={category} color="primary" fill="outline">
                    {categoryLabels(t, language, [category])}
                  </Tag>
                ))}
              </div>
            </ConsentItem>
          );
        }
        return (
          <ConsentItem
            key={agreement.id}
            agreement={agreement}
            heading={t('consent.loan', { lender })}
            agreeLabel={t('consent.agreeLoan', { title: agreement.title })}
            checked={checked.has(agreement.id)}
            onCheck={check(agreement.id)}
            onRead={setReading}
          />
        );
      })}
      <p className="lg-footnote">{t('consent.withdrawHint')}</p>
      {problem ? (
        <p className="lg-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="lg-actions">
        <Button
          block
          color="primary"
          size="large"
          disabled={!allChecked}
          loading={busy}
          onClick={submit}
          data-testid="consent-submit"
        >
          {t('consent.submit')}
        </Button>
      </div>
      <AgreementText agreement={reading} onClose={() => setReading(null)} />
    </>
  );
}

const KIND_ORDER = ['platform_service', 'pi_authorization', 'lender_loan_agreement'];

/** Consent: the platform agreement, the separate authorization naming the lender, its loan agreement. */
export function ConsentPage({ productId }: { readonly productId: string }) {
  const { t } = useI18n();
  const journey = useJourney();
  const loaded = useAsync(async () => {
    const offer = await journey.offer(productId);
    if (!offer) return { offer, agreements: [] };
    const lenderId = offer.lender.id;
    const { items } = await borrowerApi.agreements(lenderId);
    const agreements = items
      .filter((a) => a.lenderId === null || a.lenderId === lenderId)
      .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    return { offer, agreements };
  }, [productId]);
  const data = loaded.data;
  return (
    <PageShell title={t('consent.title')} back={{ name: 'profile', productId }}>
      {loaded.loading ? <Loading /> : null}
      {loaded.error ? <LoadFailed error={loaded.error} onRetry={loaded.reload} /> : null}
      {data && !data.offer ? <p className="lg-empty">{t('product.notFound')}</p> : null}
      {data?.offer ? (
        <ConsentForm offer={data.offer} lenderId={data.offer.lender.id} agreements={data.agreements} />
      ) : null}
    </PageShell>
  );
}
