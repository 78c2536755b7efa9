import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

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

describe('logger redaction', () => {
  it('never changes the object it logs, however deep the sensitive fields sit', () => {
    const { lines, logger } = capture();
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
    const { lines, logger } = capture();
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
