import { Tag } from 'antd-mobile';
import { yuan, yuanWithSign } from '../format/money.ts';
import { useI18n } from '../i18n/context.tsx';

export interface ScheduleLine {
  readonly period: number;
  readonly dueDate: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly totalFen: number;
  /** For a loan's schedule: pending, paid, overdue, waived. */
  readonly status?: string;
}

function StatusTag({ status }: { readonly status: string }) {
  const { t } = useI18n();
  if (status === 'paid' || status === 'waived') return <Tag color="success">{t('schedule.paid')}</Tag>;
  if (status === 'overdue') return <Tag color="danger">{t('schedule.overdue')}</Tag>;
  return <Tag color="default">{t('schedule.pending')}</Tag>;
}

/** Every installment: period, due date, amount, and its principal / interest / fee. */
export function Schedule({ lines }: { readonly lines: readonly ScheduleLine[] }) {
  const { t } = useI18n();
  return (
    <ol className="lg-schedule" data-testid="schedule">
      {lines.map((line) => (
        <li key={line.period} className="lg-schedule__line" data-testid={`installment-${line.period}`}>
          <div className="lg-schedule__head">
            <span>
              {t('schedule.period', { n: line.period })}
              <span className="lg-muted"> · {t('schedule.due', { date: line.dueDate })}</span>
            </span>
            <strong>{yuanWithSign(line.totalFen)}</strong>
          </div>
          <div className="lg-schedule__detail">
            <span>
              {t('schedule.breakdown', {
                principal: yuan(line.principalFen),
                interest: yuan(line.interestFen),
                fee: yuan(line.feeFen),
              })}
            </span>
            {line.status ? <StatusTag status={line.status} /> : null}
          </div>
        </li>
      ))}
    </ol>
  );
}
