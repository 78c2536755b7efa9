import { type Executor, ownTables, type SharedExecutor } from '../db/transaction.ts';
import { callResponseProblem, isCallResponseBody } from '../protocol/contract-validators.ts';
import { sendSignedRequest } from '../protocol/envelope/index.ts';
import type { PlatformKeyring } from '../protocol/platform-keys.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import type { CatalogueEntry, MarketplacePorts, PreCheckIdentity, ProductTermsShown } from './ports.ts';
import { aprRange, compareDecimal, type OfferSort, rankOffers } from './ranking.ts';
import type { MarketplaceTables, PreCheckOutcome } from './tables.ts';

export const PRE_CHECK_PATH = '/lendgate/v1/pre-check';
/** Total time the offers page waits for lenders; later answers are dropped. */
export const DEFAULT_BUDGET_MS = 800;
/** How long an accepted pre-check lets the borrower apply to that product. */
export const PRE_CHECK_VALIDITY_MS = 24 * 3_600_000;
/**
 * A lender's decline reason for a `hashKeyId` it does not hold (docs/protocol.md): during a
 * rotation's overlap the platform asks again under the key the new one replaced.
 */
export const UNKNOWN_HASH_KEY = 'unknown_hash_key';

export interface Offer extends ProductTermsShown {
  readonly lender: {
    readonly id: string;
    readonly code: string;
    readonly name: string;
    readonly kind: string;
  };
  readonly preCheck: 'accepted' | 'pending_profile';
  readonly indicativeLimitFen: number | null;
}

export interface OffersPage {
  /** Lowest and highest all-in APR across the offers: what the page shows first. */
  readonly aprRange: { readonly min: string; readonly max: string } | null;
  readonly sort: OfferSort;
  readonly offers: readonly Offer[];
  /** Whether the borrower must fill in their profile before lenders can pre-approve them. */
  readonly profileNeeded: boolean;
}

interface PreCheckAnswer {
  readonly outcome: PreCheckOutcome;
  readonly reason: string | null;
  readonly latencyMs: number;
  readonly indicativeLimitFen: number | null;
  readonly aprMin: string | null;
  readonly aprMax: string | null;
}

function clampApr(product: CatalogueEntry, answer: PreCheckAnswer): { aprMin: string; aprMax: string } {
  // A lender may narrow its product's range for this borrower, never widen it past the product's.
  const aprMin =
    answer.aprMin && compareDecimal(answer.aprMin, product.aprMin) > 0 ? answer.aprMin : product.aprMin;
  const aprMax =
    answer.aprMax && compareDecimal(answer.aprMax, product.aprMax) < 0 ? answer.aprMax : product.aprMax;
  return compareDecimal(aprMin, aprMax) <= 0
    ? { aprMin, aprMax }
    : { aprMin: product.aprMin, aprMax: product.aprMax };
}

/**
 * Offers (the 撞库 fan-out): every eligible product's lender is asked in parallel whether it would
 * lend to this borrower, with hashed identifiers and coarse bands only, inside one latency budget.
 * Lenders that decline, answer late, fail, or are over their daily quota are left out; every
 * result is recorded.
 */
export class OfferService {
  readonly #db: Executor<MarketplaceTables>;
  readonly #clock: Clock;
  readonly #ports: MarketplacePorts;
  readonly #keyring: PlatformKeyring;
  readonly #budgetMs: number;
  readonly #fetch: typeof fetch;

  constructor(
    db: Executor<MarketplaceTables>,
    clock: Clock,
    ports: MarketplacePorts,
    keyring: PlatformKeyring,
    options: { budgetMs?: number; fetch?: typeof fetch } = {},
  ) {
    this.#db = db;
    this.#clock = clock;
    this.#ports = ports;
    this.#keyring = keyring;
    this.#budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
    this.#fetch = options.fetch ?? fetch;
  }

