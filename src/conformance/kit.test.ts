import { describe, expect, it } from 'vitest';
import {
  ED25519_A_PRIVATE,
  ED25519_A_PUBLIC,
  RSA_ENC_PUBLIC,
} from '../../sandbox/sdk/__fixtures__/test-keys.ts';
import { CheckFailure, CheckRecorder, expectRefusal, expectSuccess } from './checks.ts';
import {
  ConformanceUsageError,
  DEFAULT_CALLBACK_PORT,
  DEFAULT_SCENARIO,
  lenderKeySet,
  parseConformanceArgs,
  signingKeyFromPem,
} from './options.ts';
import { rejectionApplicant, withCheckCharacter } from './rejection.ts';
import { formatReport, summarize } from './report.ts';
import { timingsCheck } from './run.ts';
import { decisionDifferences } from './status.ts';

const REQUIRED = [
  '--lender',
  'http://127.0.0.1:4100',
  '--partner',
  'p1',
  '--key',
  'k.pem',
  '--lender-keys',
  'l.json',
];

describe('command line', () => {
  it('parses the options with defaults', () => {
    expect(parseConformanceArgs(REQUIRED)).toEqual({
      lender: 'http://127.0.0.1:4100',
      partner: 'p1',
      key: 'k.pem',
      keyId: undefined,
      lenderKeys: 'l.json',
      callbackPort: DEFAULT_CALLBACK_PORT,
      callbackHost: '127.0.0.1',
      callbackTimeoutMs: 30_000,
      retryWindowMs: 10_000,
      json: false,
      scenario: {},
    });
    const custom = parseConformanceArgs([
      ...REQUIRED,
      '--callback-port=0',
      '--retry-window',
      '500',
      '--json',
      '--amount',
      '500000',
      '--term',
      '6',
      '--method',
      'equal_principal',
      '--product',
      'X',
    ]);
    expect(custom).toMatchObject({
      callbackPort: 0,
      retryWindowMs: 500,
      json: true,
      scenario: { productCode: 'X', amountFen: 500_000, termMonths: 6, method: 'equal_principal' },
    });
  });

  it('names what is wrong', () => {
    expect(() => parseConformanceArgs(REQUIRED.slice(2))).toThrow('--lender is required');
    expect(() => parseConformanceArgs([...REQUIRED.slice(2), '--lender', 'nope'])).toThrow(
      '--lender must be a URL',
    );
    expect(() => parseConformanceArgs([...REQUIRED, '--method', 'daily'])).toThrow(ConformanceUsageError);
    expect(() => parseConformanceArgs([...REQUIRED, '--callback-port', '70000'])).toThrow('--callback-port');
  });

  it('reads the platform key and the lender key set in every published shape', () => {
    const key = signingKeyFromPem(ED25519_A_PRIVATE.privateKey as string);
    expect(key.alg).toBe('Ed25519');
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(signingKeyFromPem(ED25519_A_PRIVATE.privateKey as string, 'kid-1').kid).toBe('kid-1');
    expect(() => signingKeyFromPem('nope')).toThrow('--key is not a PEM private key');
    const set = [ED25519_A_PUBLIC, RSA_ENC_PUBLIC];
    expect(lenderKeySet(set, 'p1')).toEqual(set);
    expect(lenderKeySet({ keys: set }, 'p1')).toEqual(set);
    expect(
      lenderKeySet(
        {
          lenders: [
            { partnerId: 'p0', keys: [] },
            { partnerId: 'p1', keys: set },
          ],
        },
        'p1',
      ),
    ).toEqual(set);
    expect(() => lenderKeySet({ lenders: [] }, 'p1')).toThrow('for partner p1');
    expect(() => lenderKeySet([ED25519_A_PUBLIC], 'p1')).toThrow('no encryption key');
  });
});

