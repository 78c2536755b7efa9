import type { LenderDirectory } from '../borrowers/index.ts';
import type { LenderServices } from '../lenders/index.ts';
import { AppError } from '../shared/errors.ts';

/** The lender registry seen through the borrower module's narrow LenderDirectory seam. */
export function lenderDirectoryFrom(lenders: LenderServices): LenderDirectory {
  return {
    async find(lenderId) {
      try {
        const lender = await lenders.partners.get(lenderId);
        return {
          id: lender.id,
          code: lender.code,
          legalName: lender.legalName,
          contact: lender.contact,
          acceptsConsents: lender.status !== 'terminated',
        };
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },
  };
}