  async offers(principal: BorrowerPrincipal, sort: OfferSort, amountFen?: number): Promise<OffersPage> {
    const entry = await this.#ports.entryVisible(principal);
    if (!entry.visible) {
      throw new AppError('NOT_WHITELISTED', 'The borrowing entry is not open to this user.', {
        reason: entry.reason ?? 'not_whitelisted',
      });
    }
    const catalogue = (await this.#ports.catalogue()).filter(
      (product) =>
        amountFen === undefined || (amountFen >= product.amountMinFen && amountFen <= product.amountMaxFen),
    );
    // One read of the profile and one count of today's applications serve every lender asked.
    const [identities, sentToday] = await Promise.all([
      this.#ports.preCheckIdentities(principal.borrowerId, [...new Set(catalogue.map((p) => p.partnerId))]),
      this.#ports.applicationsToday([...new Set(catalogue.map((p) => p.lenderId))]),
    ]);
    const underQuota = (product: CatalogueEntry) =>
      (sentToday.get(product.lenderId) ?? 0) < product.dailyApplicationQuota;

    const startedAt = Date.now();
    const deadline = startedAt + this.#budgetMs;
    const checked = await Promise.all(
      catalogue.map(async (product) => {
        if (!underQuota(product)) {
          return {
            product,
            answer: this.#answer('over_quota', startedAt, { reason: 'daily quota reached' }),
          };
        }
        const keyed = identities.get(product.partnerId);
        if (!keyed) return { product, answer: undefined };
        // A lender without a valid pre-check key cannot be asked: recorded, left out.
        if (keyed.length === 0)
          return { product, answer: this.#answer('error', startedAt, { reason: 'no pre-check key' }) };
        return { product, answer: await this.#preCheckUnderKeys(product, keyed, startedAt, deadline) };
      }),
    );
    await this.#record(principal, checked);

    const offers: Offer[] = [];
    for (const { product, answer } of checked) {
      if (answer !== undefined && answer.outcome !== 'accepted') continue;
      const prices = answer ? clampApr(product, answer) : { aprMin: product.aprMin, aprMax: product.aprMax };
      offers.push({
        productId: product.productId,
        productCode: product.productCode,
        productName: product.productName,
        lender: {
          id: product.lenderId,
          code: product.partnerId,
          name: product.lenderName,
          kind: product.lenderKind,
        },
        funderName: product.funderName,
        ...prices,
        amountMinFen: product.amountMinFen,
        amountMaxFen: product.amountMaxFen,
        termsMonths: product.termsMonths,
        methods: product.methods,
        dataCategories: product.dataCategories,
        preCheck: answer ? 'accepted' : 'pending_profile',
        indicativeLimitFen: answer?.indicativeLimitFen ?? null,
      });
    }
    return {
      aprRange: aprRange(offers),
      sort,
      offers: rankOffers(offers, sort),
      profileNeeded: checked.some((c) => c.answer === undefined),
    };
  }

  #answer(outcome: PreCheckOutcome, startedAt: number, fields: Partial<PreCheckAnswer> = {}): PreCheckAnswer {
    return {
      outcome,
      reason: null,
      latencyMs: Date.now() - startedAt,
      indicativeLimitFen: null,
      aprMin: null,
      aprMax: null,
      ...fields,
    };
  }

  /**
   * Asks under the lender's current key; a lender that declines it as unknown (it has not
   * installed a freshly rotated key yet) is asked again under the key it replaced, while that one
   * is still valid and the budget lasts.
   */
  async #preCheckUnderKeys(
    product: CatalogueEntry,
    identities: readonly PreCheckIdentity[],
    startedAt: number,
    deadline: number,
  ): Promise<PreCheckAnswer> {
    for (const [i, identity] of identities.entries()) {
      const answer = await this.#preCheck(product, identity, startedAt, deadline);
      const unknownKey = answer.outcome === 'declined' && answer.reason === UNKNOWN_HASH_KEY;
      if (!unknownKey || i === identities.length - 1 || Date.now() >= deadline) return answer;
    }
    throw new Error('unreachable: a lender with keys is asked at least once');
  }

