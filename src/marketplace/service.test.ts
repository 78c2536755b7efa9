import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BorrowerSessions } from '../borrowers/sessions.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import {
  generateKeyPair,
  InMemoryNonceStore,
  type PrivateSigningKey,
  type PublicSigningKey,
  signResponse,
  staticKeyLookup,
  verifyRequest,
} from '../protocol/envelope/index.ts';
import { PlatformKeyring } from '../protocol/platform-keys.ts';
import type { BorrowerPrincipal } from '../shared/principal.ts';
import type { CatalogueEntry, MarketplacePorts } from './ports.ts';
import { OfferService } from './service.ts';

/** Three fictional lenders behind one local HTTP server: one accepts, one declines, one is slow. */
describe('offers: pre-check fan-out under a latency budget', () => {
  let handle: DatabaseHandle;
  let server: Server;
  let baseUrl: string;
  let service: OfferService;
  let borrower: BorrowerPrincipal;
  let lenderKey: PrivateSigningKey;
  let lenderPublic: PublicSigningKey;
  let platformKeys: PublicSigningKey[];
  let hasProfile = true;
  /** The keys each lender's identities are hashed under, current first (by default one). */
  let keysOf: (partnerId: string) => readonly string[] = (partnerId) => [`${partnerId}.current`];
  let visible = true;
  let sentToday = 0;
  /** Makes the accepting lender answer outside the contract (bands reversed, an unknown member). */
  let sloppy = false;
  const seenBodies: Record<string, unknown>[] = [];
  /**
   * The slow lender's answers wait on this gate, opened only in afterAll: it answers after every
   * budget has run out, for certain, without the test sleeping.
   */
  let openGate!: () => void;
  const slowpokeGate = new Promise<void>((resolve) => {
    openGate = resolve;
  });

  const product = (code: string, partnerId: string, aprMin: string, aprMax: string): CatalogueEntry => ({
    productId: `00000000-0000-4000-8000-${code.padStart(12, '0')}`,
    productCode: code,
    productName: `Product ${code}`,
    lenderId: `lender-${partnerId}`,
    partnerId,
    lenderName: partnerId,
    lenderKind: 'bank',
    funderName: partnerId,
    aprMin,
    aprMax,
    amountMinFen: 100_000,
    amountMaxFen: 5_000_000,
    termsMonths: [12],
    methods: ['equal_installment'],
    dayCount: 'ACT/360',
    dataCategories: ['name', 'id_number', 'phone'],
    dailyApplicationQuota: 10,
  });
  const catalogue = [
    product('111', 'fast', '0.10', '0.20'),
    product('222', 'decliner', '0.05', '0.15'),
    product('333', 'slowpoke', '0.04', '0.12'),
  ];

  beforeAll(async () => {
    handle = await createTestDatabase();
    const clock = () => new Date();
    const keyring = new PlatformKeyring(handle.db, Buffer.alloc(32, 3), clock);
    await keyring.ensureSigningKey();
    platformKeys = await keyring.publicKeys();
    const pair = await generateKeyPair('Ed25519', { notBefore: Date.now() - 60_000 });
    lenderKey = pair.privateKey;
    lenderPublic = pair.publicKey;
    const nonces = new InMemoryNonceStore();

    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const body = Buffer.concat(chunks);
        const partner = String(request.headers['x-lendgate-partner']);
        const verdict = await verifyRequest({
          method: request.method ?? 'POST',
          path: request.url ?? '/',
          headers: request.headers,
          body,
          keys: staticKeyLookup({ [partner]: platformKeys }),
          nonces,
          nowMs: Date.now(),
        });
        const hashKeyId = verdict.ok ? String(JSON.parse(body.toString()).hashKeyId) : '';
        const answer = !verdict.ok
          ? { status: 401, body: { error: verdict.code } }
          : hashKeyId.endsWith('.not-installed')
            ? { status: 200, body: { decision: 'decline', reason: 'unknown_hash_key' } }
            : partner === 'decliner'
              ? { status: 200, body: { decision: 'decline', reason: 'not_eligible' } }
              : sloppy
                ? { status: 200, body: { decision: 'accept', aprMin: '0.30', aprMax: '0.12', bonus: 1 } }
                : {
                    status: 200,
                    body: {
                      decision: 'accept',
                      indicativeLimitFen: 3_000_000,
                      aprMin: '0.12',
                      aprMax: '0.30',
                    },
                  };
        if (verdict.ok) seenBodies.push(JSON.parse(body.toString()));
        if (partner === 'slowpoke') await slowpokeGate;
        const signed = signResponse({
          request: {
            method: 'POST',
            path: request.url ?? '/',
            partnerId: partner,
            requestId: String(request.headers['x-lendgate-request-id']),
          },
          status: answer.status,
          body: answer.body,
          key: lenderKey,
          nowMs: Date.now(),
        });
        response.writeHead(answer.status, signed.headers);
        response.end(signed.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const ports: MarketplacePorts = {
      catalogue: async () => catalogue,
      entryVisible: async () => (visible ? { visible: true } : { visible: false, reason: 'not_whitelisted' }),
      preCheckIdentities: async (_borrowerId, partnerIds) =>
        new Map(
          hasProfile
            ? partnerIds.map((partnerId) => [
                partnerId,
                keysOf(partnerId).map((hashKeyId) => ({
                  phoneHmac: 'a'.repeat(64),
                  idNumberHmac: 'b'.repeat(64),
                  hashKeyId,
                  ageBand: '25-34',
                  region: '310000',
                })),
              ])
            : [],
        ),
      endpointOf: async () => ({
        baseUrl,
        timeoutMs: { pre_check: 1_000, apply: 5_000, drawdown: 5_000, repay: 5_000, status_query: 5_000 },
        signingKeys: [lenderPublic],
      }),
      applicationsToday: async (lenderIds) => new Map(lenderIds.map((id) => [id, sentToday])),
    };
    service = new OfferService(handle.db, clock, ports, keyring, { budgetMs: 400 });
    borrower = {
      borrowerId: await new BorrowerSessions(handle.db, clock).createBorrower(),
      channelCode: 'shop',
    };
  });
  afterAll(async () => {
    openGate();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await handle.close();
  });

  async function results() {
    return handle.db
      .selectFrom('pre_check_results')
      .select(['partner_id', 'outcome', 'reason', 'latency_ms'])
      .orderBy('id')
      .execute();
  }

  it('returns accepted offers within the budget, dropping declines and late answers, and records all', async () => {
    const started = Date.now();
    const page = await service.offers(borrower, 'default');
    const elapsed = Date.now() - started;
    // Budget 400 ms; the slow lender holds its answer until afterAll and is not waited for.
    expect(elapsed).toBeLessThan(1_200);
    expect(page.offers.map((offer) => offer.lender.code)).toEqual(['fast']);
    // The lender narrowed its minimum to 12% but cannot widen the product's 20% maximum.
    expect(page.offers[0]).toMatchObject({
      aprMin: '0.12',
      aprMax: '0.20',
      indicativeLimitFen: 3_000_000,
      preCheck: 'accepted',
    });
    expect(page.aprRange).toEqual({ min: '0.12', max: '0.20' });
    const recorded = await results();
    expect(recorded.map((r) => `${r.partner_id}:${r.outcome}`).sort()).toEqual([
      'decliner:declined',
      'fast:accepted',
      'slowpoke:timeout',
    ]);
    expect(await service.hasAcceptedPreCheck(handle.db, borrower.borrowerId, catalogue[0]!.productId)).toBe(
      true,
    );
    expect(await service.hasAcceptedPreCheck(handle.db, borrower.borrowerId, catalogue[1]!.productId)).toBe(
      false,
    );
  });

  it('sends only keyed hashes, their key id and coarse bands to lenders', () => {
    for (const body of seenBodies) {
      expect(Object.keys(body).sort()).toEqual(
        [
          'ageBand',
          'amountBandFen',
          'hashKeyId',
          'idNumberHmac',
          'phoneHmac',
          'productCode',
          'region',
        ].sort(),
      );
      expect(body.hashKeyId).toMatch(/\.current$/);
    }
  });

  it('asks again under the replaced key when a lender has not installed the rotated one yet', async () => {
    keysOf = (partnerId) =>
      partnerId === 'fast' ? ['fast.not-installed', 'fast.replaced'] : [`${partnerId}.current`];
    const before = seenBodies.length;
    const page = await service.offers(borrower, 'default');
    keysOf = (partnerId) => [`${partnerId}.current`];
    expect(page.offers.map((offer) => offer.lender.code)).toContain('fast');
    const asked = seenBodies.slice(before).filter((body) => String(body.hashKeyId).startsWith('fast.'));
    expect(asked.map((body) => body.hashKeyId)).toEqual(['fast.not-installed', 'fast.replaced']);
  });

  it('records a lender with no valid pre-check key as not asked, and leaves it out', async () => {
    keysOf = () => [];
    const before = seenBodies.length;
    const page = await service.offers(borrower, 'default');
    keysOf = (partnerId) => [`${partnerId}.current`];
    expect(page.offers).toEqual([]);
    expect(seenBodies.length).toBe(before);
    const recorded = await results();
    expect(recorded.slice(-3).map((r) => `${r.outcome}:${r.reason}`)).toEqual([
      'error:no pre-check key',
      'error:no pre-check key',
      'error:no pre-check key',
    ]);
  });

  it('declines under an unknown key when the lender has no other valid key', async () => {
    keysOf = (partnerId) => (partnerId === 'fast' ? ['fast.not-installed'] : [`${partnerId}.current`]);
    const page = await service.offers(borrower, 'default');
    keysOf = (partnerId) => [`${partnerId}.current`];
    expect(page.offers.map((offer) => offer.lender.code)).not.toContain('fast');
    const fast = (await results()).filter((r) => r.partner_id === 'fast').at(-1);
    expect(fast).toMatchObject({ outcome: 'declined', reason: 'unknown_hash_key' });
  });

  it('counts an answer that breaks the contract as an error, naming the problem, and shows no offer', async () => {
    sloppy = true;
    try {
      const page = await service.offers(borrower, 'default');
      expect(page.offers.find((offer) => offer.preCheck === 'accepted')).toBeUndefined();
      const fast = (await results()).filter((r) => r.partner_id === 'fast').at(-1);
      expect(fast).toMatchObject({ outcome: 'error', reason: expect.stringContaining('body.') });
    } finally {
      sloppy = false;
    }
  });

  it('leaves out lenders over their daily quota without calling them', async () => {
    sentToday = 10;
    const before = seenBodies.length;
    const page = await service.offers(borrower, 'apr');
    expect(page.offers).toEqual([]);
    expect(seenBodies.length).toBe(before);
    expect((await results()).filter((r) => r.outcome === 'over_quota')).toHaveLength(3);
    sentToday = 0;
  });

  it('shows the catalogue, ranked by price, when the borrower has no profile yet', async () => {
    hasProfile = false;
    const page = await service.offers(borrower, 'apr');
    expect(page.profileNeeded).toBe(true);
    expect(page.offers.map((offer) => offer.productCode)).toEqual(['333', '222', '111']);
    expect(page.offers.every((offer) => offer.preCheck === 'pending_profile')).toBe(true);
    hasProfile = true;
  });

  it('refuses a borrower who is not whitelisted', async () => {
    visible = false;
    await expect(service.offers(borrower, 'default')).rejects.toMatchObject({ code: 'NOT_WHITELISTED' });
    visible = true;
  });
});
