import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config.ts';

/**
 * Field names that hold personal or secret data anywhere in the system. Any log object carrying
 * one of these keys (up to four levels deep) has the value replaced before it is written.
 */
export const SENSITIVE_FIELDS = [
  'name',
  'fullName',
  'idNumber',
  'idNo',
  'nationalId',
  'phone',
  'mobile',
  'phoneNumber',
  'bankCard',
  'cardNumber',
  'bankAccount',
  'contacts',
  'address',
  'password',
  'newPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'privateKey',
  'masterKey',
  'dataKey',
  'pii',
] as const;

const HEADER_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/** Redaction paths for every sensitive field name at the top level and up to four levels down. */
export function redactionPaths(): string[] {
  const paths: string[] = [...HEADER_PATHS];
  for (const field of SENSITIVE_FIELDS) {
    paths.push(field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`, `*.*.*.*.${field}`);
  }
  return paths;
}

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'lendgate' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactionPaths(), censor: '[REDACTED]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
