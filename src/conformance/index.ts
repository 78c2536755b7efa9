/**
 * The conformance kit: plays the platform side of the Lendgate protocol against a lender endpoint.
 * A library: `runConformance` is what the platform calls to record a run at partner admission
 * (wiring/conformance-runner.ts), the demo runs it against its sandbox lenders, and the command
 * line wraps it (`lendgate conformance`, src/cli/conformance.ts). It imports no part of the CLI.
 */
export {
  type ConformanceOptions,
  DEFAULT_RETRY_WINDOW_MS,
  DEFAULT_SCENARIO,
  lenderKeySet,
  type Scenario,
  signingKeyFromPem,
} from './options.ts';
export { type CheckResult, type CheckStatus, type ConformanceReport, formatReport } from './report.ts';
export { CONFORMANCE_CHECKS, runConformance } from './run.ts';
