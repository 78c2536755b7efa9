import type { FastifyPluginAsync } from 'fastify';
import type { WhitelistService } from '../../whitelist/service.ts';
import { borrowerRoutes } from '../route.ts';
import { EntrySchema } from './whitelist-schemas.ts';

/** Whether the signed-in borrower sees the borrowing entry (白名单, rollout, kill switches). */
export const borrowerEntryRoutes =
  (whitelist: Pick<WhitelistService, 'entryFor'>): FastifyPluginAsync =>
  async (instance) => {
    const routes = borrowerRoutes(instance, ['borrower']);
    routes.get('/api/v1/borrower/entry', {
      summary: 'Whether the borrowing entry shows for me, with my segment and pre-approved limit',
      response: { 200: EntrySchema },
      errors: [401],
      handler: async function getMyEntry(request) {
        return whitelist.entryFor(request.borrower!);
      },
    });
  };
