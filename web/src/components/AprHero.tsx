import type { ReactNode } from 'react';

interface Props {
  readonly label: string;
  /** The rate as shown, e.g. "7.20% – 18.00%". */
  readonly value: string;
  readonly note?: string;
  readonly children?: ReactNode;
}

/**
 * The annualized rate, shown first and largest on every page with a price (COMPLIANCE.md):
 * nothing about the price comes above it, and no other figure is set larger.
 */
export function AprHero({ label, value, note, children }: Props) {
  return (
    <section className="lg-apr" data-testid="apr-hero">
      <div className="lg-apr__label">{label}</div>
      <div className="lg-apr__value" data-testid="apr-value">
        {value}
      </div>
      {note ? <div className="lg-apr__note">{note}</div> : null}
      {children}
    </section>
  );
}
