/** The result of a conformance run: one entry per check, and the text and JSON renderings. */

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable id, e.g. `callback.credit-decision`, `security.bad-signature`. */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** Why it failed or was skipped, or what was observed. Never contains personal data. */
  readonly detail: string;
  readonly durationMs: number;
}

export interface ConformanceReport {
  readonly lenderUrl: string;
  readonly partnerId: string;
  /** URL the callbacks were expected at. */
  readonly callbackUrl: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** True only when every check passed (a skipped check is not a pass). */
  readonly passed: boolean;
  readonly counts: { readonly pass: number; readonly fail: number; readonly skip: number };
  readonly checks: readonly CheckResult[];
}

export function summarize(
  base: Omit<ConformanceReport, 'passed' | 'counts' | 'finishedAt' | 'durationMs'>,
  finishedMs: number,
): ConformanceReport {
  const counts = { pass: 0, fail: 0, skip: 0 };
  for (const check of base.checks) counts[check.status] += 1;
  return {
    ...base,
    finishedAt: new Date(finishedMs).toISOString(),
    durationMs: finishedMs - Date.parse(base.startedAt),
    passed: counts.fail === 0 && counts.skip === 0 && counts.pass > 0,
    counts,
  };
}

const MARK: Readonly<Record<CheckStatus, string>> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

/** Human-readable report, one line per check. */
export function formatReport(report: ConformanceReport): string {
  const width = Math.max(...report.checks.map((c) => c.id.length), 10);
  const lines = [
    `Lendgate conformance run against ${report.lenderUrl} (partner ${report.partnerId})`,
    `callbacks expected at ${report.callbackUrl}`,
    '',
    ...report.checks.map(
      (c) => `${MARK[c.status]}  ${c.id.padEnd(width)}  ${c.title}${c.detail === '' ? '' : ` — ${c.detail}`}`,
    ),
    '',
    `${report.passed ? 'PASSED' : 'FAILED'}: ${report.counts.pass} passed, ${report.counts.fail} failed, ` +
      `${report.counts.skip} skipped in ${(report.durationMs / 1000).toFixed(1)} s`,
  ];
  return `${lines.join('\n')}\n`;
}
