import { Button, Popup } from 'antd-mobile';
import type { PayoffQuote } from '../api/types.ts';
import { MoneyRows } from '../components/MoneyRows.tsx';
import { useI18n } from '../i18n/context.tsx';

interface Props {
  readonly quote: PayoffQuote | null;
  readonly busy: boolean;
  readonly onConfirm: () => void;
  readonly onClose: () => void;
}

/** 提前结清: what settling today costs — the fee line says free, interest only to today. */
export function PayoffSheet({ quote, busy, onConfirm, onClose }: Props) {
  const { t } = useI18n();
  return (
    <Popup visible={quote !== null} onMaskClick={onClose} bodyClassName="lg-sheet">
      {quote ? (
        <div data-testid="payoff-quote">
          <h3>{t('loan.payoffTitle')}</h3>
          <MoneyRows
            rows={[
              { label: t('loan.payoffPrincipal'), fen: quote.principalFen, testId: 'payoff-principal' },
              {
                label: t('loan.payoffInterest', { days: quote.accrualDays }),
                fen: quote.interestFen,
                testId: 'payoff-interest',
              },
              ...(quote.feeFen > 0
                ? [{ label: t('loan.payoffDueFees'), fen: quote.feeFen, testId: 'payoff-due-fees' }]
                : []),
              { label: t('loan.payoffFee'), text: `¥0.00 ${t('loan.payoffFree')}`, testId: 'payoff-fee' },
              { label: t('loan.payoffTotal'), fen: quote.totalFen, strong: true, testId: 'payoff-total' },
            ]}
          />
          <p className="lg-free-note">{t('product.earlyPayoffFree')}</p>
          <Button
            block
            color="primary"
            size="large"
            loading={busy}
            onClick={onConfirm}
            data-testid="payoff-confirm"
          >
            {t('loan.payoffConfirm')}
          </Button>
        </div>
      ) : null}
    </Popup>
  );
}
