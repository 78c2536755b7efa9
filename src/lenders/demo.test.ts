import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { DEMO_STEPS, seedDemo } from '../demo/seed.ts';
import { checkProductAprRange } from '../money/index.ts';
import { addPartnerKeyByCode, DEMO_PARTNERS } from './demo.ts';
import { createLenderServices, isAcceptingApplications } from './index.ts';
import { ed25519PublicPem } from './testing.ts';

describe('demo partners', () => {
  let handle: DatabaseHandle;
  const clock = () => new Date('2026-03-01T00:00:00Z');
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => handle.close());

  it('seeds four fictional partners in sandbox with approved products, once', async () => {
    const notices = await seedDemo(handle.db, clock, DEMO_STEPS);
    expect(notices.find((n) => n.step === 'lenders-v1')?.lines[0]).toMatch(/none is active/);
    const services = createLenderServices(handle.db, { clock });
    const { items } = await services.partners.list({ limit: 50 });
    expect(items.map((l) => l.code).sort()).toEqual(DEMO_PARTNERS.map((d) => d.partner.code).sort());
    const kinds = new Set(items.map((l) => l.kind));
    expect(kinds).toEqual(new Set(['bank', 'consumer_finance', 'micro_loan', 'facilitator']));
    for (const lender of items) {
      expect(lender.status).toBe('sandbox');
      expect(isAcceptingApplications(lender)).toBe(false);
      // Honest demo data: no conformance run is claimed for any of them.
      expect((await services.partners.conformanceRuns(lender.id, { limit: 10 })).items).toEqual([]);
      const products = (await services.products.list(lender.id, { limit: 10 })).items;
      expect(products.length).toBeGreaterThan(0);
      for (const product of products) {
        expect(product.status).toBe('approved');
        expect(checkProductAprRange(product)).toEqual({ ok: true });
      }
    }
    const bank = items.find((l) => l.code === 'xinghe-bank')!;
    const facilitator = items.find((l) => l.kind === 'facilitator')!;
    expect(facilitator.funders).toMatchObject([{ lenderId: bank.id, legalName: bank.legalName }]);
    const [product] = (await services.products.list(facilitator.id, { limit: 10 })).items;
    expect(product?.funder).toMatchObject({
      funderId: facilitator.funders[0]!.id,
      legalName: bank.legalName,
    });

    expect(await seedDemo(handle.db, clock, DEMO_STEPS)).toEqual([]);
    expect((await services.partners.list({ limit: 50 })).items).toHaveLength(items.length);
  });

  it('lets the sandbox builder publish a key for a demo partner by its code', async () => {
    const services = createLenderServices(handle.db, { clock });
    const key = await addPartnerKeyByCode(services, 'anhe-cf', {
      kid: 'sandbox-sig-1',
      algorithm: 'Ed25519',
      use: 'signing',
      publicKeyPem: ed25519PublicPem(),
    });
    expect(key.state).toBe('valid');
    const keys = await services.keys.keyLookup().keysOf('anhe-cf');
    expect(keys?.map((k) => k.kid)).toEqual(['sandbox-sig-1']);
    await expect(
      addPartnerKeyByCode(services, 'nobody', {
        algorithm: 'Ed25519',
        use: 'signing',
        publicKeyPem: ed25519PublicPem(),
      }),
    ).rejects.toThrow(/no partner with code nobody/);
  });
});
