import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { WhitelistService } from '../../whitelist/service.ts';
import { errorResponses } from '../schemas.ts';
import { EntrySchema } from './whitelist-schemas.ts';

/** Whether the signed-in borrower sees the borrowing entry (白名单, rollout, kill switches). */
export const borrowerEntryRoutes =
  (whitelist: Pick<WhitelistService, 'entryFor'>): FastifyPluginAsync =>
  async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/api/v1/borrower/entry',
      {
        schema: {
          tags: ['borrower'],
          summary: 'Whether the borrowing entry shows for me, with my segment and pre-approved limit',
          security: [{ borrowerAuth: [] }],
          response: { 200: EntrySchema, ...errorResponses(401) },
        },
      },
      async (request) => whitelist.entryFor(request.borrower!),
    );
  };
