import { AppError } from '../shared/errors.ts';

/** What settlement needs from the partner registry, wired in app.ts (no reads of its tables). */
export interface LenderDirectory {
  /** True when a partner with this code (the protocol partner id) is registered. */
  isKnownLender(code: string): Promise<boolean>;
}

/** Throws NOT_FOUND unless a partner with this code is registered. */
export async function requireKnownLender(lenders: LenderDirectory, code: string): Promise<void> {
  if (!(await lenders.isKnownLender(code))) throw new AppError('NOT_FOUND', `No partner with code ${code}.`);
}
