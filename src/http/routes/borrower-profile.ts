import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { type BorrowerVault, CONTACT_RELATIONS } from '../../borrowers/index.ts';
import { borrowerRoutes } from '../route.ts';
import { StringEnum } from '../schemas.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

// Formats are checked by the vault's rules (checksums, birth date, Luhn), which name the field and
// never echo the value; the schema only bounds sizes and shapes.
const ContactInput = Type.Object(
  {
    name: Type.String({ maxLength: 100 }),
    phone: Type.String({ maxLength: 20 }),
    relation: StringEnum(CONTACT_RELATIONS),
  },
  { additionalProperties: false },
);

const ProfileChangesBody = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    idNumber: Type.Optional(
      Nullable(Type.String({ maxLength: 30, description: '18-character resident id' })),
    ),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 20, description: 'Mainland mobile, 11 digits' }))),
    bankCard: Type.Optional(Nullable(Type.String({ maxLength: 30, description: '12–19 digits, Luhn' }))),
    contacts: Type.Optional(Type.Union([Type.Array(ContactInput, { maxItems: 10 }), Type.Null()])),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'A partial update: an absent field is kept, null clears it.',
  },
);

export const MaskedProfileSchema = Type.Object({
  name: Nullable(Type.String({ description: 'Masked, e.g. 张*' })),
  idNumber: Nullable(Type.String({ description: 'Masked, e.g. 110***********1234' })),
  phone: Nullable(Type.String({ description: 'Masked, e.g. 138****5678' })),
  bankCard: Nullable(Type.String({ description: 'Masked, e.g. 6222 **** **** 1234' })),
  contacts: Type.Union([
    Type.Array(Type.Object({ name: Type.String(), phone: Type.String(), relation: Type.String() })),
    Type.Null(),
  ]),
  updatedAt: Nullable(Type.String({ format: 'date-time' })),
});

/** The borrower's own profile: always shown masked; changed field by field; deleted by shredding. */
export const borrowerProfileRoutes =
  (vault: BorrowerVault): FastifyPluginAsync =>
  async (instance) => {
    const routes = borrowerRoutes(instance, ['borrower']);
    routes.get('/api/v1/borrower/profile', {
      summary: 'My profile, masked',
      response: { 200: MaskedProfileSchema },
      errors: [401],
      handler: async function getMyProfile(request) {
        return vault.view(request.borrower!.borrowerId);
      },
    });

    routes.put('/api/v1/borrower/profile', {
      summary: 'Change my profile (partial); every field is checked before anything is stored',
      body: ProfileChangesBody,
      response: { 200: MaskedProfileSchema },
      errors: [401],
      handler: async function changeMyProfile(request) {
        return vault.update(request.borrower!, request.body, { fieldPrefix: 'body.', requestId: request.id });
      },
    });

    routes.delete('/api/v1/borrower/profile', {
      summary: 'Delete my personal data (destroys my data key); refused while a loan needs it',
      response: { 200: Type.Object({ deleted: Type.Literal(true), consentsEnded: Type.Integer() }) },
      errors: [401, 409],
      handler: async function deleteMyProfile(request) {
        return {
          deleted: true as const,
          ...(await vault.delete(request.borrower!, request.id)),
        };
      },
    });
  };
