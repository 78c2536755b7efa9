import { Button, DotLoading, Result, Steps } from 'antd-mobile';
import { borrowerApi } from '../api/borrower.ts';
import type { Application, ApplicationDetail, ApplicationStatus, Loan } from '../api/types.ts';
import { AprHero } from '../components/AprHero.tsx';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { statusLabel } from '../components/labels.ts';
import { MoneyRows } from '../components/MoneyRows.tsx';
import { PageShell } from '../components/PageShell.tsx';
import { applicationNames, type Names, Parties } from '../components/Parties.tsx';
import { chinaDateTime } from '../format/dates.ts';
import { percent } from '../format/rate.ts';
import { useI18n } from '../i18n/context.tsx';
import { navigate } from '../router.ts';
import { useJourney } from '../state/journey.tsx';
import { useAsync, useInterval } from '../state/use-async.ts';

/** States in which the page keeps asking: the lender has yet to answer. */
const WAITING: readonly ApplicationStatus[] = ['submitted', 'pre_checked', 'sent', 'drawdown_requested'];
const LOANED: readonly ApplicationStatus[] = ['disbursed', 'repaying', 'overdue', 'settled'];

function stepOf(status: ApplicationStatus): number {
  if (status === 'submitted' || status === 'pre_checked') return 0;
  if (status === 'sent') return 1;
  return 2;
}

function Approved({ application, names }: { readonly application: Application; readonly names: Names }) {
  const { t } = useI18n();
  const approval = application.approval;
  if (!approval) return null;
  return (
    <>
      <AprHero label={t('application.approvedApr')} value={percent(approval.apr)} note={t('apr.note')}>
        <Parties names={names} onHero />
      </AprHero>
      <Result status="success" title={t('application.approved')} data-testid="approved" />
      <MoneyRows
        rows={[
          { label: t('application.limit'), fen: approval.limitFen, strong: true, testId: 'approved-limit' },
        ]}
      />
      {approval.validUntil ? (
        <p className="lg-footnote">
          {t('application.validUntil', { date: chinaDateTime(approval.validUntil) })}
        </p>
      ) : null}
      <div className="lg-actions">
        <Button
          block
          color="primary"
          size="large"
          onClick={() => navigate({ name: 'drawdown', id: application.id })}
          data-testid="go-drawdown"
        >
          {t('application.drawdown')}
        </Button>
      </div>
    </>
  );
}

function Loaned({ loan }: { readonly loan: Loan | undefined }) {
  const { t } = useI18n();
  return (
    <>
      <Result status="success" title={t('application.disbursed')} data-testid="disbursed" />
      <div className="lg-actions">
        {loan ? (
          <Button
            block
            color="primary"
            size="large"
            onClick={() => navigate({ name: 'loan', id: loan.id })}
            data-testid="view-loan"
          >
            {t('application.viewLoan')}
          </Button>
        ) : (
          <p className="lg-muted">
            <DotLoading /> {t('loan.loanNotReady')}
          </p>
        )}
      </div>
    </>
  );
}

/** The decision with whose it is: in the APR hero once approved, else in a card above the outcome. */
function Decision({
  detail,
  loan,
  names,
}: {
  detail: ApplicationDetail;
  loan: Loan | undefined;
  names: Names;
}) {
  const { application } = detail;
  if (application.status === 'approved') return <Approved application={application} names={names} />;
  return (
    <>
      <Parties names={names} />
      <Outcome application={application} loan={loan} lender={names.lenderName} />
    </>
  );
}

function Outcome({
  application,
  loan,
  lender,
}: {
  application: Application;
  loan: Loan | undefined;
  lender: string;
}) {
  const { t } = useI18n();
  const status = application.status;
  if (LOANED.includes(status)) return <Loaned loan={loan} />;
  if (status === 'drawdown_requested') {
    return <Result status="waiting" title={t('application.disbursing')} data-testid="disbursing" />;
  }
  if (status === 'drawdown_failed') {
    return (
      <>
        <Result status="warning" title={t('application.failed')} />
        <div className="lg-actions">
          <Button block color="primary" onClick={() => navigate({ name: 'drawdown', id: application.id })}>
            {t('application.drawdown')}
          </Button>
        </div>
      </>
    );
  }
  if (status === 'rejected') {
    return (
      <>
        <Result
          status="error"
          title={t('application.rejected')}
          description={t('application.rejectedHint')}
          data-testid="rejected"
        />
        <div className="lg-actions">
          <Button block onClick={() => navigate({ name: 'offers' })}>
            {t('application.otherOffers')}
          </Button>
        </div>
      </>
    );
  }
  if (status === 'cancelled') return <Result status="info" title={t('application.cancelled')} />;
  if (status === 'expired') return <Result status="info" title={t('application.expired')} />;
  return (
    <Result
      status="waiting"
      title={t('application.waitingTitle')}
      description={t('application.waiting', { lender })}
      data-testid="waiting"
    />
  );
}

/** Waiting for the lender, then its decision; after drawing, the way to the loan. */
export function ApplicationPage({ id }: { readonly id: string }) {
  const { t } = useI18n();
  const journey = useJourney();
  const state = useAsync(async () => {
    const detail = await borrowerApi.application(id);
    const loan = LOANED.includes(detail.application.status)
      ? (await borrowerApi.loans()).items.find((candidate) => candidate.applicationId === id)
      : undefined;
    return { detail, loan };
  }, [id]);
  const status = state.data?.detail.application.status;
  const polling =
    status !== undefined && (WAITING.includes(status) || (LOANED.includes(status) && !state.data?.loan));
  useInterval(state.reload, 1500, polling);
  const application = state.data?.detail.application;
  const names = application
    ? applicationNames(application, journey.known(application.productId))
    : { productName: '', lenderName: '' };
  return (
    <PageShell title={t('application.title')} back={{ name: 'mine' }}>
      {!state.data && state.loading ? <Loading /> : null}
      {state.error && !state.data ? <LoadFailed error={state.error} onRetry={state.reload} /> : null}
      {state.data && application ? (
        <>
          <Steps current={stepOf(application.status)} className="lg-steps">
            <Steps.Step title={t('application.step.submitted')} />
            <Steps.Step title={t('application.step.sent')} />
            <Steps.Step title={t('application.step.decision')} />
          </Steps>
          <div data-testid="application-status" data-status={application.status}>
            <Decision detail={state.data.detail} loan={state.data.loan} names={names} />
          </div>
          <h2 className="lg-section-title">{t('application.history')}</h2>
          <ul className="lg-history">
            {state.data.detail.history.map((entry) => (
              <li key={`${entry.at}-${entry.to}`}>
                <span className="lg-muted">{chinaDateTime(entry.at)}</span> {statusLabel(t, entry.to)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </PageShell>
  );
}