  async #preCheck(
    product: CatalogueEntry,
    identity: PreCheckIdentity,
    startedAt: number,
    deadline: number,
  ): Promise<PreCheckAnswer> {
    const endpoint = await this.#ports.endpointOf(product.partnerId);
    if (!endpoint) return this.#answer('error', startedAt, { reason: 'no endpoint' });
    // Signed in the partner's suite: SM2-SM3 for a partner on the 国密 suite, else Ed25519.
    const key = await this.#keyring.signingKeyFor(endpoint.signingKeys);
    const timeoutMs = Math.max(1, Math.min(endpoint.timeoutMs.pre_check, deadline - Date.now()));
    try {
      const result = await sendSignedRequest(
        endpoint.baseUrl,
        'POST',
        PRE_CHECK_PATH,
        {
          productCode: product.productCode,
          ...identity,
          amountBandFen: { min: product.amountMinFen, max: product.amountMaxFen },
        },
        {
          partnerId: product.partnerId,
          key,
          timeoutMs,
          responseKeys: endpoint.signingKeys,
          now: () => this.#clock().getTime(),
          fetch: this.#fetch,
        },
      );
      if (result.status !== 200)
        return this.#answer('error', startedAt, { reason: `status ${result.status}` });
      // An answer that breaks the contract is an error, not a guess at what the lender meant.
      const body = result.body;
      if (!isCallResponseBody('pre-check', body)) {
        const problem = callResponseProblem('pre-check', body) ?? 'breaks the contract';
        return this.#answer('error', startedAt, { reason: problem.slice(0, 100) });
      }
      if (body.decision === 'accept') {
        return this.#answer('accepted', startedAt, {
          indicativeLimitFen: body.indicativeLimitFen ?? null,
          aprMin: body.aprMin ?? null,
          aprMax: body.aprMax ?? null,
        });
      }
      return this.#answer('declined', startedAt, { reason: body.reason?.slice(0, 100) ?? null });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return this.#answer(timedOut ? 'timeout' : 'error', startedAt, {
        reason: timedOut ? 'no answer within the budget' : (error as Error).message.slice(0, 100),
      });
    }
  }

  async #record(
    principal: BorrowerPrincipal,
    checked: readonly { product: CatalogueEntry; answer: PreCheckAnswer | undefined }[],
  ): Promise<void> {
    const at = this.#clock();
    const rows = checked
      .filter((c): c is { product: CatalogueEntry; answer: PreCheckAnswer } => c.answer !== undefined)
      .map(({ product, answer }) => ({
        borrower_id: principal.borrowerId,
        product_id: product.productId,
        partner_id: product.partnerId,
        channel_code: principal.channelCode,
        outcome: answer.outcome,
        reason: answer.reason,
        latency_ms: answer.latencyMs,
        indicative_limit_fen: answer.indicativeLimitFen,
        apr_min: answer.aprMin,
        apr_max: answer.aprMax,
        at,
      }));
    if (rows.length > 0) await this.#db.insertInto('pre_check_results').values(rows).execute();
  }

  /** Whether this borrower's latest pre-check with this product was accepted, recently enough. */
  async hasAcceptedPreCheck(
    executor: SharedExecutor,
    borrowerId: string,
    productId: string,
  ): Promise<boolean> {
    const latest = await ownTables<MarketplaceTables>(executor)
      .selectFrom('pre_check_results')
      .select(['outcome', 'at'])
      .where('borrower_id', '=', borrowerId)
      .where('product_id', '=', productId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return (
      latest?.outcome === 'accepted' && this.#clock().getTime() - latest.at.getTime() < PRE_CHECK_VALIDITY_MS
    );
  }
}
