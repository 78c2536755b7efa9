/**
 * Running checks and judging answers: each check is a function that returns what it saw or throws
 * a {@link CheckFailure} saying what was wrong; the recorder times it and keeps the result.
 */
import {
  CALL_KINDS,
  type CallKind,
  validateCallResponse,
  validateErrorBody,
} from '../protocol/envelope/index.ts';
import type { CallOutcome } from './client.ts';
import type { CheckResult } from './report.ts';

export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}

export function fail(detail: string): never {
  throw new CheckFailure(detail);
}

export interface CheckRecorderOptions {
  /** Told of every result as it is recorded (progress of a run in the background). */
  readonly onResult?: (result: CheckResult, recorded: readonly CheckResult[]) => void;
  /** Once aborted, every check still to come is recorded as skipped: the run was interrupted. */
  readonly signal?: AbortSignal;
}

export class CheckRecorder {
  readonly results: CheckResult[] = [];
  readonly #options: CheckRecorderOptions;

  constructor(options: CheckRecorderOptions = {}) {
    this.#options = options;
  }

  /** Whether the run was interrupted (its remaining checks are skipped). */
  get interrupted(): boolean {
    return this.#options.signal?.aborted ?? false;
  }

  #record(result: CheckResult): void {
    this.results.push(result);
    try {
      this.#options.onResult?.(result, this.results);
    } catch {
      // A listener's failure is not the lender's: the run goes on.
    }
  }

  /** Runs a check; resolves true when it passed. Unexpected errors fail the check, not the run. */
  async run(id: string, title: string, check: () => Promise<string | undefined>): Promise<boolean> {
    if (this.interrupted) {
      this.skip(id, title, 'the run was interrupted');
      return false;
    }
    const started = performance.now();
    let status: CheckResult['status'] = 'pass';
    let detail = '';
    try {
      detail = (await check()) ?? '';
    } catch (error) {
      status = 'fail';
      detail =
        error instanceof CheckFailure ? error.message : `unexpected error: ${(error as Error).message}`;
    }
    if (this.interrupted && status === 'fail') {
      status = 'skip';
      detail = 'the run was interrupted';
    }
    this.#record({ id, title, status, detail, durationMs: Math.round(performance.now() - started) });
    return status === 'pass';
  }

  skip(id: string, title: string, reason: string): void {
    this.#record({ id, title, status: 'skip', detail: reason, durationMs: 0 });
  }

  /** Runs the check when `ready`, else records it as skipped for `reason`. */
  runIf(ready: boolean, reason: string, id: string, title: string, check: () => Promise<string | undefined>) {
    if (ready) return this.run(id, title, check);
    this.skip(id, title, this.interrupted ? 'the run was interrupted' : reason);
    return Promise.resolve(false);
  }
}

export function budgetOf(kind: CallKind): number {
  return CALL_KINDS.find((k) => k.kind === kind)!.budgetMs;
}

/** Every timed call, for the budget check at the end. */
export interface Timing {
  readonly kind: CallKind;
  readonly label: string;
  readonly durationMs: number;
  readonly answered: boolean;
}

/** The answer, or a failure saying there was none. */
export function answered(outcome: CallOutcome): Extract<CallOutcome, { kind: 'answered' }> {
  if (outcome.kind !== 'answered') fail(outcome.reason);
  return outcome;
}

function signatureProblem(outcome: Extract<CallOutcome, { kind: 'answered' }>): string | undefined {
  if (outcome.signature === 'valid') return undefined;
  return outcome.signature === 'unsigned'
    ? 'the answer is not signed'
    : `the answer's signature does not verify (${outcome.signature})`;
}

function errorCode(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A successful, signed, contract-valid answer of `kind`; returns its body. */
export function expectSuccess(kind: CallKind, outcome: CallOutcome): Readonly<Record<string, unknown>> {
  const answer = answered(outcome);
  const expected = CALL_KINDS.find((k) => k.kind === kind)!.successStatus;
  if (answer.status !== expected) {
    const code = errorCode(answer.body);
    fail(`answered ${answer.status}${code === undefined ? '' : ` ${code}`}, expected ${expected}`);
  }
  const problems = validateCallResponse(kind, answer.body);
  if (problems.length > 0) fail(`answer does not follow the contract: ${problems.join('; ')}`);
  const bad = signatureProblem(answer);
  if (bad !== undefined) fail(bad);
  return answer.body as Readonly<Record<string, unknown>>;
}

/** A refusal with this status and code, signed unless `signed` is false, in the error shape. */
export function expectRefusal(outcome: CallOutcome, status: number, code: string, signed = true): string {
  const answer = answered(outcome);
  const got = errorCode(answer.body);
  if (answer.status !== status || got !== code)
    fail(`answered ${answer.status} ${got ?? '(no error code)'}, expected ${status} ${code}`);
  const problems = validateErrorBody(answer.body);
  if (problems.length > 0) fail(`error body does not follow the contract: ${problems.join('; ')}`);
  if (signed) {
    const bad = signatureProblem(answer);
    if (bad !== undefined) fail(bad);
  }
  return `${status} ${code}${answer.signature === 'valid' ? ', signed' : ''}`;
}
