import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Locator, Page, Response } from 'playwright-core';
import { REFUSED_REPAYMENT_REASON } from '../../sandbox/lender/faults.ts';
import { type Language, type MessageKey, translate, type Vars } from '../../web/src/i18n/messages.ts';
import { VIEWPORT } from './browser.ts';
import { percentRangeText, percentText, yuanText } from './oracle.ts';

/**
 * The whole borrower journey in the H5, as a person walks it, page by page: sign-in, entry,
 * offers, product and calculator, data form, consent, waiting and decision, drawdown with the
 * disclosure sheet, the loan with its schedule, one installment repaid, the early payoff, settled,
 * my loans, and what was shared with whom. Each page is checked for what a borrower would judge —
 * the APR first and largest where there is a price, whose loan it is (product and lender, as the
 * API names them and as they were offered), amounts to the fen as yuan (the page's own API
 * answers are the oracle, formatted by the test's own `oracle.ts`), text in the page's language
 * and drawn with a real font, nothing wider than 375 px — and photographed. Any failure fails.
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
  /**
   * Which offer to take: the cheapest (first by APR), or the cheapest whose lender also asks for
   * an emergency contact (so the form's contact fields are walked too).
   */
  readonly pick: 'cheapest' | 'with-contacts';
  /** How long to wait for a lender's asynchronous answer (decision, disbursement, repayment). */
  readonly lenderWaitMs?: number;
  /**
   * The sandbox lender's address: when given, the lender first refuses a repayment (its
   * `refuseRepayments` fault) and the page must say so in its words and let the borrower retry.
   */
  readonly sandboxUrl?: string;
}

export interface JourneyReport {
  /** The pages walked and checked, in order. */
  readonly reached: readonly string[];
  readonly screenshots: readonly string[];
  /** The product taken and its lender. */
  readonly offer: { readonly productName: string; readonly lender: string };
}

interface OfferView {
  readonly productId: string;
  readonly productName: string;
  readonly lender: { readonly id: string; readonly name: string };
  readonly funderName: string;
  readonly aprMin: string;
  readonly aprMax: string;
  readonly amountMinFen: number;
  readonly amountMaxFen: number;
  readonly termsMonths: readonly number[];
  readonly methods: readonly string[];
  readonly dataCategories: readonly string[];
  readonly preCheck: string;
  readonly indicativeLimitFen: number | null;
}

interface OffersView {
  readonly aprRange: { readonly min: string; readonly max: string } | null;
  readonly profileNeeded: boolean;
  readonly offers: readonly OfferView[];
}

interface Line {
  readonly period: number;
  readonly dueDate: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly totalFen: number;
}

interface QuoteView {
  readonly apr: string;
  readonly totalInterestFen: number;
  readonly totalFeeFen: number;
  readonly totalRepaymentFen: number;
  readonly installments: readonly Line[];
}

interface AgreementView {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly text: string;
  readonly categories: readonly string[];
}

/** Whose loan it is, as the API names an application and a loan. */
interface Names {
  readonly productName: string;
  readonly lenderName: string;
}

interface ApplicationView extends Names {
  readonly id: string;
  readonly status: string;
  readonly requestedAmountFen: number;
  readonly approval: { readonly apr: string; readonly limitFen: number } | null;
  readonly decisionReason: string | null;
}

interface DisclosureView {
  readonly apr: string;
  readonly principalFen: number;
  readonly amountReceivedFen: number;
  readonly termMonths: number;
  readonly totalInterestFen: number;
  readonly totalFeeFen: number;
  readonly totalCostFen: number;
  readonly totalRepaymentFen: number;
  readonly installments: readonly Line[];
}

export interface LoanLine {
  readonly period: number;
  readonly dueDate: string;
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly penaltyFen: number;
  readonly paidFen: number;
  readonly status: string;
}

export interface LoanView extends Names {
  readonly id: string;
  readonly applicationId: string;
  readonly principalFen: number;
  readonly termMonths: number;
  readonly method: string;
  readonly annualRate: string;
  readonly startDate: string;
  readonly status: string;
  readonly installments: readonly LoanLine[];
}

export interface PayoffView {
  readonly principalFen: number;
  readonly interestFen: number;
  readonly feeFen: number;
  readonly totalFen: number;
  readonly accrualDays: number;
}

interface ReleaseView {
  readonly lenderId: string;
  readonly lenderName: string | null;
  readonly categories: readonly string[];
}

/**
 * Scripts run inside the page. They are strings because the test program is type-checked without
 * the DOM library (it runs on Node); each is an expression whose value comes back to the test.
 */
