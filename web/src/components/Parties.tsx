import type { Application, Offer } from '../api/types.ts';
import { useI18n } from '../i18n/context.tsx';

/** Whose loan it is: the product borrowed and the lender lending it. */
export interface Names {
  readonly productName: string;
  readonly lenderName: string;
}

/**
 * The first non-empty name of each kind among the candidates, in order. Applications made before
 * the API kept the names carry '' (and so do their loans): the page then falls back on what else it
 * knows (the offer seen on this visit, the application, finally the product and lender codes).
 */
export function namesOf(...candidates: readonly (Partial<Names> | undefined)[]): Names {
  const first = (key: keyof Names) => candidates.find((names) => names?.[key])?.[key] ?? '';
  return { productName: first('productName'), lenderName: first('lenderName') };
}

/** An application's names; else the offer's when seen on this visit; else the codes. */
export function applicationNames(application: Application, offer?: Offer): Names {
  return namesOf(application, offer && { productName: offer.productName, lenderName: offer.lender.name }, {
    productName: application.productCode,
    lenderName: application.partnerId,
  });
}

/**
 * The product name and "机构：{lender}" (Lender: …). Inside the APR hero on a page with a price,
 * white on its blue like the product page's names; otherwise a card of its own.
 */
export function Parties({ names, onHero = false }: { readonly names: Names; readonly onHero?: boolean }) {
  const { t } = useI18n();
  return (
    <div className={onHero ? 'lg-parties lg-parties--hero' : 'lg-parties'} data-testid="parties">
      <div className="lg-parties__product" data-testid="parties-product">
        {names.productName}
      </div>
      <div className="lg-parties__lender" data-testid="parties-lender">
        {t('offers.lender', { name: names.lenderName })}
      </div>
    </div>
  );
}