describe('checks and report', () => {
  const answer = (status: number, body: unknown, signature = 'valid') =>
    ({ kind: 'answered', status, body, durationMs: 5, requestId: 'r', signature }) as const;

  it('judges answers: status, contract, signature', () => {
    expect(expectSuccess('apply', answer(202, { accepted: true }))).toEqual({ accepted: true });
    expect(() => expectSuccess('apply', answer(200, { accepted: true }))).toThrow(
      'answered 200, expected 202',
    );
    expect(() => expectSuccess('apply', answer(202, {}))).toThrow('does not follow the contract');
    expect(() => expectSuccess('apply', answer(202, { accepted: true }, 'unsigned'))).toThrow('not signed');
    expect(() => expectSuccess('apply', answer(202, { accepted: true }, 'SIGNATURE_INVALID'))).toThrow(
      'signature does not verify (SIGNATURE_INVALID)',
    );
    expect(() =>
      expectSuccess('apply', {
        kind: 'no-answer',
        reason: 'no answer within 15000 ms',
        durationMs: 15_000,
        requestId: 'r',
      }),
    ).toThrow('no answer within');
    const refusal = { error: { code: 'NONCE_REPLAYED', message: 'x', requestId: 'r' } };
    expect(expectRefusal(answer(401, refusal), 401, 'NONCE_REPLAYED')).toBe('401 NONCE_REPLAYED, signed');
    expect(() => expectRefusal(answer(200, {}), 401, 'NONCE_REPLAYED')).toThrow(
      'answered 200 (no error code)',
    );
    expect(
      expectRefusal(
        answer(401, { ...refusal, error: { ...refusal.error, code: 'UNKNOWN_PARTNER' } }, 'unsigned'),
        401,
        'UNKNOWN_PARTNER',
        false,
      ),
    ).toBe('401 UNKNOWN_PARTNER');
  });

  it('records, skips, and keeps unexpected errors inside the check', async () => {
    const checks = new CheckRecorder();
    expect(await checks.run('a', 'A', async () => 'seen')).toBe(true);
    expect(
      await checks.run('b', 'B', async () => {
        throw new CheckFailure('wrong');
      }),
    ).toBe(false);
    expect(
      await checks.run('c', 'C', async () => {
        throw new Error('boom');
      }),
    ).toBe(false);
    expect(await checks.runIf(false, 'no loan', 'd', 'D', async () => undefined)).toBe(false);
    expect(checks.results.map((r) => [r.id, r.status, r.detail])).toEqual([
      ['a', 'pass', 'seen'],
      ['b', 'fail', 'wrong'],
      ['c', 'fail', 'unexpected error: boom'],
      ['d', 'skip', 'no loan'],
    ]);
    const report = summarize(
      {
        lenderUrl: 'http://l',
        partnerId: 'p',
        callbackUrl: 'http://c',
        startedAt: new Date(1_000).toISOString(),
        checks: checks.results,
      },
      3_500,
    );
    expect(report).toMatchObject({ passed: false, counts: { pass: 1, fail: 2, skip: 1 }, durationMs: 2_500 });
    const text = formatReport(report);
    expect(text).toContain('PASS  a           A — seen');
    expect(text).toContain('SKIP  d           D — no loan');
    expect(text).toContain('FAILED: 1 passed, 2 failed, 1 skipped in 2.5 s');
  });

  it('compares each answer with the budget of its call', () => {
    const timings = [
      { kind: 'pre-check', label: 'pre-check', durationMs: 40, answered: true },
      { kind: 'apply', label: 'apply', durationMs: 900, answered: true },
      { kind: 'apply', label: 'apply (repeat)', durationMs: 0, answered: false },
    ] as const;
    expect(timingsCheck(timings)).toBe('pre-check ≤ 40 ms, apply ≤ 900 ms');
    expect(() =>
      timingsCheck([...timings, { kind: 'pre-check', label: 'replay', durationMs: 1_001, answered: true }]),
    ).toThrow('replay took 1001 ms (budget 1000 ms)');
  });
});

describe('the rejection applicant', () => {
  it('completes id numbers with their GB 11643 check character', () => {
    expect(withCheckCharacter('11010119900307123')).toBe(DEFAULT_SCENARIO.applicant.idNumber);
    expect(withCheckCharacter('11010519491231002')).toBe('11010519491231002X');
  });

  it('is 16 on the day of the run, the rest of the scenario applicant unchanged', () => {
    const minor = rejectionApplicant(DEFAULT_SCENARIO.applicant, '2026-12-04');
    expect(minor).toEqual({
      ...DEFAULT_SCENARIO.applicant,
      name: '测试未成年',
      idNumber: withCheckCharacter('11010120101204002'),
    });
    expect(rejectionApplicant(DEFAULT_SCENARIO.applicant, '2028-02-29').idNumber.slice(6, 14)).toBe(
      '20120228',
    );
  });
});

describe('status answers against callbacks', () => {
  const decision = {
    applicationId: 'a',
    decision: 'approved',
    limitFen: 100,
    apr: '0.18',
    termsMonths: [12],
    methods: ['bullet'],
    validUntil: '2026-01-31T00:00:00Z',
    decidedAt: '2026-01-01T08:00:00+08:00',
  };

  it('agree when they say the same, instants compared as instants', () => {
    expect(decisionDifferences({ ...decision, validUntil: '2026-01-31T08:00:00+08:00' }, decision)).toEqual(
      [],
    );
  });

  it('name each difference', () => {
    expect(decisionDifferences(undefined, decision)).toEqual(['the application is missing']);
    expect(decisionDifferences({ applicationId: 'a', decision: 'pending' }, decision)).toEqual([
      'it is shown pending, the callback said approved',
    ]);
    expect(decisionDifferences({ ...decision, apr: '0.2', termsMonths: [6, 12] }, decision)).toEqual([
      'apr "0.2", the callback said "0.18"',
      'termsMonths [6,12], the callback said [12]',
    ]);
  });
});
