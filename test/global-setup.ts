import { dropPostgresTemplate, preparePostgresTemplate } from '../src/db/testing.ts';

/**
 * Vitest global setup. On PostgreSQL (DATABASE_URL set) it migrates one template database for the
 * whole run; on PGlite there is nothing to do here (each worker prepares its own, see
 * src/db/testing.ts).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;
  if (!url) return async () => {};
  await preparePostgresTemplate(url);
  return async () => {
    await dropPostgresTemplate(url);
  };
}
