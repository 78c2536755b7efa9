import { List } from 'antd-mobile';
import { borrowerApi } from '../api/borrower.ts';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { statusLabel } from '../components/labels.ts';
import { PageShell } from '../components/PageShell.tsx';
import { chinaDateTime } from '../format/dates.ts';
import { yuanWithSign } from '../format/money.ts';
import { useI18n } from '../i18n/context.tsx';
import { navigate } from '../router.ts';
import { useAsync } from '../state/use-async.ts';

/** My applications and loans, newest first: the way back to a loan after leaving the page. */
export function MinePage() {
  const { t } = useI18n();
  const state = useAsync(async () => {
    const [applications, loans] = await Promise.all([borrowerApi.applications(), borrowerApi.loans()]);
    return { applications: applications.items, loans: loans.items };
  }, []);
  return (
    <PageShell title={t('mine.title')} back={{ name: 'entry' }}>
      {state.loading ? <Loading /> : null}
      {state.error ? <LoadFailed error={state.error} onRetry={state.reload} /> : null}
      {state.data ? (
        <>
          <List header={t('mine.loans')}>
            {state.data.loans.length === 0 ? <List.Item>{t('mine.none')}</List.Item> : null}
            {state.data.loans.map((loan) => (
              <List.Item
                key={loan.id}
                data-testid="mine-loan"
                onClick={() => navigate({ name: 'loan', id: loan.id })}
                description={`${loan.startDate} · ${t('offers.months', { n: loan.termMonths })}`}
                extra={statusLabel(t, loan.status)}
              >
                {yuanWithSign(loan.principalFen)}
              </List.Item>
            ))}
          </List>
          <List header={t('mine.applications')}>
            {state.data.applications.length === 0 ? <List.Item>{t('mine.none')}</List.Item> : null}
            {state.data.applications.map((application) => (
              <List.Item
                key={application.id}
                data-testid="mine-application"
                onClick={() => navigate({ name: 'application', id: application.id })}
                description={chinaDateTime(application.createdAt)}
                extra={statusLabel(t, application.status)}
              >
                {yuanWithSign(application.requestedAmountFen)}
              </List.Item>
            ))}
          </List>
        </>
      ) : null}
    </PageShell>
  );
}
