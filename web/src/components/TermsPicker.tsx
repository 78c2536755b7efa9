import { Form, Input, Selector } from 'antd-mobile';
import type { RepaymentMethod } from '../api/types.ts';
import { REPAYMENT_METHODS } from '../api/types.ts';
import { useI18n } from '../i18n/context.tsx';
import { methodLabel } from './labels.ts';

export interface TermsDraft {
  readonly amount: string;
  readonly termMonths: number;
  readonly method: RepaymentMethod;
}

interface Props {
  readonly value: TermsDraft;
  readonly onChange: (next: TermsDraft) => void;
  readonly amountLabel: string;
  readonly amountHint: string;
  readonly amountError: string | null;
  readonly termsMonths: readonly number[];
  readonly methods: readonly string[];
}

/** Amount in yuan, term and repayment method: the calculator's and the drawdown's inputs. */
export function TermsPicker({
  value,
  onChange,
  amountLabel,
  amountHint,
  amountError,
  termsMonths,
  methods,
}: Props) {
  const { t } = useI18n();
  const methodOptions = REPAYMENT_METHODS.filter((method) => methods.includes(method));
  return (
    <Form layout="vertical" mode="card" className="lg-terms">
      <Form.Item label={amountLabel} description={amountHint}>
        <Input
          value={value.amount}
          inputMode="decimal"
          onChange={(amount) => onChange({ ...value, amount })}
          data-testid="amount"
          aria-invalid={amountError !== null}
        />
        {amountError ? <div className="lg-field-error">{amountError}</div> : null}
      </Form.Item>
      <Form.Item label={t('product.term')}>
        <Selector
          value={[String(value.termMonths)]}
          onChange={(values) => values[0] && onChange({ ...value, termMonths: Number(values[0]) })}
          options={termsMonths.map((months) => ({
            value: String(months),
            label: t('product.termOption', { n: months }),
          }))}
        />
      </Form.Item>
      <Form.Item label={t('product.method')}>
        <Selector
          columns={2}
          value={[value.method]}
          onChange={(values) => {
            const next = methodOptions.find((method) => method === values[0]);
            if (next) onChange({ ...value, method: next });
          }}
          options={methodOptions.map((method) => ({ value: method, label: methodLabel(t, method) }))}
        />
      </Form.Item>
    </Form>
  );
}
