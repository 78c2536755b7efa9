/** What settlement needs from the partner registry, wired in app.ts (no reads of its tables). */
export interface LenderDirectory {
  /** True when a partner with this code (the protocol partner id) is registered. */
  isKnownLender(code: string): Promise<boolean>;
}
