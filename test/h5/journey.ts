import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { type Language, type MessageKey, translate, type Vars } from '../../web/src/i18n/messages.ts';
import { VIEWPORT } from './browser.ts';
import { percentRangeText, percentText, yuanText } from './oracle.ts';

/**
 * The borrower journey in the H5, as a person walks it, page by page: each page is checked for
 * what it must show (the APR first and largest where there is a price, amounts to the fen as yuan
 * computed by the API and formatted by the test's own oracle, nothing wider than 375 px) and
 * photographed. Where the backend cannot take the next step yet, the walk stops with a
 * `JourneyStop` naming the step and the reason, and the report says how far it got.
 */

export interface Person {
  readonly name: string;
  readonly idNumber: string;
  readonly phone: string;
  readonly bankCard: string;
  readonly contact: { readonly name: string; readonly phone: string };
}

export interface JourneyOptions {
  readonly baseUrl: string;
  readonly language: Language;
  readonly channel: string;
  readonly channelUserId: string;
  readonly person: Person;
  /** Folder for the screenshots, one PNG per page. */
  readonly shots: string;
  /** Through the dev sign-in page, or as a host app does: its token in the URL fragment. */
  readonly signIn: 'dev-page' | 'host-url';
  /** How long to wait for a lender's asynchronous answer (decision, disbursement, repayment). */
  readonly lenderWaitMs?: number;
}

export interface JourneyReport {
  /** The pages reached and checked, in order. */
  readonly reached: readonly string[];
  /** Where and why the walk stopped short of the end; null when it went all the way. */
  readonly stop: { readonly step: string; readonly reason: string } | null;
  readonly screenshots: readonly string[];
  /** Backend gaps met on the pages visited after the walk (e.g. a route not served yet). */
  readonly notes: readonly string[];
}

/** The backend cannot take the next step yet (as opposed to the H5 showing something wrong). */
export class JourneyStop extends Error {
  readonly step: string;
  constructor(step: string, reason: string) {
    super(reason);
    this.name = 'JourneyStop';
    this.step = step;
  }
}

interface OfferView {
  readonly productId: string;
  readonly productName: string;
  readonly lender: { readonly id?: string; readonly name: string };
  readonly aprMin: string;
  readonly aprMax: string;
  readonly amountMinFen: number;
  readonly amountMaxFen: number;
  readonly termsMonths: readonly number[];
  readonly methods: readonly string[];
  readonly dataCategories: readonly string[];
  readonly preCheck: string;
}

interface OffersView {
  readonly aprRange: { readonly min: string; readonly max: string } | null;
  readonly offers: readonly OfferView[];
}

interface QuoteView {
  readonly apr: string;
  readonly totalInterestFen: number;
  readonly totalFeeFen: number;
  readonly totalRepaymentFen: number;
}

interface ApplicationView {
  readonly id: string;
  readonly status: string;
  readonly requestedAmountFen: number;
  readonly termMonths: number;
  readonly method: string;
  readonly approval: { readonly apr: string; readonly limitFen: number } | null;
  readonly decisionReason: string | null;
}

interface DisclosureView {
  readonly apr: string;
  readonly principalFen: number;
  readonly totalInterestFen: number;
  readonly totalFeeFen: number;
  readonly totalCostFen: number;
  readonly totalRepaymentFen: number;
  readonly installments: readonly unknown[];
}

interface LoanView {
  readonly id: string;
  readonly principalFen: number;
  readonly status: string;
  readonly installments: readonly { readonly period: number; readonly status: string }[];
}

/**
 * Scripts run inside the page. They are strings because the test program is type-checked without
 * the DOM library (it runs on Node); each is an expression whose value comes back to the test.
 */