const IN_PAGE = {
  session: `window.sessionStorage.getItem('lendgate.session')`,
  // The page's width, its visible text (a bottom sheet's too) and language, and any element whose
  // right edge passes the viewport.
  layout: `(() => {
    const wide = [];
    for (const element of document.body.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.right > window.innerWidth + 0.5 && wide.length < 3)
        wide.push(element.tagName.toLowerCase() + '.' + String(element.className).split(' ')[0] + ' (' + Math.round(box.right) + ' px)');
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      wide,
      text: document.body.innerText,
      language: document.documentElement.lang,
    };
  })()`,
  // Where things are: unchanged over two looks when the page has stopped moving (a panel
  // opening, a sheet sliding up, a dialog fading in are animated by script, not CSS).
  geometry: `JSON.stringify([document.documentElement.scrollHeight,
    ...Array.from(document.querySelectorAll('[data-testid], .adm-popup-body, .adm-dialog-body, .adm-collapse-panel-content, .adm-mask'))
      .map((e) => { const r = e.getBoundingClientRect(); return [r.top, r.height, getComputedStyle(e).opacity]; })])`,
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

const LOAN_PATH = /^\/api\/v1\/borrower\/loans\/[0-9a-f-]{36}$/;
const REPAYMENT_ORDER = ['equal_installment', 'equal_principal', 'interest_first', 'bullet'];
const CJK = /[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]/;
const CJK_ALL = /[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]+/g;
/** Chinese the English pages show on purpose: the language switch, the sheet's legal name. */
const CHINESE_IN_ENGLISH = ['中文', '综合融资成本明示表'];

export async function walkJourney(page: Page, options: JourneyOptions): Promise<JourneyReport> {
  const journey = new Journey(page, options);
  await journey.run();
  return journey.report();
}

/**
 * The journey step by step, for a walk that does more between the steps than `walkJourney` (a
 * restart of the server, say): each step starts on the page the one before left.
 */
export class Journey {
  readonly #page: Page;
  readonly #options: JourneyOptions;
  readonly #reached: string[] = [];
  readonly #screenshots: string[] = [];
  readonly #pageErrors: string[] = [];
  /**
   * Text from the API shown as sent (names of products and lenders, agreement titles and texts):
   * Chinese in English too, and it may hold Latin letters in Chinese (an e-mail address).
   */
  readonly #data = new Set<string>();
  #cdp: CDPSession | undefined;
  #offer: OfferView | undefined;
  #quote: { amountFen: number; termMonths: number; method: string } | undefined;
  #applicationId = '';
  #approval: { apr: string; limitFen: number } | undefined;
  /** The product and lender names of the application, as the API gave them. */
  #names: Names | undefined;
  #sheet: DisclosureView | undefined;
  #loanId = '';
  #agreements: Promise<{ items: AgreementView[] }> | undefined;

  constructor(page: Page, options: JourneyOptions) {
    this.#page = page;
    this.#options = options;
    mkdirSync(options.shots, { recursive: true });
    page.on('pageerror', (error) => this.#pageErrors.push(error.message));
    page.setDefaultTimeout(10_000);
  }

  report(): JourneyReport {
    return {
      reached: [...this.#reached],
      screenshots: [...this.#screenshots],
      offer: { productName: this.#offer!.productName, lender: this.#offer!.lender.name },
    };
  }

  t(key: MessageKey, vars?: Vars): string {
    return translate(this.#options.language, key, vars);
  }

  async run(): Promise<void> {
    await this.untilDisbursed();
    await this.loan();
    if (this.#options.sandboxUrl) await this.refusedRepayment(this.#options.sandboxUrl);
    await this.repay();
    await this.payoff();
    await this.mine();
    await this.shared();
    this.checkNoPageErrors();
  }

  /** From sign-in to the disbursed loan: the application page offers the way to the loan. */
  async untilDisbursed(): Promise<void> {
    await this.signIn();
    await this.entry();
    await this.offers();
    await this.product();
    await this.form();
    await this.consent();
    await this.decision();
    await this.drawdown();
  }

  checkNoPageErrors(): void {
    assert.deepEqual(this.#pageErrors, [], 'the H5 threw in the browser');
  }

  /** The borrower's loans as the API holds them now. */
  async myLoans(): Promise<LoanView[]> {
    return (await this.#api<{ items: LoanView[] }>('/api/v1/borrower/loans')).body.items;
  }

  /** The loan as the API holds it now (after `loan`, `loanAway` or `reopen` opened it). */
  async currentLoan(): Promise<LoanView> {
    return this.#loan();
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────────

  async #token(): Promise<string> {
    const raw = (await this.#page.evaluate(IN_PAGE.session)) as string | null;
    assert.ok(raw, 'the borrower session is in sessionStorage');
    return (JSON.parse(raw) as { token: string }).token;
  }

  /** Calls the API as this borrower: only for answers that asking again cannot change. */
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

  /**
   * The JSON body of the next answer the page receives whose path (and query) matches: what the
   * page itself was told, the oracle for what it must show. Call it before the action that asks.
   */
  #answer<T>(path: RegExp, what: string, timeout = 15_000): Promise<T> {
    return this.#page
      .waitForResponse(
        (response: Response) => {
          const url = new URL(response.url());
          return response.request().method() !== 'OPTIONS' && path.test(`${url.pathname}${url.search}`);
        },
        { timeout },
      )
      .then(async (response) => {
        const body = await response.text();
        assert.ok(response.ok(), `${what}: ${response.status()} ${body}`);
        return JSON.parse(body) as T;
      });
  }

  #byTestId(id: string): Locator {
    return this.#page.getByTestId(id);
  }

  async #text(id: string | Locator, timeout?: number): Promise<string> {
    const locator = typeof id === 'string' ? this.#byTestId(id).first() : id;
    return ((await locator.textContent(timeout === undefined ? {} : { timeout })) ?? '').trim();
  }

  /** An element's text with its runs of white space as one space. */
  async #words(locator: Locator): Promise<string> {
    return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  }

  /** Waits until an element's text equals the expected one, then asserts it (with the last seen text). */
  async #expectText(id: string | Locator, expected: string, timeout = 5_000): Promise<void> {
    const until = Date.now() + timeout;
    let actual = '';
    while (Date.now() < until) {
      actual = await this.#text(id, Math.max(1, until - Date.now())).catch(() => '');
      if (actual === expected) return;
      await this.#page.waitForTimeout(100);
    }
    assert.equal(actual, expected, `${typeof id === 'string' ? id : String(id)} shows ${expected}`);
  }

  /**
   * Whether the text is in the page's language: in Chinese, no English word of the interface
   * (Latin words are allowed only as names and the loanwords Chinese uses: Lendgate, IRR, EN, App,
   * ID); in English, no Chinese outside the
   * names and titles the API sends, which are Chinese whatever the language.
   */
  #checkLanguage(name: string, text: string): void {
    let rest = text;
    // Longest first, so that a name containing another is taken whole.
    for (const data of [...this.#data].sort((a, b) => b.length - a.length)) rest = rest.split(data).join(' ');
    if (this.#options.language === 'zh-CN') {
      const words = (rest.match(/[A-Za-z]{2,}/g) ?? []).filter(
        (word) => !['Lendgate', 'IRR', 'EN', 'App', 'ID'].includes(word),
      );
      assert.deepEqual(words, [], `${name}: English left on a Chinese page`);
      return;
    }
    const left = (rest.match(CJK_ALL) ?? []).filter((chars) => !CHINESE_IN_ENGLISH.includes(chars));
    assert.deepEqual(left, [], `${name}: Chinese left on an English page`);
  }

  /**
   * No tofu: chromium reports which fonts drew the Chinese text of the title bar and of the
   * content, and they must be CJK fonts (a box is drawn by a font without the glyph).
   */
  async #checkCjkFont(name: string): Promise<void> {
    this.#cdp ??= await this.#page.context().newCDPSession(this.#page);
    const cdp = this.#cdp;
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', {
      nodeId: root.nodeId,
      selector: '.adm-nav-bar-title, main h2, main h3, main dt, main .adm-list-item-content-main, main p',
    });
    let checked = 0;
    for (const nodeId of nodeIds.slice(0, 12)) {
      const { outerHTML } = await cdp.send('DOM.getOuterHTML', { nodeId });
      if (!CJK.test(outerHTML.replace(/<[^>]*>/g, ''))) continue;
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      if (fonts.length === 0) continue;
      checked += 1;
      assert.ok(
        fonts.some((font) =>
          /CJK|Hei|Song|Kai|Ming|Gothic|WenQuanYi|Droid Sans Fallback/i.test(font.familyName),
        ),
        `${name}: Chinese text drawn with ${fonts.map((font) => font.familyName).join(', ')} (no CJK font)`,
      );
    }
    assert.ok(checked > 0, `${name}: some Chinese text was checked for its font`);
  }

  /**
   * Checks what every page must satisfy, then saves its screenshot: the whole page, or with a
   * sheet or dialog open (`overlay`) the screen as the borrower sees it (a full-page picture would
   * stretch the mask and place the fixed sheet half-way down).
   */
  async #checkPage(name: string, checks: { price?: boolean; overlay?: boolean } = {}): Promise<void> {
    const page = this.#page;
    await page.waitForLoadState('networkidle').catch(() => {});
    await this.#stopped();
    const layout = (await page.evaluate(IN_PAGE.layout)) as {
      scrollWidth: number;
      wide: string[];
      text: string;
      language: string;
    };
    assert.ok(
      layout.scrollWidth <= VIEWPORT.width && layout.wide.length === 0,
      `${name}: nothing may be wider than ${VIEWPORT.width} px (page ${layout.scrollWidth} px; ${layout.wide.join(', ')})`,
    );
    assert.doesNotMatch(layout.text, /\{[a-zA-Z]+\}/, `${name}: a message placeholder was left unfilled`);
    assert.doesNotMatch(layout.text, /undefined|NaN|null|\[object/, `${name}: a value is missing`);
    assert.equal(layout.language, this.#options.language, `${name}: <html lang> follows the language`);
    this.#checkLanguage(name, layout.text);
    if (this.#options.language === 'zh-CN') await this.#checkCjkFont(name);
    if (checks.price) await this.#aprFirst(name);
    const file = join(
      this.#options.shots,
      `${String(this.#screenshots.length + 1).padStart(2, '0')}-${name}.png`,
    );
    if (!checks.overlay) await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: file, fullPage: !checks.overlay, animations: 'disabled' });
    this.#screenshots.push(file);
    if (!this.#reached.includes(name)) this.#reached.push(name);
  }

  /** Waits until nothing on the page moves any more (at most 3 s). */
  async #stopped(): Promise<void> {
    let before = '';
    for (const until = Date.now() + 3_000; Date.now() < until; ) {
      const now = (await this.#page.evaluate(IN_PAGE.geometry)) as string;
      if (now === before) return;
      before = now;
      await this.#page.waitForTimeout(120);
    }
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

  /** Polls until one of the conditions holds and returns its key; fails after the time, naming `what`. */
  async #waitFor<K extends string>(
    what: string,
    conditions: Record<K, () => Promise<boolean>>,
    timeout: number,
  ): Promise<K> {
    const until = Date.now() + timeout;
    while (Date.now() < until) {
      for (const [key, check] of Object.entries(conditions) as [K, () => Promise<boolean>][]) {
        if (await check().catch(() => false)) return key;
      }
      await this.#page.waitForTimeout(150);
    }
    assert.fail(`${what}: nothing within ${timeout / 1000} s`);
  }

  #visible(testId: string): () => Promise<boolean> {
    return () => this.#byTestId(testId).first().isVisible();
  }

  get #lenderWait(): number {
    return this.#options.lenderWaitMs ?? 15_000;
  }

  /** Each line of a schedule on the page against the lines the API gave, to the fen. */
  async #checkSchedule(scope: Locator, lines: readonly (Line & { status?: string })[]): Promise<void> {
    assert.equal(
      await scope.locator('[data-testid^="installment-"]').count(),
      lines.length,
      'every installment',
    );
    for (const line of lines) {
      const shown = await this.#words(scope.getByTestId(`installment-${line.period}`));
      assert.ok(shown.includes(this.t('schedule.period', { n: line.period })), `installment ${line.period}`);
      if (line.dueDate) {
        const due = this.t('schedule.due', { date: line.dueDate });
        assert.ok(shown.includes(due), `installment ${line.period} shows ${due}`);
      }
      assert.ok(
        shown.includes(yuanText(line.totalFen)),
        `installment ${line.period}: ${yuanText(line.totalFen)}`,
      );
      const breakdown = this.t('schedule.breakdown', {
        principal: yuanText(line.principalFen).slice(1),
        interest: yuanText(line.interestFen).slice(1),
        fee: yuanText(line.feeFen).slice(1),
      });
      assert.ok(shown.includes(breakdown), `installment ${line.period} shows ${breakdown} (shows ${shown})`);
      if (line.status) {
        const word = ['paid', 'waived'].includes(line.status) ? 'schedule.paid' : 'schedule.pending';
        assert.ok(shown.includes(this.t(word)), `installment ${line.period} says ${this.t(word)}`);
      }
    }
  }

  /**
   * The API names the product and the lender as they were offered (the offer taken is the
   * oracle: the names the borrower chose by).
   */
  #asOffered(names: Names, what: string): void {
    const offer = this.#offer!;
    assert.equal(names.productName, offer.productName, `${what}: the product as offered`);
    assert.equal(names.lenderName, offer.lender.name, `${what}: the lender as offered`);
  }

  /** Whose loan it is, within `scope` (the APR hero on a page with a price): product, then lender. */
  async #checkParties(scope: Locator, names: Names): Promise<void> {
    await this.#expectText(scope.getByTestId('parties-product'), names.productName);
    await this.#expectText(
      scope.getByTestId('parties-lender'),
      this.t('offers.lender', { name: names.lenderName }),
    );
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

  /** Every card against the offer it stands for: APR range first, names, amounts to the fen. */
  async #checkOfferCards(answer: OffersView): Promise<void> {
    const cards = this.#byTestId('offer');
    assert.equal(await cards.count(), answer.offers.length, 'one card per offer');
    for (const [i, offer] of answer.offers.entries()) {
      for (const name of [offer.productName, offer.lender.name, offer.funderName]) this.#data.add(name);
      const card = cards.nth(i);
      await this.#expectText(card.getByTestId('offer-apr'), percentRangeText(offer.aprMin, offer.aprMax));
      const shown = await this.#words(card);
      for (const expected of [
        offer.productName,
        offer.lender.name,
        `${yuanText(offer.amountMinFen)} – ${yuanText(offer.amountMaxFen)}`,
      ]) {
        assert.ok(shown.includes(expected), `offer ${offer.productName} shows ${expected} (shows ${shown})`);
      }
    }
  }

  async offers(): Promise<void> {
    // The page's own answers are the oracle: asking the API again would run the lenders'
    // pre-check again, and a lender answering late the second time would change the list.
    const byDefault = this.#answer<OffersView>(/\/api\/v1\/borrower\/offers\?sort=default$/, 'the offers');
    await this.#byTestId('see-offers').click();
    const page1 = await byDefault;
    assert.ok(page1.offers.length > 0, 'the active demo lenders have offers');
    assert.ok(page1.aprRange, 'the offers answer has an APR range');
    await this.#byTestId('offers').waitFor();
    await this.#expectText('apr-value', percentRangeText(page1.aprRange.min, page1.aprRange.max));
    await this.#checkOfferCards(page1);
    if (page1.profileNeeded) await this.#page.getByText(this.t('offers.profileNeeded')).waitFor();
    await this.#checkPage('offers', { price: true });

    const byAprAnswer = this.#answer<OffersView>(/\/api\/v1\/borrower\/offers\?sort=apr$/, 'offers by APR');
    await this.#page.getByText(this.t('offers.sort.apr'), { exact: true }).click();
    const byApr = await byAprAnswer;
    await this.#expectText('offer-apr', percentRangeText(byApr.offers[0]!.aprMin, byApr.offers[0]!.aprMax));
    await this.#checkOfferCards(byApr);
    await this.#checkPage('offers-by-apr', { price: true });
    const index =
      this.#options.pick === 'cheapest'
        ? 0
        : byApr.offers.findIndex((offer) => offer.dataCategories.includes('contacts'));
    assert.ok(index >= 0, `an offer to take (${this.#options.pick})`);
    this.#offer = byApr.offers[index]!;
    await this.#byTestId('offer').nth(index).click();
  }

  async product(): Promise<void> {
    const offer = this.#offer!;
    await this.#expectText('apr-value', percentRangeText(offer.aprMin, offer.aprMax));
    const shown = await this.#words(this.#byTestId('apr-hero'));
    assert.ok(shown.includes(offer.productName) && shown.includes(offer.lender.name), 'who lends');
    // An amount with fen in it, inside the product's range, to see the yuan to the fen.
    const amountFen = Math.min(Math.max(1_234_567, offer.amountMinFen), offer.amountMaxFen);
    const termMonths = offer.termsMonths.includes(12) ? 12 : offer.termsMonths[0]!;
    const method = REPAYMENT_ORDER.find((m) => offer.methods.includes(m))!;
    const asked = this.#answer<QuoteView>(/^\/api\/v1\/quotes$/, 'the quote');
    await this.#fill('amount', (amountFen / 100).toFixed(2));
    // The page's own quote for these terms (an earlier one for the default amount may come first).
    let quote = await asked;
    for (
      let tries = 0;
      quote.installments.reduce((s, l) => s + l.principalFen, 0) !== amountFen;
      tries += 1
    ) {
      assert.ok(tries < 3, 'the calculator asks for a quote of the amount typed');
      quote = await this.#answer<QuoteView>(/^\/api\/v1\/quotes$/, 'the quote');
    }
    assert.equal(quote.installments.length, termMonths, 'the quote is for the default term');
    this.#quote = { amountFen, termMonths, method };
    await this.#expectText('quote-total', yuanText(quote.totalRepaymentFen));
    await this.#expectText('quote-interest', yuanText(quote.totalInterestFen));
    await this.#expectText('quote-fee', yuanText(quote.totalFeeFen));
    await this.#expectText('quote-cost', yuanText(quote.totalInterestFen + quote.totalFeeFen));
    await this.#expectText('quote-apr', percentText(quote.apr));
    await this.#page.getByText(this.t('product.earlyPayoffFree')).first().waitFor();
    // Every installment of the quote, once the schedule is opened.
    await this.#page.getByText(this.t('product.schedule'), { exact: true }).click();
    await this.#checkSchedule(this.#byTestId('quote'), quote.installments);
    await this.#checkPage('product', { price: true });
    await this.#byTestId('apply').click();
  }

  async form(): Promise<void> {
    const offer = this.#offer!;
    const { person } = this.#options;
    const needs = new Set(offer.dataCategories);
    await this.#byTestId('profile-submit').waitFor();
    const page = this.#page;
    // Only the fields this lender needs.
    for (const [category, field] of [
      ['name', 'field-name'],
      ['id_number', 'field-idNumber'],
      ['phone', 'field-phone'],
      ['bank_card', 'field-bankCard'],
      ['contacts', 'field-contactName'],
    ] as const) {
      assert.equal(await this.#byTestId(field).count(), needs.has(category) ? 1 : 0, `${field} when needed`);
    }
    // Inline validation: a wrong check character and a card failing Luhn are named at once.
    await this.#fill(
      'field-idNumber',
      `${person.idNumber.slice(0, 17)}${person.idNumber.endsWith('0') ? '1' : '0'}`,
    );
    await page.getByText(this.t('form.idNumber.checksum')).waitFor();
    const last = Number(person.bankCard.slice(-1));
    await this.#fill('field-bankCard', `${person.bankCard.slice(0, -1)}${(last + 1) % 10}`);
    await page.getByText(this.t('form.bankCard.luhn')).waitFor();
    await this.#checkPage('form-invalid');
    await this.#fill('field-name', person.name);
    await this.#fill('field-idNumber', person.idNumber);
    await this.#fill('field-phone', person.phone);
    await this.#fill('field-bankCard', person.bankCard);
    if (needs.has('contacts')) {
      await this.#fill('field-contactName', person.contact.name);
      await this.#fill('field-contactPhone', person.contact.phone);
      await page.getByText(this.t('relation.parent'), { exact: true }).click();
    }
    for (const key of ['form.idNumber.checksum', 'form.bankCard.luhn'] as const)
      await page.getByText(this.t(key)).waitFor({ state: 'detached' });
    await this.#checkPage('form');
    // Saving fetches the offers again, so the lender pre-checks the borrower now.
    const saved = this.#answer<Record<string, unknown>>(
      /^\/api\/v1\/borrower\/profile$/,
      'saving the profile',
    );
    const checked = this.#answer<OffersView>(/\/api\/v1\/borrower\/offers\?sort=default$/, 'the pre-check');
    // The consent page asks for the lender's agreements as soon as it opens.
    this.#agreements = this.#answer<{ items: AgreementView[] }>(
      /^\/api\/v1\/agreements\?lenderId=/,
      'the agreements',
    );
    this.#agreements.catch(() => {});
    await this.#byTestId('profile-submit').click();
    const profile = await saved;
    for (const secret of [person.idNumber, person.phone, person.bankCard]) {
      assert.ok(!JSON.stringify(profile).includes(secret), 'the profile comes back masked');
    }
    const after = await checked;
    const mine = after.offers.find((candidate) => candidate.productId === offer.productId);
    assert.equal(mine?.preCheck, 'accepted', `${offer.lender.name} pre-approves the borrower`);
    this.#offer = mine as OfferView;
    const next = await this.#waitFor(
      'after saving the profile',
      {
        consent: async () => /\/consent$/.test(new URL(page.url()).pathname),
        problem: this.#visible('form-problem'),
      },
      10_000,
    );
    if (next === 'problem') assert.fail(`the form stays: ${await this.#text('form-problem')}`);
  }

  async consent(): Promise<void> {
    const offer = this.#offer!;
    const agreements = (await this.#agreements!).items;
    for (const agreement of agreements) {
      this.#data.add(agreement.title);
      for (const line of agreement.text.split('\n')) if (line.trim()) this.#data.add(line.trim());
    }
    await this.#byTestId('consent-pi_authorization').waitFor();
    const lender = offer.lender.name;
    const separate = this.#byTestId('consent-pi_authorization');
    const separateText = await this.#words(separate);
    assert.ok(separateText.includes(lender), 'the separate consent names the lender');
    const pi = agreements.find((agreement) => agreement.kind === 'pi_authorization');
    assert.ok(pi, 'the lender has a personal-information authorization');
    for (const category of pi.categories) {
      assert.ok(separateText.includes(this.t(`category.${category}` as MessageKey)), `it names ${category}`);
    }
    await this.#page.getByText(this.t('consent.agreePi', { lender })).waitFor();
    const submit = this.#byTestId('consent-submit');
    assert.equal(await submit.isDisabled(), true, 'no applying before every item is ticked');
    for (const kind of ['platform_service', 'pi_authorization', 'lender_loan_agreement']) {
      assert.equal(await this.#byTestId(`consent-${kind}`).count(), 1, `the ${kind} item`);
      await this.#byTestId(`check-${kind}`).click();
    }
    assert.equal(await submit.isDisabled(), false);
    await this.#checkPage('consent');
    // The full text of the separate authorization opens in a sheet.
    await separate.getByText(this.t('consent.read')).click();
    await this.#byTestId('agreement-text').waitFor();
    await this.#checkPage('consent-text', { overlay: true });
    await this.#byTestId('agreement-text').getByText(this.t('consent.close')).click();
    await this.#byTestId('agreement-text').waitFor({ state: 'detached' });
    await submit.click();
    await this.#page.waitForURL(/\/h5\/applications\/[0-9a-f-]{36}$/, { timeout: 10_000 });
    this.#applicationId = new URL(this.#page.url()).pathname.split('/')[3]!;
  }

  async decision(): Promise<void> {
    await this.#byTestId('application-status').waitFor();
    const status = async () => (await this.#byTestId('application-status').getAttribute('data-status')) ?? '';
    if (['submitted', 'pre_checked', 'sent'].includes(await status())) {
      const waiting = this.#byTestId('waiting');
      await waiting.getByText(this.t('application.waitingTitle'), { exact: true }).waitFor();
      await waiting.getByText(this.t('application.waiting', { lender: this.#offer!.lender.name })).waitFor();
      await this.#checkPage('waiting');
    }
    const outcome = await this.#waitFor(
      'a credit decision',
      {
        approved: async () => (await status()) === 'approved',
        rejected: async () => ['rejected', 'cancelled', 'expired'].includes(await status()),
      },
      this.#lenderWait,
    );
    const { body } = await this.#api<{ application: ApplicationView }>(
      `/api/v1/borrower/applications/${this.#applicationId}`,
    );
    assert.equal(outcome, 'approved', `the lender approves (${body.application.decisionReason ?? ''})`);
    assert.ok(body.application.approval);
    this.#approval = body.application.approval;
    this.#asOffered(body.application, 'the application');
    this.#names = { productName: body.application.productName, lenderName: body.application.lenderName };
    await this.#expectText('apr-value', percentText(body.application.approval.apr));
    await this.#checkParties(this.#byTestId('apr-hero'), this.#names);
    await this.#expectText('approved-limit', yuanText(body.application.approval.limitFen));
    await this.#checkPage('approved', { price: true });
  }

  async drawdown(): Promise<void> {
    // The sheet the page asked for is the oracle (the terms are the page's choice within the
    // approval); the test checks that every figure of it is shown, formatted to the fen.
    const asked = this.#answer<DisclosureView>(/\/disclosure$/, 'the disclosure sheet');
    await this.#byTestId('go-drawdown').click();
    const sheet = await asked;
    this.#sheet = sheet;
    await this.#byTestId('disclosure').waitFor({ timeout: 10_000 });
    // The calculator's terms carry over.
    assert.equal(sheet.principalFen, this.#quote!.amountFen, 'the amount tried in the calculator');
    assert.equal(sheet.termMonths, this.#quote!.termMonths, 'the term tried in the calculator');
    // The sheet's APR is the IRR of its cash flows (0.136801 for an approval at 0.1368): to the
    // borrower, the page shows one and the same rate twice.
    assert.equal(
      percentText(sheet.apr),
      percentText(this.#approval!.apr),
      'the sheet is at the approved APR',
    );
    await this.#expectText(this.#page.getByTestId('apr-value').first(), percentText(this.#approval!.apr));
    await this.#checkParties(this.#page.getByTestId('apr-hero').first(), this.#names!);
    await this.#expectText('sheet-principal', yuanText(sheet.principalFen));
    await this.#expectText('sheet-received', yuanText(sheet.amountReceivedFen));
    await this.#expectText('sheet-interest', yuanText(sheet.totalInterestFen));
    await this.#expectText('sheet-fee', yuanText(sheet.totalFeeFen));
    await this.#expectText('sheet-cost', yuanText(sheet.totalCostFen));
    await this.#expectText('sheet-total', yuanText(sheet.totalRepaymentFen));
    const disclosure = this.#byTestId('disclosure');
    await this.#expectText(disclosure.getByTestId('apr-value'), percentText(sheet.apr));
    await this.#checkSchedule(disclosure, sheet.installments);
    const submit = this.#byTestId('drawdown-submit');
    assert.equal(await submit.isDisabled(), true, 'no drawing before the sheet is acknowledged');
    await this.#checkPage('disclosure', { price: true });
    await this.#byTestId('accept-disclosure').click();
    await submit.click();
    await this.#page.waitForURL(/\/h5\/applications\/[0-9a-f-]{36}$/);
    await this.#waitFor('the disbursement', { loan: this.#visible('view-loan') }, this.#lenderWait);
    await this.#checkPage('disbursed');
  }

  async #loan(): Promise<LoanView> {
    return (await this.#api<{ loan: LoanView }>(`/api/v1/borrower/loans/${this.#loanId}`)).body.loan;
  }

  /**
   * The loan page against the loan the API holds: APR first with whose loan it is, principal, cost,
   * what is left, schedule.
   */
  async #checkLoan(loan: LoanView): Promise<void> {
    const open = loan.installments.filter((line) => !['paid', 'waived'].includes(line.status));
    await this.#expectText('apr-value', percentText(this.#approval!.apr));
    await this.#checkParties(this.#byTestId('apr-hero'), loan);
    await this.#expectText('loan-principal', yuanText(loan.principalFen));
    await this.#expectText(
      'loan-cost',
      yuanText(loan.installments.reduce((sum, line) => sum + line.interestFen + line.feeFen, 0)),
    );
    await this.#expectText(
      'loan-remaining',
      yuanText(open.reduce((sum, line) => sum + line.principalFen, 0)),
    );
    await this.#expectText('loan-status', this.t(`status.${loan.status}` as MessageKey));
    await this.#checkSchedule(
      this.#byTestId('schedule'),
      loan.installments.map((line) => ({
        ...line,
        totalFen: line.principalFen + line.interestFen + line.feeFen + line.penaltyFen,
      })),
    );
  }

  /** The loan the page itself was given (the oracle for what it shows), asked by `action`. */
  async #openLoan(action: () => Promise<void>): Promise<LoanView> {
    const asked = this.#answer<{ loan: LoanView }>(LOAN_PATH, 'the loan');
    await action();
    const { loan } = await asked;
    await this.#byTestId('schedule').waitFor();
    return loan;
  }

  /** The loan page of the disbursed loan: the loan walked, as offered and as disclosed. */
  async #checkOpenedLoan(loan: LoanView, name: string): Promise<void> {
    const loanId = new URL(this.#page.url()).pathname.split('/')[3]!;
    if (this.#loanId === '') this.#loanId = loanId;
    assert.equal(loanId, this.#loanId, 'the page shows the loan walked');
    assert.equal(loan.id, this.#loanId, 'the loan the page asked for');
    assert.equal(loan.applicationId, this.#applicationId);
    this.#asOffered(loan, 'the loan');
    // What was disclosed is what was booked: the same installments, to the fen.
    assert.deepEqual(
      loan.installments.map((line) => line.principalFen + line.interestFen + line.feeFen),
      this.#sheet!.installments.map((line) => line.totalFen),
      'the loan schedule is the disclosed one',
    );
    await this.#checkLoan(loan);
    await this.#checkPage(name, { price: true });
  }

  async loan(): Promise<void> {
    const loan = await this.#openLoan(() => this.#byTestId('view-loan').click());
    await this.#checkOpenedLoan(loan, 'loan');
  }

  /**
   * The server is away (stopped, say for a restart): on the application page of the disbursed
   * loan the borrower taps "view the loan", and the page says in the page's language that the
   * network is unavailable, with a retry.
   */
  async loanAway(): Promise<void> {
    await this.#byTestId('view-loan').click();
    await this.#page.waitForURL(/\/h5\/loans\/[0-9a-f-]{36}$/);
    const failed = this.#byTestId('load-failed');
    await failed.waitFor({ timeout: 15_000 });
    await this.#expectText(failed.locator('.adm-error-block-description-title'), this.t('error.network'));
    await failed.getByText(this.t('app.retry'), { exact: true }).waitFor();
    this.#loanId = new URL(this.#page.url()).pathname.split('/')[3]!;
    await this.#checkPage('loan-server-away');
  }

  /** The server is back: the retry shows the loan, unchanged. */
  async loanBack(): Promise<void> {
    const loan = await this.#openLoan(() =>
      this.#byTestId('load-failed').getByText(this.t('app.retry'), { exact: true }).click(),
    );
    assert.equal(loan.status, 'repaying', 'the loan is being repaid');
    await this.#checkOpenedLoan(loan, 'loan-server-back');
  }

  /**
   * The H5 opened again in the same web view (its sessionStorage kept), at its entry: signed in
   * still, or, if the session did not survive, through the sign-in again. Then 我的 (my loans) and
   * the loan from the list. Says which it was.
   */
  async reopen(): Promise<'session kept' | 'signed in again'> {
    const page = this.#page;
    await page.goto(`${this.#options.baseUrl}/h5/`);
    const shown = await this.#waitFor(
      'the H5 opened again',
      { entry: this.#visible('entry-visible'), signIn: this.#visible('sign-in') },
      15_000,
    );
    if (shown === 'signIn') await this.signIn();
    await this.#byTestId('entry-visible').waitFor();
    await this.#checkPage('reopened');
    const loansAsked = this.#answer<{ items: LoanView[] }>(/^\/api\/v1\/borrower\/loans$/, 'my loans');
    await page.getByText(this.t('entry.mine'), { exact: true }).click();
    const loans = await loansAsked;
    assert.deepEqual(
      loans.items.map((loan) => [loan.id, loan.status]),
      [[this.#loanId, 'repaying']],
      'my loans: the loan walked, being repaid',
    );
    const line = this.#byTestId('mine-loan');
    await line.first().waitFor();
    assert.equal(await line.count(), 1, 'one loan listed');
    const words = await this.#words(line.first());
    for (const expected of [
      loans.items[0]!.productName,
      yuanText(loans.items[0]!.principalFen),
      this.t('status.repaying'),
    ])
      assert.ok(words.includes(expected), `my loans shows ${expected} (shows ${words})`);
    await this.#checkPage('mine-reopened');
    const loan = await this.#openLoan(() => line.first().click());
    await this.#checkOpenedLoan(loan, 'loan-reopened');
    return shown === 'entry' ? 'session kept' : 'signed in again';
  }

  /** The lender refuses the first repayment: the page says so in the lender's words, and retrying works. */
  async refusedRepayment(sandboxUrl: string): Promise<void> {
    const loan = await this.#loan();
    const partnerId = (await this.#api<{ loan: { partnerId: string } }>(`/api/v1/borrower/loans/${loan.id}`))
      .body.loan.partnerId;
    const faults = async (settings: Record<string, unknown>) => {
      const answer = await fetch(`${sandboxUrl}/sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ partnerId, ...settings }),
      });
      assert.equal(answer.status, 200, `the sandbox took the faults ${JSON.stringify(settings)}`);
    };
    await faults({ refuseRepayments: true });
    try {
      await this.#byTestId('repay-next').click();
      const sent = this.#answer<{ amountFen: number }>(/\/repayments$/, 'the refused repayment');
      await this.#page.locator('.adm-dialog-button-bold').click();
      await sent;
      await this.#expectText(
        'loan-repay-failed',
        this.t('loan.repayRefused', { reason: REFUSED_REPAYMENT_REASON }),
        this.#lenderWait,
      );
      assert.equal(await this.#byTestId('repay-next').isDisabled(), false, 'the borrower can try again');
      const after = await this.#loan();
      assert.deepEqual(
        after.installments.map((line) => line.status),
        loan.installments.map((line) => line.status),
        'nothing was paid',
      );
      await this.#checkPage('repay-refused', { price: true });
    } finally {
      await faults({ refuseRepayments: false });
    }
  }

  /** Repays the first installment on the loan page; returns what the page asked to pay. */
  async repay(): Promise<{ amountFen: number }> {
    const page = this.#page;
    const first = (await this.#loan()).installments[0]!;
    const due = first.principalFen + first.interestFen + first.feeFen + first.penaltyFen - first.paidFen;
    const label = this.t('loan.repayNext', { n: 1, amount: yuanText(due).slice(1) });
    await this.#expectText('repay-next', label);
    await this.#byTestId('repay-next').click();
    const dialog = page.locator('.adm-dialog-content');
    await this.#expectText(dialog, label);
    await this.#checkPage('repay-confirm', { overlay: true });
    const paid = this.#answer<{ amountFen: number }>(/\/repayments$/, 'the repayment');
    await page.locator('.adm-dialog-button-bold').click();
    const { amountFen } = await paid;
    assert.equal(amountFen, due, 'the repayment is for the installment due');
    // Until the lender confirms, nothing can be paid twice; then the page says it was confirmed.
    await this.#expectText('loan-notice', this.t('loan.repaid'));
    await this.#byTestId('installment-1')
      .getByText(this.t('schedule.paid'))
      .waitFor({ timeout: this.#lenderWait });
    await this.#expectText('loan-notice', this.t('loan.repaidConfirmed'));
    assert.equal(
      await this.#byTestId('repay-next').isDisabled(),
      false,
      'the next installment can be repaid',
    );
    await this.#expectText(
      'repay-next',
      this.t('loan.repayNext', { n: 2, amount: this.#nextDue(await this.#loan()) }),
    );
    await this.#checkLoan(await this.#loan());
    await this.#checkPage('repaid-installment-1', { price: true });
    return { amountFen };
  }

  #nextDue(loan: LoanView): string {
    const next = loan.installments.find((line) => !['paid', 'waived'].includes(line.status))!;
    return yuanText(
      next.principalFen + next.interestFen + next.feeFen + next.penaltyFen - next.paidFen,
    ).slice(1);
  }

  /** Pays the loan off on the loan page; returns the quote shown and what the page asked to pay. */
  async payoff(): Promise<{ quote: PayoffView; amountFen: number }> {
    const asked = this.#answer<PayoffView>(/\/payoff-quote$/, 'the payoff quote');
    await this.#byTestId('payoff').click();
    const quote = await asked;
    await this.#byTestId('payoff-quote').waitFor();
    const left = (await this.#loan()).installments.filter((line) => line.status !== 'paid');
    assert.equal(
      quote.principalFen,
      left.reduce((sum, line) => sum + line.principalFen, 0),
      'all principal left',
    );
    await this.#expectText('payoff-principal', yuanText(quote.principalFen));
    await this.#expectText('payoff-interest', yuanText(quote.interestFen));
    await this.#expectText('payoff-fee', `${yuanText(0)} ${this.t('loan.payoffFree')}`);
    if (quote.feeFen > 0) await this.#expectText('payoff-due-fees', yuanText(quote.feeFen));
    else assert.equal(await this.#byTestId('payoff-due-fees').count(), 0, 'no line for fees already due');
    await this.#expectText('payoff-total', yuanText(quote.totalFen));
    await this.#checkPage('payoff-quote', { overlay: true });
    const paid = this.#answer<{ amountFen: number }>(/\/repayments$/, 'the payoff');
    await this.#byTestId('payoff-confirm').click();
    const { amountFen } = await paid;
    assert.equal(amountFen, quote.totalFen, 'paying off pays the quoted total');
    await this.#byTestId('loan-settled').waitFor({ timeout: this.#lenderWait });
    const loan = await this.#loan();
    assert.equal(loan.status, 'settled');
    await this.#checkLoan(loan);
    assert.equal(await this.#byTestId('repay-next').count(), 0, 'nothing left to repay');
    assert.equal(await this.#byTestId('loan-notice').count(), 0, 'no repayment notice left over');
    await this.#checkPage('settled', { price: true });
    return { quote, amountFen };
  }

  async mine(): Promise<void> {
    // The lists the page itself was given are the oracle.
    const loansAsked = this.#answer<{ items: LoanView[] }>(/^\/api\/v1\/borrower\/loans$/, 'my loans');
    const applicationsAsked = this.#answer<{ items: ApplicationView[] }>(
      /^\/api\/v1\/borrower\/applications$/,
      'my applications',
    );
    await this.#page.goto(`${this.#options.baseUrl}/h5/mine`);
    const [loans, applications] = await Promise.all([loansAsked, applicationsAsked]);
    await this.#page.getByText(this.t('mine.applications')).waitFor();
    await this.#byTestId('mine-loan').first().waitFor();

    assert.equal(loans.items.length, 1, 'one loan in the answer');
    const loan = loans.items[0]!;
    assert.equal(loan.id, this.#loanId, 'the loan walked');
    assert.equal(loan.status, 'settled');
    this.#asOffered(loan, 'my loans');
    const loanLines = this.#byTestId('mine-loan');
    assert.equal(await loanLines.count(), 1, 'one loan');
    const loanLine = loanLines.first();
    await this.#expectText(loanLine.getByTestId('mine-product'), loan.productName);
    await this.#expectText(
      loanLine.getByTestId('mine-lender'),
      this.t('offers.lender', { name: loan.lenderName }),
    );
    const line = await this.#words(loanLine);
    assert.ok(line.includes(yuanText(loan.principalFen)), `the loan shows ${yuanText(loan.principalFen)}`);
    assert.ok(line.includes(this.t('status.settled')), 'the loan shows settled');

    assert.equal(applications.items.length, 1, 'one application in the answer');
    const applied = applications.items[0]!;
    assert.equal(applied.id, this.#applicationId, 'the application walked');
    assert.equal(
      applied.requestedAmountFen,
      this.#quote!.amountFen,
      'for the amount tried in the calculator',
    );
    this.#asOffered(applied, 'my applications');
    const applicationLines = this.#byTestId('mine-application');
    assert.equal(await applicationLines.count(), 1, 'one application');
    const applicationLine = applicationLines.first();
    await this.#expectText(applicationLine.getByTestId('mine-product'), applied.productName);
    await this.#expectText(
      applicationLine.getByTestId('mine-lender'),
      this.t('offers.lender', { name: applied.lenderName }),
    );
    const application = await this.#words(applicationLine);
    assert.ok(application.includes(yuanText(applied.requestedAmountFen)), 'the amount applied for');
    assert.ok(application.includes(this.t('status.settled')), 'the application shows settled');
    await this.#checkPage('mine');
  }

  async shared(): Promise<void> {
    const asked = this.#answer<{ items: ReleaseView[] }>(
      /\/api\/v1\/borrower\/data-releases/,
      'the releases',
    );
    await this.#page.goto(`${this.#options.baseUrl}/h5/shared`);
    const { items } = await asked;
    const offer = this.#offer!;
    assert.equal(items.length, 1, 'exactly one release');
    assert.equal(items[0]!.lenderId, offer.lender.id, 'to the lender applied to');
    await this.#byTestId('releases').waitFor();
    const releases = this.#byTestId('release');
    await releases.first().waitFor();
    assert.equal(await releases.count(), 1, 'one release shown');
    const shown = await this.#words(releases.first());
    assert.ok(
      shown.includes(this.t('shared.to', { lender: offer.lender.name })),
      'the release names the lender',
    );
    for (const category of items[0]!.categories) {
      assert.ok(
        shown.includes(this.t(`category.${category}` as MessageKey)),
        `the release names ${category}`,
      );
    }
    const consents = await this.#words(this.#byTestId('consents'));
    assert.ok(consents.includes(offer.lender.name), 'the consent to the lender is listed');
    await this.#checkPage('shared');
  }
}
