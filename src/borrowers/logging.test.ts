import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, SENSITIVE_FIELDS } from '../shared/logger.ts';
import { CATEGORY_FIELD } from './categories.ts';
import { EMPTY_PROFILE } from './profile-rules.ts';
import { SAMPLE } from './testing.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

const PLAIN = [
  SAMPLE.name,
  SAMPLE.idNumber,
  SAMPLE.phone,
  SAMPLE.bankCard,
  SAMPLE.contacts[0].name,
  SAMPLE.contacts[0].phone,
];

describe('borrower data in logs', () => {
  it('every field name of a profile and of a lender payload is a sensitive field', () => {
    const names = new Set<string>(SENSITIVE_FIELDS);
    for (const field of [...Object.keys(EMPTY_PROFILE), ...Object.values(CATEGORY_FIELD)]) {
      expect(names.has(field), field).toBe(true);
    }
  });

  it('a profile logged through the app logger, at any depth up to four, shows no plain value', () => {
    const { lines, logger } = capture();
    const profile = { ...SAMPLE };
    logger.info(profile, 'top level');
    logger.info({ profile }, 'one level down');
    logger.info({ req: { body: profile } }, 'a request body');
    logger.info({ application: { borrower: { profile } } }, 'three levels down');
    logger.info({ changes: { body: [profile] } }, 'inside an array');
    logger.warn(
      { err: { details: { fields: [{ field: 'body.idNumber', message: 'checksum does not match' }] } } },
      'refused',
    );
    const output = lines.join('');
    expect(lines).toHaveLength(6);
    for (const value of PLAIN) expect(output).not.toContain(value);
    expect(output).toContain('[REDACTED]');
    expect(output).toContain('body.idNumber');
  });
});
