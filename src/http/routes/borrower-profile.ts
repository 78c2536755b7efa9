import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { type BorrowerVault, CONTACT_RELATIONS } from '../../borrowers/index.ts';
import { errorResponses, StringEnum } from '../schemas.ts';

const BorrowerSecurity = [{ borrowerAuth: [] }];
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
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/api/v1/borrower/profile',
      {
        schema: {
          tags: ['borrower'],
          summary: 'My profile, masked',
          security: BorrowerSecurity,
          response: { 200: MaskedProfileSchema, ...errorResponses(401) },
        },
      },
      async (request) => vault.view(request.borrower!.borrowerId),
    );

    app.put(
      '/api/v1/borrower/profile',
      {
        schema: {
          tags: ['borrower'],
          summary: 'Change my profile (partial); every field is checked before anything is stored',
          security: BorrowerSecurity,
          body: ProfileChangesBody,
          response: { 200: MaskedProfileSchema, ...errorResponses(401) },
        },
      },
      async (request) =>
        vault.update(request.borrower!, request.body, { fieldPrefix: 'body.', requestId: request.id }),
    );

    app.delete(
      '/api/v1/borrower/profile',
      {
        schema: {
          tags: ['borrower'],
          summary: 'Delete my personal data (destroys my data key); refused while a loan needs it',
          security: BorrowerSecurity,
          response: {
            200: Type.Object({ deleted: Type.Literal(true), consentsEnded: Type.Integer() }),
            ...errorResponses(401, 409),
          },
        },
      },
      async (request) => ({
        deleted: true as const,
        ...(await vault.delete(request.borrower!, request.id)),
      }),
    );
  };
