import { Collapse } from 'antd-mobile';
import type { Quote } from '../api/types.ts';
import { MoneyRows } from '../components/MoneyRows.tsx';
import { Schedule } from '../components/Schedule.tsx';
import { percent } from '../format/rate.ts';
import { useI18n } from '../i18n/context.tsx';

/** A 试算 result: its APR first, then total interest and fees in yuan, then every installment. */
export function QuoteResult({ quote }: { readonly quote: Quote }) {
  const { t } = useI18n();
  const first = quote.installments[0];
  return (
    <section className="lg-quote" data-testid="quote">
      <div className="lg-quote__apr">
        <span>{t('product.quoteApr')}</span>
        <strong data-testid="quote-apr">{percent(quote.apr)}</strong>
      </div>
      <MoneyRows
        rows={[
          { label: t('product.totalInterest'), fen: quote.totalInterestFen, testId: 'quote-interest' },
          { label: t('product.totalFee'), fen: quote.totalFeeFen, testId: 'quote-fee' },
          {
            label: t('product.totalCost'),
            fen: quote.totalInterestFen + quote.totalFeeFen,
            strong: true,
            testId: 'quote-cost',
          },
          { label: t('product.totalRepayment'), fen: quote.totalRepaymentFen, testId: 'quote-total' },
          ...(first ? [{ label: t('product.firstInstallment'), fen: first.totalFen }] : []),
        ]}
      />
      <Collapse>
        <Collapse.Panel key="schedule" title={t('product.schedule')}>
          <Schedule lines={quote.installments} />
        </Collapse.Panel>
      </Collapse>
    </section>
  );
}
