import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef } from 'react';
import { borrowerApi } from '../api/borrower.ts';
import type { DrawdownTerms, Offer, OfferSort, OffersPage, RepaymentMethod } from '../api/types.ts';
import { REPAYMENT_METHODS } from '../api/types.ts';

/**
 * What the borrower chose between pages: the offers last fetched and the terms tried in the
 * calculator. The terms (amount, term, method — no personal data) survive a reload in
 * sessionStorage; the offers are fetched again when needed.
 */
export interface Journey {
  readonly offers: (sort: OfferSort, fresh?: boolean) => Promise<OffersPage>;
  readonly offer: (productId: string, fresh?: boolean) => Promise<Offer | undefined>;
  /** An offer seen on this visit, without asking the lenders again (which would pre-check again). */
  readonly known: (productId: string) => Offer | undefined;
  readonly terms: (productId: string) => DrawdownTerms | undefined;
  readonly setTerms: (productId: string, terms: DrawdownTerms) => void;
}

const DRAFT_KEY = 'lendgate.draft';
const JourneyContext = createContext<Journey | null>(null);

function isMethod(value: unknown): value is RepaymentMethod {
  return typeof value === 'string' && (REPAYMENT_METHODS as readonly string[]).includes(value);
}

function readDraft(): Record<string, DrawdownTerms> {
  try {
    const parsed: unknown = JSON.parse(window.sessionStorage.getItem(DRAFT_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null) return {};
    const drafts: Record<string, DrawdownTerms> = {};
    for (const [productId, value] of Object.entries(parsed as Record<string, unknown>)) {
      const terms = value as Partial<Record<keyof DrawdownTerms, unknown>>;
      if (
        Number.isSafeInteger(terms.amountFen) &&
        Number.isSafeInteger(terms.termMonths) &&
        isMethod(terms.method)
      ) {
        drafts[productId] = {
          amountFen: terms.amountFen as number,
          termMonths: terms.termMonths as number,
          method: terms.method,
        };
      }
    }
    return drafts;
  } catch {
    return {};
  }
}

export function JourneyProvider({ children }: { readonly children: ReactNode }) {
  const cache = useRef(new Map<OfferSort, OffersPage>());
  const offers = useCallback(async (sort: OfferSort, fresh = false) => {
    const cached = cache.current.get(sort);
    if (cached && !fresh) return cached;
    const page = await borrowerApi.offers(sort);
    cache.current.clear();
    cache.current.set(sort, page);
    return page;
  }, []);
  const offer = useCallback(
    async (productId: string, fresh = false) => {
      const find = (page: OffersPage) => page.offers.find((candidate) => candidate.productId === productId);
      for (const page of fresh ? [] : cache.current.values()) {
        const found = find(page);
        if (found) return found;
      }
      return find(await offers('default', true));
    },
    [offers],
  );
  const known = useCallback((productId: string) => {
    for (const page of cache.current.values()) {
      const found = page.offers.find((candidate) => candidate.productId === productId);
      if (found) return found;
    }
    return undefined;
  }, []);
  const terms = useCallback((productId: string) => readDraft()[productId], []);
  const setTerms = useCallback((productId: string, next: DrawdownTerms) => {
    window.sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ ...readDraft(), [productId]: next }));
  }, []);
  const value = useMemo<Journey>(
    () => ({ offers, offer, known, terms, setTerms }),
    [offers, offer, known, terms, setTerms],
  );
  return <JourneyContext.Provider value={value}>{children}</JourneyContext.Provider>;
}

export function useJourney(): Journey {
  const journey = useContext(JourneyContext);
  if (!journey) throw new Error('useJourney outside JourneyProvider');
  return journey;
}
