/** Test support: a logger (the app's own, redaction included) whose output lines are kept. */
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';

/** An `info` logger writing into `lines`, one JSON line per entry, for tests to read back. */
export function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}
