import pino, { type Logger } from 'pino';

/**
 * The sandbox's logger: JSON lines on stderr (stdout carries the start-up banner). The sandbox
 * never logs bodies — only kinds, ids, statuses and codes — and, as a second guard, any field named
 * like personal data is redacted (the same names as the platform's logger).
 */
const PERSONAL_FIELDS = [
  'name',
  'idNumber',
  'phone',
  'bankCard',
  'contacts',
  'pii',
  'privateKey',
  'privateKeyPem',
];

export function createSandboxLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = PERSONAL_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);
  return pino(
    {
      level,
      base: { service: 'lendgate-sandbox' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths, censor: '[REDACTED]' },
    },
    destination ?? pino.destination(2),
  );
}