const IN_PAGE = {
  session: `window.sessionStorage.getItem('lendgate.session')`,
  layout: `({
    scrollWidth: document.documentElement.scrollWidth,
    text: document.body.innerText,
    language: document.documentElement.lang,
  })`,
  // Whether the APR hero holds the first "¥" or "%" on the page, and font sizes: its own against
  // the largest of any other text.
  aprFacts: `(() => {
    const main = document.querySelector('main');
    const hero = main && main.querySelector('[data-testid="apr-hero"]');
    const value = hero && hero.querySelector('[data-testid="apr-value"]');
    if (!main || !hero || !value) return null;
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    let firstPrice = null;
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const style = node.parentElement ? getComputedStyle(node.parentElement) : null;
      if (style && (style.display === 'none' || style.visibility === 'hidden')) continue;
      if (/[¥%]/.test(node.textContent || '')) { firstPrice = node; break; }
    }
    const heroSize = parseFloat(getComputedStyle(value).fontSize);
    let largestElsewhere = 0;
    for (const element of main.querySelectorAll('*')) {
      if (value.contains(element) || element.contains(value)) continue;
      const ownText = Array.from(element.childNodes).some(
        (child) => child.nodeType === Node.TEXT_NODE && (child.textContent || '').trim() !== '');
      if (ownText) largestElsewhere = Math.max(largestElsewhere, parseFloat(getComputedStyle(element).fontSize));
    }
    return { heroFirst: firstPrice !== null && hero.contains(firstPrice), heroSize, largestElsewhere };
  })()`,
} as const;

const REPAYMENT_ORDER = ['equal_installment', 'equal_principal', 'interest_first', 'bullet'];

