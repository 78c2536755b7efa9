import pino, { type LevelWithSilent, type Logger } from 'pino';

/**
 * Field names that hold personal or secret data anywhere in the system. Any log object carrying
 * one of these keys, at any depth, has the value replaced before it is written.
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

const SENSITIVE = new Set<string>(SENSITIVE_FIELDS);
const CENSOR = '[REDACTED]';
const MAX_DEPTH = 10;

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A copy of `value` with every sensitive field replaced, at any depth, in plain objects and
 * arrays. It never changes the object being logged: pino's own path redaction mutates the object
 * while writing, and with overlapping wildcard paths it left nested values censored for good
 * (a logged profile lost its contacts). Class instances (requests, errors) go to their serializers.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = SENSITIVE.has(key) ? CENSOR : redactDeep(field, depth + 1);
  }
  return copy;
}

/** `level`: one of pino's levels or `silent` (config.ts's LOG_LEVELS). */
export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'lendgate' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Header paths do not overlap, so pino's in-place redaction restores them correctly.
    redact: { paths: HEADER_PATHS, censor: CENSOR },
    formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
  };
  return destination ? pino(options, destination) : pino(options);
}
