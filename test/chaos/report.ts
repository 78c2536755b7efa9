import type { ChaosReport } from './run.ts';

/**
 * Server environment for a chaos run: every borrower of the run comes from 127.0.0.1, so limits
 * per client address would throttle the load; the run raises them. The client still honours a
 * 429 (it waits and sends again), so a limit left in place slows the run down but breaks nothing.
 */
export function limitsFromEnv(): Record<string, string> {
  const high = '1000000';
  return {
    RATE_LIMIT_CHANNEL_SIGN_IN_PER_IP: high,
    RATE_LIMIT_DEV_TOKENS_PER_IP: high,
    RATE_LIMIT_OFFERS_PER_BORROWER: high,
    RATE_LIMIT_QUOTES_PER_IP: high,
    RATE_LIMIT_OPEN_PER_PARTNER: high,
    RATE_LIMIT_NOT_FOUND_PER_IP: high,
    RATE_LIMIT_SIGN_IN_PER_IP: high,
  };
}

/** The figures of a run, one per line. */
export function formatReport(report: ChaosReport, seed: number): string {
  const f = report.figures;
  const exits = report.exits.map(
    (e) => `${e.server}#${e.generation}:${e.killed ? 'SIGKILL' : (e.code ?? e.signal)}`,
  );
  const lines = [
    `chaos run (seed ${seed}, database ${report.database})`,
    `  loans         ${report.loans} borrowers planned: ${JSON.stringify(report.outcomes)}`,
    `  kills         ${report.kills} SIGKILLs (restarts in ${report.restartMs.join(', ') || '–'} ms)`,
    `  terminations  ${report.terminatedBackends} server backends in ${report.storms} storm(s)`,
    `  exits         ${exits.join(' ') || '–'}; by themselves: ${report.unexpectedExits.length}`,
    `  client        ${report.client.requests} requests, ${report.client.unknown} unknown outcomes ` +
      `(${report.client.dropped} dropped, 5xx ${JSON.stringify(report.client.serverErrors)}), ` +
      `${report.client.rereads} re-reads (${report.client.tookEffect} had taken effect), ${report.client.throttled} throttled`,
    `  balancer      ${report.balancer.requests} requests, ${report.balancer.broken} cut by a kill, ${report.balancer.refused} refused connections`,
  ];
  if (f)
    lines.push(
      `  stored        ${f.applications} applications, ${f.loans} loans, ${f.repayments} repayments, ` +
        `${f.outboxMessages} outbox messages, ${f.inboundCallbacks} callbacks applied`,
      `  faults        ${f.duplicateCallbacksSent} duplicate callbacks sent, ${f.injectedErrors} injected lender errors, ` +
        `${f.replayedAnswers} answers replayed by the lender`,
      `  money         ${f.ledgerEntries} ledger entries; referral ${f.referralFen} fen, service ${f.serviceFen} fen`,
    );
  lines.push(
    `  mismatches    ${report.mismatches.length}`,
    `  duration      ${(report.durationMs / 1000).toFixed(1)} s (journeys ${(report.journeyMs / 1000).toFixed(1)} s)`,
  );
  for (const line of report.mismatches.slice(0, 40)) lines.push(`  ✗ ${line}`);
  if (report.mismatches.length > 40) lines.push(`  … and ${report.mismatches.length - 40} more`);
  return lines.join('\n');
}
