import { describe, expect, it } from 'vitest';
import { SENSITIVE_FIELDS } from '../shared/logger.ts';
import { captureLogs } from '../shared/logger-testing.ts';
import { CATEGORY_FIELD } from './categories.ts';
import { EMPTY_PROFILE } from './profile-rules.ts';
import { SAMPLE, SAMPLE_PLAIN_VALUES } from './testing.ts';

describe('borrower data in logs', () => {
  it('every field name of a profile and of a lender payload is a sensitive field', () => {
    const names = new Set<string>(SENSITIVE_FIELDS);
    for (const field of [...Object.keys(EMPTY_PROFILE), ...Object.values(CATEGORY_FIELD)]) {
      expect(names.has(field), field).toBe(true);
    }
  });

  it('a profile logged through the app logger, at any depth up to four, shows no plain value', () => {
    const { lines, logger } = captureLogs();
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
    for (const value of SAMPLE_PLAIN_VALUES) expect(output).not.toContain(value);
    expect(output).toContain('[REDACTED]');
    expect(output).toContain('body.idNumber');
  });
});
