/** `lendgate conformance …`: parses the command line, runs the kit, prints the report, sets the exit code. */
import {
  ConformanceUsageError,
  DEFAULT_CALLBACK_PORT,
  loadConformanceOptions,
  parseConformanceArgs,
} from '../conformance/options.ts';
import { formatReport } from '../conformance/report.ts';
import { runConformance } from '../conformance/run.ts';

export const conformanceCommand = {
  summary: 'Run the protocol conformance kit against a lender endpoint (plays the platform)',
  usage:
    'lendgate conformance --lender URL --partner ID --key PLATFORM_PRIVATE_KEY.pem --lender-keys LENDER_KEYS.json\n' +
    `       [--callback-port N (default ${DEFAULT_CALLBACK_PORT})] [--callback-host HOST] [--callback-timeout MS]\n` +
    '       [--retry-window MS (default 10000)]\n' +
    '       [--key-id KID] [--product CODE] [--amount FEN] [--term MONTHS] [--method METHOD] [--json]',
  /** Exit code: 0 when every check passed, 1 when one did not, 64 for a usage error. */
  async run(args: readonly string[]): Promise<number> {
    let parsed: ReturnType<typeof parseConformanceArgs>;
    let options: Awaited<ReturnType<typeof loadConformanceOptions>>;
    try {
      parsed = parseConformanceArgs(args);
      options = await loadConformanceOptions(parsed);
    } catch (error) {
      if (!(error instanceof ConformanceUsageError)) throw error;
      process.stderr.write(`lendgate conformance: ${error.message}\nUsage: ${conformanceCommand.usage}\n`);
      return 64;
    }
    if (!parsed.json) process.stderr.write(`Running conformance checks against ${options.lenderUrl}…\n`);
    const report = await runConformance(options);
    process.stdout.write(parsed.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.passed ? 0 : 1;
  },
};
