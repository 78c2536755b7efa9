import type { Disclosure } from '../api/types.ts';
import { AprHero } from '../components/AprHero.tsx';
import { methodLabel } from '../components/labels.ts';
import { MoneyRows } from '../components/MoneyRows.tsx';
import { Schedule } from '../components/Schedule.tsx';
import { percent } from '../format/rate.ts';
import { useI18n } from '../i18n/context.tsx';

/**
 * 综合融资成本明示表: the APR first and largest, then amount, term, method, the total cost in
 * yuan, and every installment — what the borrower sees before signing.
 */
export function DisclosureSheet({ sheet }: { readonly sheet: Disclosure }) {
  const { t } = useI18n();
  return (
    <section className="lg-disclosure" data-testid="disclosure">
      <h2 className="lg-disclosure__title">{t('drawdown.sheet')}</h2>
      <AprHero label={t('apr.label')} value={percent(sheet.apr)} note={t('drawdown.sheetIntro')} />
      <MoneyRows
        rows={[
          { label: t('drawdown.principal'), fen: sheet.principalFen, testId: 'sheet-principal' },
          { label: t('drawdown.received'), fen: sheet.amountReceivedFen, testId: 'sheet-received' },
          { label: t('drawdown.term'), text: t('offers.months', { n: sheet.termMonths }) },
          { label: t('drawdown.method'), text: methodLabel(t, sheet.method) },
          { label: t('drawdown.period'), text: `${sheet.startDate} – ${sheet.maturityDate}` },
          { label: t('drawdown.totalInterest'), fen: sheet.totalInterestFen, testId: 'sheet-interest' },
          { label: t('drawdown.totalFee'), fen: sheet.totalFeeFen, testId: 'sheet-fee' },
          { label: t('drawdown.totalCost'), fen: sheet.totalCostFen, strong: true, testId: 'sheet-cost' },
          { label: t('drawdown.totalRepayment'), fen: sheet.totalRepaymentFen, testId: 'sheet-total' },
        ]}
      />
      <h3 className="lg-section-title">{t('drawdown.installments')}</h3>
      <Schedule lines={sheet.installments} />
      <p className="lg-free-note">{t('drawdown.earlyPayoff')}</p>
    </section>
  );
}
