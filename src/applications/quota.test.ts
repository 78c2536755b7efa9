import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BorrowerSessions } from '../borrowers/sessions.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { generateKeyPair, type PublicEncryptionKey } from '../protocol/envelope/index.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import type { ApplicationPorts, OfferableProduct } from './ports.ts';
import { ApplicationService } from './service.ts';

/**
 * The daily application quota is counted once, here: the count the marketplace reads to leave out
 * a lender's offers is the count the apply step refuses by.
 */
describe('daily application quota', () => {
  let handle: DatabaseHandle;
  let applications: ApplicationService;
  let borrower: BorrowerPrincipal;
  let recipient: PublicEncryptionKey;
  const clock = () => new Date();
  const product: OfferableProduct = {
    productId: '7d1f7a8e-0000-4000-8000-000000000101',
    productCode: 'Q-CASH',
    productName: '配额贷',
    lenderName: '配额银行',
    lenderId: '7d1f7a8e-0000-4000-8000-0000000001aa',
    partnerId: 'quota-bank',
    amountMinFen: 100_000,
    amountMaxFen: 5_000_000,
    termsMonths: [12],
    methods: ['equal_installment'],
    dayCount: 'ACT/360',
    dataCategories: ['name'],
    dailyApplicationQuota: 2,
  };
  const otherLender = '7d1f7a8e-0000-4000-8000-0000000001bb';

  beforeAll(async () => {
    handle = await createTestDatabase();
    recipient = (await generateKeyPair('RSA-OAEP-256', { notBefore: 0, modulusLength: 2048 })).publicKey;
    const ports: ApplicationPorts = {
      offerableProduct: async (id) => (id === product.productId ? product : undefined),
      entryVisible: async () => true,
      preCheckAccepted: async () => true,
      activeConsent: async () => ({
        consentId: 'consent-q',
        version: '2026-01',
        textSha256: 'abc',
        givenAt: clock().toISOString(),
      }),
      recipientKey: async () => recipient,
      releasePii: async () => ({ alg: 'RSA-OAEP-256+A256GCM', ciphertext: 'opaque' }),
    };
    applications = new ApplicationService(handle.db, clock, ports);
    borrower = {
      borrowerId: await new BorrowerSessions(handle.db, clock).createBorrower(),
      channelCode: 'shop',
    };
  });
  afterAll(async () => handle.close());

  const apply = () =>
    applications.apply(borrower, {
      productId: product.productId,
      amountFen: 1_000_000,
      termMonths: 12,
      method: 'equal_installment',
    });

  it('counts what was sent to each lender today and refuses the application past the quota', async () => {
    expect(await applications.applicationsToday([product.lenderId, otherLender])).toEqual(new Map());
    await apply();
    expect(await applications.applicationsToday([product.lenderId, otherLender])).toEqual(
      new Map([[product.lenderId, 1]]),
    );
    await apply();
    expect(await applications.applicationsToday([product.lenderId])).toEqual(
      new Map([[product.lenderId, 2]]),
    );
    await expect(apply()).rejects.toMatchObject({ code: 'LENDER_OVER_QUOTA' });
    // The refused application left nothing behind: the count stays at the quota.
    expect(await applications.applicationsToday([product.lenderId])).toEqual(
      new Map([[product.lenderId, 2]]),
    );
    expect(await applications.applicationsToday([])).toEqual(new Map());
  });
});
