import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { BorrowerServices, Consent } from '../../borrowers/index.ts';
import { lenderNames } from '../../borrowers/lender-names.ts';
import { borrowerRoutes } from '../route.ts';
import { Int4, ItemsOf, StringEnum } from '../schemas.ts';

const Uuid = Type.String({ format: 'uuid' });
const Categories = Type.Array(Type.String(), { description: 'name, id_number, phone, bank_card, contacts' });

export const DEVICE_PLATFORMS = ['ios', 'android', 'harmonyos', 'web', 'other'] as const;

const DeviceBody = Type.Object(
  {
    platform: StringEnum(DEVICE_PLATFORMS),
    model: Type.Optional(Type.String({ maxLength: 100 })),
    osVersion: Type.Optional(Type.String({ maxLength: 50 })),
    appVersion: Type.Optional(Type.String({ maxLength: 50 })),
  },
  { additionalProperties: false },
);

const NewConsentBody = Type.Object(
  {
    lenderId: Uuid,
    agreements: Type.Array(
      Type.Object({ id: Uuid, version: Int4({ minimum: 1 }) }, { additionalProperties: false }),
      {
        minItems: 1,
        maxItems: 3,
        description: 'Every agreement version shown (GET /api/v1/agreements?lenderId=)',
      },
    ),
    device: DeviceBody,
  },
  { additionalProperties: false },
);

export const ConsentSchema = Type.Object({
  id: Uuid,
  borrowerId: Uuid,
  lenderId: Uuid,
  lenderName: Type.Union([Type.String(), Type.Null()]),
  partnerId: Type.String({ description: 'The lender’s public partner id' }),
  categories: Categories,
  agreements: Type.Array(
    Type.Object({
      agreementId: Uuid,
      kind: Type.String(),
      version: Type.Integer(),
      textSha256: Type.String(),
    }),
  ),
  channel: Type.String(),
  device: Type.Object({
    platform: Type.String(),
    model: Type.Optional(Type.String()),
    osVersion: Type.Optional(Type.String()),
    appVersion: Type.Optional(Type.String()),
    userAgent: Type.Optional(Type.String()),
  }),
  givenAt: Type.String({ format: 'date-time' }),
  status: StringEnum(['active', 'withdrawn', 'superseded', 'profile_deleted'] as const),
  endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const BorrowerReleaseSchema = Type.Object({
  id: Uuid,
  lenderId: Uuid,
  lenderName: Type.Union([Type.String(), Type.Null()]),
  categories: Categories,
  consentId: Uuid,
  releasedAt: Type.String({ format: 'date-time' }),
});

const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** Adds each lender's name, so a list reads "who", not only an id. */
export async function named<T extends { readonly lenderId: string }>(
  services: Pick<BorrowerServices, 'lenders'>,
  items: readonly T[],
): Promise<(T & { lenderName: string | null })[]> {
  const names = await lenderNames(
    services.lenders,
    items.map((item) => item.lenderId),
  );
  return items.map((item) => ({ ...item, lenderName: names.get(item.lenderId) ?? null }));
}

/**
 * A borrower's consents (one per lender, given and withdrawn with one call each) and the record of
 * what was shared with whom. Only the signed-in borrower's own records are ever read or changed.
 */
export const borrowerConsentRoutes =
  (services: BorrowerServices): FastifyPluginAsync =>
  async (instance) => {
    const routes = borrowerRoutes(instance, ['borrower']);
    routes.get('/api/v1/borrower/consents', {
      summary: 'My consents, newest first (active and ended)',
      response: { 200: ItemsOf(ConsentSchema) },
      errors: [401],
      handler: async function listMyConsents(request) {
        return {
          items: await named(services, await services.consents.listOwn(request.borrower!.borrowerId)),
        };
      },
    });

    routes.post('/api/v1/borrower/consents', {
      summary: 'Consent separately to one lender receiving my data, against the texts shown',
      description:
        '201 when recorded; 200 when the same consent is already active. A newer text version ' +
        'in force is refused (VALIDATION_FAILED naming the agreement): show it and ask again.',
      body: NewConsentBody,
      response: { 200: ConsentSchema, 201: ConsentSchema },
      errors: [401, 404, 409],
      handler: async function giveConsent(request, reply) {
        const userAgent = request.headers['user-agent']?.slice(0, 300);
        const { consent, created } = await services.consents.give(
          request.borrower!,
          {
            lenderId: request.body.lenderId,
            agreements: request.body.agreements,
            device: { ...request.body.device, ...(userAgent ? { userAgent } : {}) },
          },
          request.id,
        );
        const [view] = await named(services, [consent]);
        return reply.code(created ? 201 : 200).send(view);
      },
    });

    routes.delete('/api/v1/borrower/consents/:id', {
      summary: 'Withdraw a consent: no more data goes to that lender',
      params: Type.Object({ id: Uuid }),
      response: { 200: ConsentSchema },
      errors: [401, 404],
      handler: async function withdrawConsent(request) {
        const consent: Consent = await services.consents.withdraw(
          request.borrower!,
          request.params.id,
          request.id,
        );
        const [view] = await named(services, [consent]);
        return view;
      },
    });

    routes.get('/api/v1/borrower/data-releases', {
      summary: 'What of my data was shared with whom, and when (newest first)',
      querystring: PageQuery,
      response: {
        200: Type.Object({
          items: Type.Array(BorrowerReleaseSchema),
          nextCursor: Type.Union([Type.String(), Type.Null()]),
        }),
      },
      errors: [401],
      handler: async function listMyDataReleases(request) {
        const page = await services.releases.list({
          borrowerId: request.borrower!.borrowerId,
          limit: request.query.limit,
          ...(request.query.cursor !== undefined ? { cursor: request.query.cursor } : {}),
        });
        return { items: await named(services, page.items), nextCursor: page.nextCursor };
      },
    });
  };
