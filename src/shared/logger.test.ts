import { describe, expect, it } from 'vitest';
import { captureLogs } from './logger-testing.ts';

describe('logger redaction', () => {
  it('never changes the object it logs, however deep the sensitive fields sit', () => {
    const { lines, logger } = captureLogs();
    const profile = { name: '张三', contacts: [{ name: '李四', phone: '13900001111' }] };
    const snapshot = structuredClone(profile);
    logger.info({ profile, deeper: { a: { b: { c: { d: { phone: '13800000000' } } } } } }, 'profile');
    expect(profile).toEqual(snapshot);
    const line = lines.join('');
    expect(line).not.toContain('13900001111');
    expect(line).not.toContain('13800000000');
    expect(line).not.toContain('李四');
  });

  it('never writes PII fields or authorization headers', () => {
    const { lines, logger } = captureLogs();
    logger.info(
      {
        borrower: { name: '张三', idNumber: '110101199003071234', phone: '13812345678' },
        application: { applicant: { bankCard: '6222020200112233445', contacts: [{ phone: '13900000000' }] } },
        req: { headers: { authorization: 'Bearer abc.def', 'x-request-id': 'r1' } },
      },
      'hello',
    );
    const line = lines.join('');
    for (const secret of [
      '张三',
      '110101199003071234',
      '13812345678',
      '6222020200112233445',
      'abc.def',
      '13900000000',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[REDACTED]');
    expect(line).toContain('r1');
  });
});
