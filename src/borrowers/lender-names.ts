import type { LenderDirectory } from './lender-directory.ts';

/**
 * The legal names of the lenders behind a list (each looked up once), so a borrower sees whom
 * their data went to; `null` for a lender the registry no longer knows.
 */
export async function lenderNames(
  directory: LenderDirectory,
  lenderIds: Iterable<string>,
): Promise<ReadonlyMap<string, string | null>> {
  const names = new Map<string, string | null>();
  for (const id of new Set(lenderIds)) names.set(id, (await directory.find(id))?.legalName ?? null);
  return names;
}
