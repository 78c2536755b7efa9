import { yuanWithSign } from '../format/money.ts';

export interface MoneyRow {
  readonly label: string;
  /** Integer fen; shown as yuan with two decimals. */
  readonly fen?: number;
  /** A text value instead of money. */
  readonly text?: string;
  readonly strong?: boolean;
  readonly testId?: string;
}

/** Label / value lines, amounts right-aligned in yuan. */
export function MoneyRows({ rows }: { readonly rows: readonly MoneyRow[] }) {
  return (
    <dl className="lg-rows">
      {rows.map((row) => (
        <div key={row.label} className={row.strong ? 'lg-row lg-row--strong' : 'lg-row'}>
          <dt>{row.label}</dt>
          <dd data-testid={row.testId}>{row.fen !== undefined ? yuanWithSign(row.fen) : row.text}</dd>
        </div>
      ))}
    </dl>
  );
}
