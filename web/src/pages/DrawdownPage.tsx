import { Button, Checkbox } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { borrowerApi } from '../api/borrower.ts';
import type { Application, Approval, Disclosure, DrawdownTerms, RepaymentMethod } from '../api/types.ts';
import { REPAYMENT_METHODS } from '../api/types.ts';
import { AprHero } from '../components/AprHero.tsx';
import { errorMessage } from '../components/errors.ts';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { PageShell } from '../components/PageShell.tsx';
import { applicationNames, Parties } from '../components/Parties.tsx';
import { type TermsDraft, TermsPicker } from '../components/TermsPicker.tsx';
import { parseYuan, yuan, yuanPlain } from '../format/money.ts';
import { percent } from '../format/rate.ts';
import { useI18n } from '../i18n/context.tsx';
import { navigate } from '../router.ts';
import { useJourney } from '../state/journey.tsx';
import { useAsync } from '../state/use-async.ts';
import { DisclosureSheet } from './DisclosureSheet.tsx';

function initialDraft(
  application: Application,
  approval: Approval,
  saved: DrawdownTerms | undefined,
): TermsDraft {
  const wanted = saved ?? {
    amountFen: application.requestedAmountFen,
    termMonths: application.termMonths,
    method: application.method as RepaymentMethod,
  };
  const method =
    REPAYMENT_METHODS.find((m) => m === wanted.method && approval.methods.includes(m)) ??
    REPAYMENT_METHODS.find((m) => approval.methods.includes(m)) ??
    'equal_installment';
  const termMonths = approval.termsMonths.includes(wanted.termMonths)
    ? wanted.termMonths
    : (approval.termsMonths[0] ?? wanted.termMonths);
  return { amount: yuanPlain(Math.min(wanted.amountFen, approval.limitFen)), termMonths, method };
}

function DrawdownForm({ application, approval }: { application: Application; approval: Approval }) {
  const { t } = useI18n();
  const journey = useJourney();
  const [draft, setDraft] = useState<TermsDraft>(() =>
    initialDraft(application, approval, journey.terms(application.productId)),
  );
  const [sheet, setSheet] = useState<Disclosure | null>(null);
  const [accepted, setAccepted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const parsed = parseYuan(draft.amount);
  const amountFen = parsed !== null && parsed > 0 && parsed <= approval.limitFen ? parsed : null;

  useEffect(() => {
    setAccepted(false);
    setSheet(null);
    if (amountFen === null) return;
    let current = true;
    const timer = window.setTimeout(() => {
      borrowerApi
        .disclosure(application.id, { amountFen, termMonths: draft.termMonths, method: draft.method })
        .then(
          (result) => {
            if (!current) return;
            setSheet(result);
            setProblem(null);
          },
          (error: unknown) => current && setProblem(errorMessage(t, error)),
        );
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [application.id, amountFen, draft.termMonths, draft.method, t]);

  const submit = async () => {
    if (amountFen === null || !sheet) return;
    setBusy(true);
    setProblem(null);
    try {
      await borrowerApi.drawdown(application.id, {
        amountFen,
        termMonths: draft.termMonths,
        method: draft.method,
      });
      navigate({ name: 'application', id: application.id }, { replace: true });
    } catch (error) {
      setProblem(errorMessage(t, error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <TermsPicker
        value={draft}
        onChange={setDraft}
        amountLabel={t('drawdown.amount')}
        amountHint={t('drawdown.amountHint', { max: yuan(approval.limitFen) })}
        amountError={amountFen === null ? t('drawdown.amountHint', { max: yuan(approval.limitFen) }) : null}
        termsMonths={approval.termsMonths}
        methods={approval.methods}
      />
      {sheet ? <DisclosureSheet sheet={sheet} /> : amountFen !== null && !problem ? <Loading /> : null}
      {problem ? (
        <p className="lg-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="lg-actions">
        <Checkbox checked={accepted} disabled={!sheet} onChange={setAccepted} data-testid="accept-disclosure">
          {t('drawdown.accept')}
        </Checkbox>
        <Button
          block
          color="primary"
          size="large"
          disabled={!sheet || !accepted}
          loading={busy}
          onClick={submit}
          data-testid="drawdown-submit"
        >
          {t('drawdown.submit')}
        </Button>
      </div>
    </>
  );
}

/** 借款: choose amount, term and method within the approval; the disclosure sheet; confirm. */
export function DrawdownPage({ id }: { readonly id: string }) {
  const { t } = useI18n();
  const journey = useJourney();
  const loaded = useAsync(() => borrowerApi.application(id), [id]);
  const application = loaded.data?.application;
  const known = application ? journey.known(application.productId) : undefined;
  return (
    <PageShell title={t('drawdown.title')} back={{ name: 'application', id }}>
      {loaded.loading ? <Loading /> : null}
      {loaded.error ? <LoadFailed error={loaded.error} onRetry={loaded.reload} /> : null}
      {application?.approval ? (
        <>
          <AprHero label={t('application.approvedApr')} value={percent(application.approval.apr)}>
            <Parties names={applicationNames(application, known)} onHero />
          </AprHero>
          <DrawdownForm application={application} approval={application.approval} />
        </>
      ) : null}
      {application && !application.approval ? <p className="lg-empty">{t('error.INVALID_STATE')}</p> : null}
    </PageShell>
  );
}
