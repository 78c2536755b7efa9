import { Button, Dialog, NoticeBar, Result } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { borrowerApi } from '../api/borrower.ts';
import type { Application, Loan, LoanInstallment, PayoffQuote, RepaymentRequest } from '../api/types.ts';
import { AprHero } from '../components/AprHero.tsx';
import { errorMessage } from '../components/errors.ts';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { methodLabel, statusLabel } from '../components/labels.ts';
import { MoneyRows } from '../components/MoneyRows.tsx';
import { PageShell } from '../components/PageShell.tsx';
import { applicationNames, namesOf, Parties } from '../components/Parties.tsx';
import { Schedule } from '../components/Schedule.tsx';
import { yuan } from '../format/money.ts';
import { percent } from '../format/rate.ts';
import { useI18n } from '../i18n/context.tsx';
import { useAsync, useInterval } from '../state/use-async.ts';
import { PayoffSheet } from './PayoffSheet.tsx';

const SETTLED = new Set(['paid', 'waived']);
const POLL_MS = 1_500;
const POLLS = 20;
/** How long the page looks for the lender's confirmation after a repayment. */
const WATCH_MS = POLL_MS * POLLS;

function dueOf(line: LoanInstallment): number {
  return line.principalFen + line.interestFen + line.feeFen + line.penaltyFen;
}

/** What the borrower is told about their latest repayment when the lender did not take it. */
function failureNotice(
  t: ReturnType<typeof useI18n>['t'],
  latest: RepaymentRequest | undefined,
): string | null {
  if (latest?.status !== 'failed') return null;
  // Only a refusal in the lender's own words is meant for the borrower; other failures (the call
  // could not be delivered) carry technical reasons and get the plain sentence.
  if (latest.failureCode === 'LENDER_UNREACHABLE' || !latest.failureReason) return t('loan.repayUnreachable');
  return t('loan.repayRefused', { reason: latest.failureReason });
}

