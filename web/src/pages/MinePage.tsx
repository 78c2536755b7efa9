import { List } from 'antd-mobile';
import { borrowerApi } from '../api/borrower.ts';
import { LoadFailed, Loading } from '../components/LoadState.tsx';
import { statusLabel } from '../components/labels.ts';
import { PageShell } from '../components/PageShell.tsx';
import { applicationNames, type Names, namesOf } from '../components/Parties.tsx';
import { chinaDateTime } from '../format/dates.ts';
import { yuanWithSign } from '../format/money.ts';
import { useI18n } from '../i18n/context.tsx';
import { navigate } from '../router.ts';
import { useAsync } from '../state/use-async.ts';

/** One line of the list: the product and its amount, then the lender and when. */
function Line({ names, fen, when }: { names: Names; fen: number; when: string }) {
  const { t } = useI18n();
  return (
    <div className="lg-mine">
      <div className="lg-mine__head">
        <span className="lg-mine__product" data-testid="mine-product">
          {names.productName}
        </span>
        <span className="lg-mine__amount">{yuanWithSign(fen)}</span>
      </div>
      <div className="lg-mine__lender" data-testid="mine-lender">
        {t('offers.lender', { name: names.lenderName })}
      </div>
      <div className="lg-mine__when">{when}</div>
    </div>
  );
}

/**
 * My applications and loans, newest first, each saying whose it is (product and lender): the way
 * back to a loan after leaving the page.
 */
export function MinePage() {
  const { t } = useI18n();
  const state = useAsync(async () => {
    const [applications, loans] = await Promise.all([borrowerApi.applications(), borrowerApi.loans()]);
    return { applications: applications.items, loans: loans.items };
  }, []);
  // A loan made before the API carried names takes its application's fallbacks.
  const application = (id: string) => {
    const found = state.data?.applications.find((candidate) => candidate.id === id);
    return found && applicationNames(found);
  };
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
                extra={statusLabel(t, loan.status)}
              >
                <Line
                  names={namesOf(loan, application(loan.applicationId))}
                  fen={loan.principalFen}
                  when={`${loan.startDate} · ${t('offers.months', { n: loan.termMonths })}`}
                />
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
                extra={statusLabel(t, application.status)}
              >
                <Line
                  names={applicationNames(application)}
                  fen={application.requestedAmountFen}
                  when={chinaDateTime(application.createdAt)}
                />
              </List.Item>
            ))}
          </List>
        </>
      ) : null}
    </PageShell>
  );
}