function chinaToday(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

export async function walkJourney(page: Page, options: JourneyOptions): Promise<JourneyReport> {
  const journey = new Journey(page, options);
  let stop: JourneyReport['stop'] = null;
  try {
    await journey.run();
  } catch (error) {
    if (!(error instanceof JourneyStop)) throw error;
    stop = { step: error.step, reason: error.message };
  }
  await journey.afterwards();
  return journey.report(stop);
}

class Journey {
  readonly #page: Page;
  readonly #options: JourneyOptions;
  readonly #reached: string[] = [];
  readonly #screenshots: string[] = [];
  readonly #pageErrors: string[] = [];
  readonly #notes: string[] = [];
  #offer: OfferView | undefined;
  #applied = false;

  constructor(page: Page, options: JourneyOptions) {
    this.#page = page;
    this.#options = options;
    mkdirSync(options.shots, { recursive: true });
    page.on('pageerror', (error) => this.#pageErrors.push(error.message));
    page.setDefaultTimeout(10_000);
  }

  report(stop: JourneyReport['stop']): JourneyReport {
    return {
      reached: [...this.#reached],
      stop,
      screenshots: [...this.#screenshots],
      notes: [...this.#notes],
    };
  }

  t(key: MessageKey, vars?: Vars): string {
    return translate(this.#options.language, key, vars);
  }

  async run(): Promise<void> {
    await this.signIn();
    await this.entry();
    await this.offers();
    await this.product();
    await this.form();
    await this.consent();
    await this.decision();
    await this.drawdown();
    await this.loan();
  }

  /** Pages that need no offer: always visited, however far the journey went. */
  async afterwards(): Promise<void> {
    if (!this.#reached.includes('entry')) return;
    await this.mine();
    await this.shared();
    assert.deepEqual(this.#pageErrors, [], 'the H5 threw in the browser');
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────────

  async #token(): Promise<string> {
    const raw = (await this.#page.evaluate(IN_PAGE.session)) as string | null;
    assert.ok(raw, 'the borrower session is in sessionStorage');
    return (JSON.parse(raw) as { token: string }).token;
  }

  /** Calls the API as this borrower (the test's own view of what the page must show). */
  async #api<T>(
    path: string,
    init: { method?: string; body?: unknown; auth?: boolean } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.auth !== false) headers.authorization = `Bearer ${await this.#token()}`;
    const response = await fetch(`${this.#options.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  #byTestId(id: string): Locator {
    return this.#page.getByTestId(id);
  }

  async #text(id: string): Promise<string> {
    return ((await this.#byTestId(id).first().textContent()) ?? '').trim();
  }

  /** Waits until a test id's text equals the expected one, then asserts it (with the last seen text). */
  async #expectText(id: string, expected: string, timeout = 5_000): Promise<void> {
    const until = Date.now() + timeout;
    let actual = '';
    while (Date.now() < until) {
      actual = await this.#text(id).catch(() => '');
      if (actual === expected) return;
      await this.#page.waitForTimeout(100);
    }
    assert.equal(actual, expected, `${id} shows ${expected}`);
  }

  /** Checks what every page must satisfy, then saves its screenshot. */
  async #checkPage(name: string, checks: { price?: boolean } = {}): Promise<void> {
    const page = this.#page;
    await page.waitForLoadState('networkidle').catch(() => {});
    const layout = (await page.evaluate(IN_PAGE.layout)) as {
      scrollWidth: number;
      text: string;
      language: string;
    };
    assert.ok(
      layout.scrollWidth <= VIEWPORT.width,
      `${name}: nothing may be wider than ${VIEWPORT.width} px (page is ${layout.scrollWidth} px)`,
    );
    assert.doesNotMatch(layout.text, /\{[a-zA-Z]+\}/, `${name}: a message placeholder was left unfilled`);
    assert.equal(layout.language, this.#options.language, `${name}: <html lang> follows the language`);
    if (checks.price) await this.#aprFirst(name);
    const file = join(
      this.#options.shots,
      `${String(this.#screenshots.length + 1).padStart(2, '0')}-${name}.png`,
    );
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
    this.#screenshots.push(file);
    if (!this.#reached.includes(name)) this.#reached.push(name);
  }

  /**
   * COMPLIANCE.md: on a page with a price the annualized rate comes first (no amount or rate is
   * written above it) and is the most prominent (no text on the page is set larger).
   */
  async #aprFirst(name: string): Promise<void> {
    const facts = (await this.#page.evaluate(IN_PAGE.aprFacts)) as {
      heroFirst: boolean;
      heroSize: number;
      largestElsewhere: number;
    } | null;
    assert.ok(facts, `${name}: the page shows the APR (data-testid=apr-hero)`);
    assert.ok(facts.heroFirst, `${name}: the APR is the first price on the page`);
    assert.ok(
      facts.heroSize >= facts.largestElsewhere,
      `${name}: the APR (${facts.heroSize}px) is the largest text (largest elsewhere ${facts.largestElsewhere}px)`,
    );
  }

  async #fill(testId: string, value: string): Promise<void> {
    const input = this.#byTestId(testId).locator('input');
    await input.fill(value);
    await input.blur();
  }

  /** Polls the page until one of the conditions holds; returns its key, or null after the time. */
  async #waitFor<K extends string>(
    conditions: Record<K, () => Promise<boolean>>,
    timeout: number,
  ): Promise<K | null> {
    const until = Date.now() + timeout;
    while (Date.now() < until) {
      for (const [key, check] of Object.entries(conditions) as [K, () => Promise<boolean>][]) {
        if (await check().catch(() => false)) return key;
      }
      await this.#page.waitForTimeout(150);
    }
    return null;
  }

  #visible(testId: string): () => Promise<boolean> {
    return () => this.#byTestId(testId).first().isVisible();
  }

  get #lenderWait(): number {
    return this.#options.lenderWaitMs ?? 20_000;
  }

  // ── steps ──────────────────────────────────────────────────────────────────────────────────

  async signIn(): Promise<void> {
    const { baseUrl, channel, channelUserId, language } = this.#options;
    const page = this.#page;
    if (this.#options.signIn === 'dev-page') {
      await page.goto(`${baseUrl}/h5/sign-in${language === 'zh-CN' ? '' : `?lang=${language}`}`);
      await this.#byTestId('sign-in').waitFor();
      await this.#fill('demo-user', channelUserId);
      await this.#checkPage('sign-in');
      await this.#byTestId('sign-in').click();
    } else {
      // As a host app: it signs a token for its user and opens the H5 with it; the token must
      // leave the address bar at once. The language switch then turns the page to English.
      const minted = await this.#api<{ token: string }>(`/api/v1/dev/channels/${channel}/tokens`, {
        method: 'POST',
        body: { channelUserId },
        auth: false,
      });
      assert.equal(minted.status, 201, 'the dev route mints a channel token');
      // The fragment form: it never reaches a server (the query form is tested with the hidden entry).
      await page.goto(`${baseUrl}/h5/#channel=${channel}&token=${minted.body.token}`);
      await this.#byTestId('see-offers').or(this.#byTestId('entry-hidden')).waitFor();
      assert.doesNotMatch(page.url(), /token=/, 'the channel token is removed from the address bar');
      if (language !== 'zh-CN') {
        await this.#byTestId('language-switch').click();
        await page.getByText(this.t('entry.cta')).waitFor();
      }
    }
  }

  async entry(): Promise<void> {
    await this.#byTestId('entry-visible').waitFor();
    const entry = await this.#api<{ visible: boolean; preApprovedLimitFen?: number }>(
      '/api/v1/borrower/entry',
    );
    assert.equal(entry.body.visible, true);
    if (entry.body.preApprovedLimitFen) {
      await this.#expectText('entry-limit', yuanText(entry.body.preApprovedLimitFen).slice(1));
    }
    assert.equal(await this.#text('see-offers'), this.t('entry.cta'));
    await this.#checkPage('entry');
  }

  /** The JSON body of the next response the page receives whose URL contains `part`. */
  #nextResponse<T>(part: string): Promise<T> {
    return this.#page
      .waitForResponse(
        (response) => response.url().includes(part) && response.request().method() !== 'OPTIONS',
        {
          timeout: 15_000,
        },
      )
      .then(async (response) => (response.ok() ? ((await response.json()) as T) : (undefined as T)))
      .catch(() => undefined as T);
  }

  async offers(): Promise<void> {
    // The page's own answers are the oracle: asking the API again would run the lenders'
    // pre-check again, and a lender answering late the second time would change the list.
    const byDefault = this.#nextResponse<OffersView | undefined>('/api/v1/borrower/offers?sort=default');
    await this.#byTestId('see-offers').click();
    const shown = await this.#waitFor(
      {
        offers: this.#visible('offers'),
        empty: this.#visible('offers-empty'),
        failed: this.#visible('load-failed'),
      },
      15_000,
    );
    assert.ok(shown, 'the offers page shows offers, an empty list or an error');
    if (shown !== 'offers') {
      await this.#checkPage('offers');
      const answer = await this.#api<{ error?: { code: string } }>('/api/v1/borrower/offers?sort=apr');
      if (shown === 'failed' && answer.status === 404) {
        throw new JourneyStop(
          'offers',
          'GET /api/v1/borrower/offers answers 404: the offers route is not wired into the app yet',
        );
      }
      if (shown === 'failed') {
        throw new JourneyStop(
          'offers',
          `GET /api/v1/borrower/offers answers ${answer.status} ${answer.body.error?.code ?? ''}`,
        );
      }
      throw new JourneyStop(
        'offers',
        'no offers: no active lender product is offerable or answered the pre-check',
      );
    }
    const page1 = await byDefault;
    assert.ok(page1?.aprRange, 'the offers answer has an APR range');
    await this.#expectText('apr-value', percentRangeText(page1.aprRange.min, page1.aprRange.max));
    await this.#checkPage('offers', { price: true });

    const byAprAnswer = this.#nextResponse<OffersView | undefined>('/api/v1/borrower/offers?sort=apr');
    await this.#page.getByText(this.t('offers.sort.apr'), { exact: true }).click();
    const byApr = await byAprAnswer;
    const first = byApr?.offers[0];
    assert.ok(byApr && first, 'offers sorted by price');
    await this.#expectText('offer-apr', percentRangeText(first.aprMin, first.aprMax));
    const cards = this.#byTestId('offer');
    assert.equal(await cards.count(), byApr.offers.length, 'one card per offer');
    await this.#checkPage('offers-by-apr', { price: true });
    this.#offer = first;
    await cards.first().click();
  }

  async product(): Promise<void> {
    const offer = this.#offer!;
    await this.#byTestId('quote').waitFor();
    await this.#expectText('apr-value', percentRangeText(offer.aprMin, offer.aprMax));
    // An amount with fen in it, inside the product's range, to see the yuan to the fen.
    const amountFen = Math.min(Math.max(1_234_567, offer.amountMinFen), offer.amountMaxFen);
    await this.#fill('amount', (amountFen / 100).toFixed(2));
    const termMonths = offer.termsMonths.includes(12) ? 12 : offer.termsMonths[0]!;
    const method = REPAYMENT_ORDER.find((m) => offer.methods.includes(m))!;
    const quote = await this.#api<QuoteView>('/api/v1/quotes', {
      method: 'POST',
      auth: false,
      body: {
        principalFen: amountFen,
        termMonths,
        method,
        annualRate: offer.aprMax,
        startDate: chinaToday(),
      },
    });
    assert.equal(quote.status, 200);
    await this.#expectText('quote-total', yuanText(quote.body.totalRepaymentFen));
    await this.#expectText('quote-interest', yuanText(quote.body.totalInterestFen));
    await this.#expectText('quote-fee', yuanText(quote.body.totalFeeFen));
    await this.#expectText('quote-cost', yuanText(quote.body.totalInterestFen + quote.body.totalFeeFen));
    await this.#expectText('quote-apr', percentText(quote.body.apr));
    await this.#page.getByText(this.t('product.earlyPayoffFree')).first().waitFor();
    await this.#checkPage('product', { price: true });
    await this.#byTestId('apply').click();
  }

  async form(): Promise<void> {
    const offer = this.#offer!;
    const { person } = this.#options;
    const needs = new Set(offer.dataCategories);
    await this.#byTestId('profile-submit').waitFor();
    const page = this.#page;
    // Inline validation: a wrong check character and a card failing Luhn are named at once.
    if (needs.has('id_number')) {
      await this.#fill(
        'field-idNumber',
        `${person.idNumber.slice(0, 17)}${person.idNumber.endsWith('0') ? '1' : '0'}`,
      );
      await page.getByText(this.t('form.idNumber.checksum')).waitFor();
    }
    if (needs.has('bank_card')) {
      const last = Number(person.bankCard.slice(-1));
      await this.#fill('field-bankCard', `${person.bankCard.slice(0, -1)}${(last + 1) % 10}`);
      await page.getByText(this.t('form.bankCard.luhn')).waitFor();
    }
    await this.#checkPage('form-invalid');
    if (needs.has('name')) await this.#fill('field-name', person.name);
    if (needs.has('id_number')) await this.#fill('field-idNumber', person.idNumber);
    if (needs.has('phone')) await this.#fill('field-phone', person.phone);
    if (needs.has('bank_card')) await this.#fill('field-bankCard', person.bankCard);
    if (needs.has('contacts')) {
      await this.#fill('field-contactName', person.contact.name);
      await this.#fill('field-contactPhone', person.contact.phone);
      await page.getByText(this.t('relation.parent'), { exact: true }).click();
    }
    await this.#checkPage('form');
    await this.#byTestId('profile-submit').click();
    const next = await this.#waitFor(
      {
        consent: async () => /\/consent$/.test(new URL(page.url()).pathname),
        problem: this.#visible('form-problem'),
      },
      15_000,
    );
    assert.ok(next, 'the form moves on to consent or says why not');
    if (next === 'problem') {
      await this.#checkPage('form-problem');
      throw new JourneyStop('form', `after saving the profile: ${await this.#text('form-problem')}`);
    }
    const profile = await this.#api<Record<string, unknown>>('/api/v1/borrower/profile');
    assert.doesNotMatch(
      JSON.stringify(profile.body),
      new RegExp(person.idNumber),
      'the profile comes back masked',
    );
  }

  async consent(): Promise<void> {
    const offer = this.#offer!;
    const shown = await this.#waitFor(
      { items: this.#visible('consent-pi_authorization'), noLender: this.#visible('consent-no-lender') },
      10_000,
    );
    assert.ok(shown, 'the consent page shows the agreements or why it cannot');
    if (shown === 'noLender') {
      await this.#checkPage('consent');
      throw new JourneyStop(
        'consent',
        'the offers carry no lender.id (uuid), which GET /api/v1/agreements?lenderId= and POST /api/v1/borrower/consents need',
      );
    }
    const lender = offer.lender.name;
    const separate = this.#byTestId('consent-pi_authorization');
    assert.ok(
      ((await separate.textContent()) ?? '').includes(lender),
      'the separate consent names the lender',
    );
    await this.#page.getByText(this.t('consent.agreePi', { lender })).waitFor();
    const submit = this.#byTestId('consent-submit');
    assert.equal(await submit.isDisabled(), true, 'no applying before every item is ticked');
    for (const kind of ['platform_service', 'pi_authorization', 'lender_loan_agreement']) {
      const box = this.#byTestId(`check-${kind}`);
      if ((await box.count()) > 0) await box.click();
    }
    assert.equal(await submit.isDisabled(), false);
    await this.#checkPage('consent');
    await submit.click();
    await this.#page.waitForURL(/\/h5\/applications\/[0-9a-f-]{36}$/, { timeout: 10_000 });
    this.#applied = true;
  }

  #applicationId(): string {
    return new URL(this.#page.url()).pathname.split('/')[3]!;
  }

  async decision(): Promise<void> {
    await this.#byTestId('application-status').waitFor();
    const status = async () => (await this.#byTestId('application-status').getAttribute('data-status')) ?? '';
    if (['submitted', 'pre_checked', 'sent'].includes(await status())) await this.#checkPage('waiting');
    const outcome = await this.#waitFor(
      {
        approved: async () => (await status()) === 'approved',
        rejected: async () => ['rejected', 'cancelled', 'expired'].includes(await status()),
      },
      this.#lenderWait,
    );
    if (outcome === null)
      throw new JourneyStop(
        'decision',
        `no credit decision within ${this.#lenderWait / 1000} s (${await status()})`,
      );
    const { body } = await this.#api<{ application: ApplicationView }>(
      `/api/v1/borrower/applications/${this.#applicationId()}`,
    );
    if (outcome === 'rejected') {
      await this.#checkPage('rejected');
      throw new JourneyStop(
        'decision',
        `the lender declined: ${body.application.decisionReason ?? body.application.status}`,
      );
    }
    assert.ok(body.application.approval);
    await this.#expectText('apr-value', percentText(body.application.approval.apr));
    await this.#expectText('approved-limit', yuanText(body.application.approval.limitFen));
    await this.#checkPage('approved', { price: true });
  }

  async drawdown(): Promise<void> {
    // The sheet the page asked for is the oracle (the terms are the page's choice within the
    // approval); the test checks that every figure of it is shown, formatted to the fen.
    const asked = this.#nextResponse<DisclosureView | undefined>('/disclosure');
    await this.#byTestId('go-drawdown').click();
    await this.#byTestId('disclosure').waitFor({ timeout: 10_000 });
    const answer = await asked;
    assert.ok(answer, 'the disclosure sheet was computed');
    const sheet = { body: answer };
    await this.#expectText('sheet-principal', yuanText(sheet.body.principalFen));
    await this.#expectText('sheet-interest', yuanText(sheet.body.totalInterestFen));
    await this.#expectText('sheet-fee', yuanText(sheet.body.totalFeeFen));
    await this.#expectText('sheet-cost', yuanText(sheet.body.totalCostFen));
    await this.#expectText('sheet-total', yuanText(sheet.body.totalRepaymentFen));
    const sheetApr = this.#byTestId('disclosure').getByTestId('apr-value');
    assert.equal(((await sheetApr.textContent()) ?? '').trim(), percentText(sheet.body.apr));
    assert.equal(
      await this.#byTestId('disclosure').locator('[data-testid^="installment-"]').count(),
      sheet.body.installments.length,
    );
    const submit = this.#byTestId('drawdown-submit');
    assert.equal(await submit.isDisabled(), true, 'no drawing before the sheet is acknowledged');
    await this.#checkPage('disclosure', { price: true });
    await this.#byTestId('accept-disclosure').click();
    await submit.click();
    await this.#page.waitForURL(/\/h5\/applications\/[0-9a-f-]{36}$/);
    const paid = await this.#waitFor({ loan: this.#visible('view-loan') }, this.#lenderWait);
    if (paid === null) {
      await this.#checkPage('disbursing');
      const now = await this.#byTestId('application-status').getAttribute('data-status');
      throw new JourneyStop(
        'disbursement',
        `no disbursement and loan within ${this.#lenderWait / 1000} s (${now})`,
      );
    }
    await this.#checkPage('disbursed');
    await this.#byTestId('view-loan').click();
  }

  async loan(): Promise<void> {
    const page = this.#page;
    await this.#byTestId('schedule').waitFor();
    const loanId = new URL(page.url()).pathname.split('/')[3]!;
    const loan = async () =>
      (await this.#api<{ loan: LoanView }>(`/api/v1/borrower/loans/${loanId}`)).body.loan;
    const before = await loan();
    await this.#expectText('loan-principal', yuanText(before.principalFen));
    assert.equal(await this.#byTestId('schedule').locator('li').count(), before.installments.length);
    await this.#checkPage('loan', { price: true });

    await this.#byTestId('repay-next').click();
    await page.locator('.adm-dialog-button-bold').click();
    const repaid = await this.#waitFor(
      { paid: async () => (await loan()).installments[0]?.status === 'paid' },
      this.#lenderWait,
    );
    if (repaid === null)
      throw new JourneyStop(
        'repayment',
        `installment 1 not confirmed paid within ${this.#lenderWait / 1000} s`,
      );
    await this.#byTestId('installment-1').getByText(this.t('schedule.paid')).waitFor();
    await this.#checkPage('repaid-installment-1', { price: true });

    await this.#byTestId('payoff').click();
    await this.#byTestId('payoff-quote').waitFor();
    const quote = await this.#api<{ totalFen: number; feeFen: number }>(
      `/api/v1/borrower/loans/${loanId}/payoff-quote`,
    );
    assert.equal(quote.body.feeFen, 0);
    await this.#expectText('payoff-total', yuanText(quote.body.totalFen));
    assert.match(await this.#text('payoff-fee'), /¥0\.00/);
    await this.#checkPage('payoff-quote');
    await this.#byTestId('payoff-confirm').click();
    const settled = await this.#waitFor({ settled: this.#visible('loan-settled') }, this.#lenderWait);
    if (settled === null)
      throw new JourneyStop('payoff', `the loan is not settled within ${this.#lenderWait / 1000} s`);
    await this.#checkPage('settled');
  }

  async mine(): Promise<void> {
    await this.#page.goto(`${this.#options.baseUrl}/h5/mine`);
    const shown = await this.#waitFor(
      {
        list: () => this.#page.getByText(this.t('mine.applications')).isVisible(),
        failed: this.#visible('load-failed'),
      },
      10_000,
    );
    assert.ok(shown, 'my loans page shows the lists or an error');
    await this.#checkPage('mine');
    if (shown === 'failed') {
      const answer = await this.#api('/api/v1/borrower/applications');
      assert.equal(answer.status, 404, 'my loans page fails only where the backend has no route yet');
      this.#notes.push(
        'my loans: GET /api/v1/borrower/applications answers 404 (the applications routes are not wired yet)',
      );
    }
  }

  async shared(): Promise<void> {
    await this.#page.goto(`${this.#options.baseUrl}/h5/shared`);
    await this.#byTestId('releases').waitFor();
    await this.#page.waitForLoadState('networkidle').catch(() => {});
    const releases = this.#byTestId('release');
    if (this.#applied) {
      assert.equal(await releases.count(), 1, 'exactly one release');
      assert.ok(
        ((await releases.first().textContent()) ?? '').includes(this.#offer!.lender.name),
        'the release names the lender',
      );
    } else {
      await this.#byTestId('releases-none').waitFor();
    }
    await this.#checkPage('shared');
  }
}
