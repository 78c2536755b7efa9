import { describe, expect, it } from 'vitest';
import { chinaDate } from '../shared/china-date.ts';
import type { NewLender } from './model.ts';
import {
  checkCallbackBaseUrl,
  checkLenderChanges,
  checkNewLender,
  isCertificationValid,
  TIMEOUT_LIMITS,
} from './partner-rules.ts';
import { Problems } from './problems.ts';

const BANK: NewLender = {
  code: 'test-bank',
  kind: 'bank',
  legalName: ' 测试银行 ',
  licenseType: '金融许可证',
  licenseNumber: 'B0001',
  contact: { name: '王', email: 'OPS@Bank.Example', phone: '+86 10 5555 0100' },
  dailyApplicationQuota: 10,
  callbackBaseUrl: 'https://bank.example/api/',
};

function problemsOf(input: NewLender): string[] {
  const problems = new Problems();
  checkNewLender(problems, input);
  try {
    problems.throwIfAny();
    return [];
  } catch (error) {
    return (error as { details: { fields: { field: string }[] } }).details.fields.map((f) => f.field);
  }
}

describe('partner admission rules (pure)', () => {
  it('normalizes a valid record and fills the default timeouts', () => {
    const problems = new Problems();
    const checked = checkNewLender(problems, BANK);
    expect(problems.empty).toBe(true);
    expect(checked).toMatchObject({
      legalName: '测试银行',
      contact: { email: 'ops@bank.example' },
      callbackBaseUrl: 'https://bank.example/api',
      ipAllowList: [],
      securityCertification: null,
      contractReference: null,
    });
    for (const [name, limit] of Object.entries(TIMEOUT_LIMITS)) {
      expect(checked.timeouts[name as keyof typeof checked.timeouts]).toBe(limit.default);
    }
  });

  it('requires a license of every licensed kind, and none of a facilitator', () => {
    for (const kind of ['bank', 'consumer_finance', 'micro_loan'] as const) {
      expect(problemsOf({ ...BANK, kind, licenseType: null, licenseNumber: undefined })).toEqual([
        'licenseType',
        'licenseNumber',
      ]);
    }
    expect(
      problemsOf({
        ...BANK,
        kind: 'facilitator',
        licenseType: null,
        licenseNumber: null,
        funders: [{ kind: 'bank', legalName: 'B', licenseNumber: 'L' }],
      }),
    ).toEqual([]);
  });

  it('names every bad field at once', () => {
    expect(
      problemsOf({
        ...BANK,
        code: 'X',
        legalName: '  ',
        dailyApplicationQuota: 1.5,
        ipAllowList: ['10.0.0.0/8', 'bogus', '::1/200'],
        securityCertification: { level: '', certificateNumber: 'C', expiresOn: '2026-13-01' },
        timeouts: { preCheckMs: 50, repayMs: 60_001 },
      }),
    ).toEqual([
      'code',
      'dailyApplicationQuota',
      'legalName',
      'securityCertification.level',
      'securityCertification.expiresOn',
      'ipAllowList.1',
      'ipAllowList.2',
      'timeouts.preCheckMs',
      'timeouts.repayMs',
    ]);
  });

  it('accepts http and https base URLs only, without credentials, query or fragment', () => {
    const check = (url: string) => {
      const problems = new Problems();
      const out = checkCallbackBaseUrl(problems, 'u', url);
      return problems.empty ? out : null;
    };
    expect(check('http://127.0.0.1:4010/')).toBe('http://127.0.0.1:4010');
    expect(check('https://[2001:db8::1]/cb//')).toBe('https://[2001:db8::1]/cb');
    expect(check('javascript:alert(1)')).toBeNull();
    expect(check('https://a.example/#x')).toBeNull();
    expect(check('https://a.example/?a=1')).toBeNull();
    expect(check('//a.example/')).toBeNull();
  });

  it('applies changes over the current record and re-checks the whole', () => {
    const problems = new Problems();
    const current = { ...checkNewLender(problems, BANK), funders: undefined };
    const next = checkLenderChanges(problems, current, {
      timeouts: { applyMs: 30_000 },
      contact: { name: '李' },
    });
    expect(problems.empty).toBe(true);
    expect(next.timeouts).toMatchObject({ applyMs: 30_000, preCheckMs: 1_000 });
    expect(next.contact).toEqual({ name: '李', email: 'ops@bank.example', phone: '+86 10 5555 0100' });
    expect(next.funders).toBeUndefined();
  });

  it('judges a certification by the date in China', () => {
    // 2026-03-31T16:30Z is already 1 April in Beijing.
    expect(chinaDate(new Date('2026-03-31T16:30:00Z'))).toBe('2026-04-01');
    const cert = { level: '等保三级', certificateNumber: 'C', expiresOn: '2026-03-31' };
    expect(isCertificationValid(cert, '2026-03-31')).toBe(true);
    expect(isCertificationValid(cert, '2026-04-01')).toBe(false);
    expect(isCertificationValid(null, '2026-01-01')).toBe(false);
  });
});
