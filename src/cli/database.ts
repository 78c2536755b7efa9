/** How a CLI command opens the configured database: the embedded one only if no one else has it. */
import { parseConfig } from '../config.ts';
import { type DatabaseHandle, openDatabase } from '../db/connection.ts';
import { type DataDirLockedError, lockEmbeddedDatabase } from '../db/data-dir-lock.ts';

/** Exit code of a command refused because the embedded database is in use (EX_TEMPFAIL). */
export const EXIT_DATABASE_IN_USE = 75;

/**
 * Opens DATABASE_URL, or the embedded database in DATA_DIR after taking its lock: a command
 * writing into an embedded database a running server has open would report success and lose the
 * write (the server never sees it, and it is gone after a restart). Closing releases the lock.
 * Throws `DataDirLockedError` when another process holds it.
 */
export async function openCliDatabase(command: string): Promise<DatabaseHandle> {
  const config = parseConfig(process.env);
  const lock = lockEmbeddedDatabase(config, `cli ${command}`);
  try {
    const handle = await openDatabase(config);
    return {
      ...handle,
      async close() {
        try {
          await handle.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** The refusal the CLI prints for a locked embedded database. */
export function databaseInUseMessage(command: string, error: DataDirLockedError): string {
  return [
    `lendgate ${command}: refused: ${error.message}.`,
    '  The embedded database (PGlite) serves one process at a time: what this command wrote',
    '  would not be seen by that process and would be lost.',
    '  Use the operator API of the running server instead (see /docs), or stop it and run',
    '  this command again. (On PostgreSQL, DATABASE_URL, any number of processes may share it.)',
    '',
  ].join('\n');
}