function LoanView({
  loan,
  application,
  latestRequest,
  onChanged,
}: {
  loan: Loan;
  application: Application;
  /** The newest repayment request of this loan, if any. */
  latestRequest: RepaymentRequest | undefined;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const [payoff, setPayoff] = useState<PayoffQuote | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // A repayment sent and not yet confirmed by the lender: how many installments were settled
  // when it was sent. Until the lender's confirmation changes that, nothing can be paid twice.
  const [sentAt, setSentAt] = useState<number | null>(null);
  const open = loan.installments.filter((line) => !SETTLED.has(line.status));
  const next = open[0];
  const settled = loan.status === 'settled';
  const outstandingPrincipal = open.reduce((sum, line) => sum + line.principalFen, 0);
  const cost = loan.installments.reduce((sum, line) => sum + line.interestFen + line.feeFen, 0);
  const settledCount = loan.installments.length - open.length;
  const names = namesOf(loan, applicationNames(application));

  useEffect(() => {
    if (sentAt === null || settledCount === sentAt) return;
    setSentAt(null);
    setNotice(settled ? null : t('loan.repaidConfirmed'));
  }, [sentAt, settledCount, settled, t]);
  // The repayment sent from this page, until the page shows how it ended.
  const [sentId, setSentId] = useState<string | null>(null);
  const current = sentId === null || latestRequest?.id === sentId ? latestRequest : undefined;
  const failure = failureNotice(t, current);
  useEffect(() => {
    // The lender did not take this repayment: stop waiting for its confirmation, let them retry.
    if (failure === null || sentId === null) return;
    setSentAt(null);
    setSentId(null);
    setNotice(null);
  }, [failure, sentId]);
  useEffect(() => {
    // The page stops looking after a while (LoanPage); so does the wait for the confirmation.
    if (sentAt === null) return;
    const timer = window.setTimeout(() => setSentAt(null), WATCH_MS);
    return () => window.clearTimeout(timer);
  }, [sentAt]);

  const act = async (action: () => Promise<{ repaymentId: string }>) => {
    setBusy(true);
    setNotice(null);
    try {
      const { repaymentId } = await action();
      setSentId(repaymentId);
      setSentAt(settledCount);
      setNotice(t('loan.repaid'));
      onChanged();
    } catch (error) {
      setNotice(errorMessage(t, error));
    } finally {
      setBusy(false);
    }
  };

  const repayNext = async () => {
    if (!next) return;
    const confirmed = await Dialog.confirm({
      content: t('loan.repayNext', { n: next.period, amount: yuan(dueOf(next) - next.paidFen) }),
    });
    if (confirmed)
      await act(() => borrowerApi.repay(loan.id, { kind: 'installment', periods: [next.period] }));
  };

  const showPayoff = async () => {
    try {
      setPayoff(await borrowerApi.payoffQuote(loan.id));
    } catch (error) {
      setNotice(errorMessage(t, error));
    }
  };

  return (
    <>
      {application.approval ? (
        <AprHero label={t('apr.label')} value={percent(application.approval.apr)} note={t('apr.note')}>
          <Parties names={names} onHero />
        </AprHero>
      ) : (
        <Parties names={names} />
      )}
      <MoneyRows
        rows={[
          { label: t('loan.principal'), fen: loan.principalFen, testId: 'loan-principal' },
          { label: t('loan.totalCost'), fen: cost, testId: 'loan-cost' },
          { label: t('loan.remaining'), fen: outstandingPrincipal, strong: true, testId: 'loan-remaining' },
          { label: t('drawdown.term'), text: t('offers.months', { n: loan.termMonths }) },
          { label: t('drawdown.method'), text: methodLabel(t, loan.method) },
          { label: t('loan.status'), text: statusLabel(t, loan.status), testId: 'loan-status' },
        ]}
      />
      {failure && !settled && notice === null ? (
        <NoticeBar content={failure} color="alert" wrap data-testid="loan-repay-failed" />
      ) : notice && !settled ? (
        <NoticeBar content={notice} color="info" wrap data-testid="loan-notice" />
      ) : null}
      {settled ? <Result status="success" title={t('loan.settled')} data-testid="loan-settled" /> : null}
      {!settled && next ? (
        <div className="lg-actions lg-actions--row">
          <Button
            color="primary"
            loading={busy}
            disabled={sentAt !== null}
            onClick={repayNext}
            data-testid="repay-next"
          >
            {t('loan.repayNext', { n: next.period, amount: yuan(dueOf(next) - next.paidFen) })}
          </Button>
          <Button
            color="primary"
            fill="outline"
            disabled={sentAt !== null}
            onClick={showPayoff}
            data-testid="payoff"
          >
            {t('loan.payoff')}
          </Button>
        </div>
      ) : null}
      {settled ? null : <p className="lg-free-note">{t('product.earlyPayoffFree')}</p>}
      <h2 className="lg-section-title">{t('loan.schedule')}</h2>
      <Schedule lines={loan.installments.map((line) => ({ ...line, totalFen: dueOf(line) }))} />
      <PayoffSheet
        quote={payoff}
        busy={busy}
        onClose={() => setPayoff(null)}
        onConfirm={() => {
          setPayoff(null);
          void act(() => borrowerApi.repay(loan.id, { kind: 'payoff' }));
        }}
      />
    </>
  );
}

/**
 * The loan: APR first, with whose loan it is (product and lender); what is owed, the schedule;
 * repay an installment or pay off early for free.
 */
export function LoanPage({ id }: { readonly id: string }) {
  const { t } = useI18n();
  const [watching, setWatching] = useState(0);
  const state = useAsync(async () => {
    const { loan, repaymentRequests } = await borrowerApi.loan(id);
    const { application } = await borrowerApi.application(loan.applicationId);
    return { loan, application, latestRequest: repaymentRequests[0] };
  }, [id]);
  // After a repayment the lender confirms by callback: look again for a while.
  useInterval(
    () => {
      setWatching((n) => (n > 0 ? n - 1 : 0));
      state.reload();
    },
    POLL_MS,
    watching > 0,
  );
  return (
    <PageShell title={t('loan.title')} back={{ name: 'mine' }}>
      {!state.data && state.loading ? <Loading /> : null}
      {state.error && !state.data ? <LoadFailed error={state.error} onRetry={state.reload} /> : null}
      {state.data ? (
        <LoanView
          loan={state.data.loan}
          application={state.data.application}
          latestRequest={state.data.latestRequest}
          onChanged={() => setWatching(POLLS)}
        />
      ) : null}
    </PageShell>
  );
}
