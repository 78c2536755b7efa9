import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { OFFER_SORTS } from '../../marketplace/ranking.ts';
import type { OfferService } from '../../marketplace/service.ts';
import { borrowerRoutes } from '../route.ts';
import { StringEnum } from '../schemas.ts';

const Offer = Type.Object({
  productId: Type.String({ format: 'uuid' }),
  productCode: Type.String(),
  productName: Type.String(),
  lender: Type.Object({ id: Type.String(), code: Type.String(), name: Type.String(), kind: Type.String() }),
  funderName: Type.String({ description: 'The licensed institution that grants the credit' }),
  aprMin: Type.String({ description: 'All-in APR (IRR), lowest' }),
  aprMax: Type.String({ description: 'All-in APR (IRR), highest' }),
  amountMinFen: Type.Integer(),
  amountMaxFen: Type.Integer(),
  termsMonths: Type.Array(Type.Integer()),
  methods: Type.Array(Type.String()),
  dataCategories: Type.Array(Type.String(), { description: 'Data the lender needs if you apply' }),
  preCheck: StringEnum(['accepted', 'pending_profile'] as const),
  indicativeLimitFen: Type.Union([Type.Integer(), Type.Null()]),
});

export const borrowerOfferRoutes =
  (offers: OfferService): FastifyPluginAsync =>
  async (instance) => {
    const routes = borrowerRoutes(instance, ['borrower']);
    routes.get('/api/v1/borrower/offers', {
      summary: 'Offers for me: lenders pre-check in parallel within the latency budget; APR range first',
      description:
        'Default order: pre-approved first, then the lowest maximum APR, then the highest indicative limit. ' +
        'sort=apr: lowest minimum APR first.',
      querystring: Type.Object(
        {
          sort: Type.Optional(StringEnum(OFFER_SORTS, { description: 'default or apr' })),
          amountFen: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
        },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({
          aprRange: Type.Union([Type.Object({ min: Type.String(), max: Type.String() }), Type.Null()]),
          sort: StringEnum(OFFER_SORTS),
          profileNeeded: Type.Boolean(),
          offers: Type.Array(Offer),
        }),
      },
      errors: [401, 403],
      handler: async function listMyOffers(request) {
        const page = await offers.offers(
          request.borrower!,
          request.query.sort ?? 'default',
          request.query.amountFen,
        );
        return {
          ...page,
          offers: page.offers.map((offer) => ({
            ...offer,
            termsMonths: [...offer.termsMonths],
            methods: [...offer.methods],
            dataCategories: [...offer.dataCategories],
          })),
        };
      },
    });
  };
