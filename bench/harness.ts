/**
 * A tiny benchmark harness: warm up, then time several rounds of at least `minMs` each with
 * process.hrtime.bigint, and report the median ops/s (the median shrugs off a GC pause or a
 * noisy neighbour in one round).
 */

export interface MeasureOptions {
  /** Minimum duration of each timed round, in milliseconds. Default 200. */
  readonly minMs?: number;
  /** Number of timed rounds; the median is reported. Default 5. */
  readonly rounds?: number;
  /** Warm-up duration before timing, in milliseconds (lets the JIT optimize). Default 200. */
  readonly warmupMs?: number;
}

export interface Measurement {
  readonly name: string;
  /** Median operations per second over the rounds. */
  readonly opsPerSec: number;
  /** Ops/s of every round, in the order run. */
  readonly rounds: readonly number[];
}

/** Keeps results reachable so the JIT cannot drop the measured work as dead code. */
const sink: { value: unknown } = { value: undefined };

/** Runs `fn` repeatedly for about `ms` milliseconds; returns [calls, elapsed ns]. */
function runFor(fn: () => unknown, ms: number): [number, bigint] {
  const budget = BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let calls = 0;
  let batch = 1;
  let elapsed = 0n;
  // Batches grow so the clock is read rarely compared with the work measured.
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) sink.value = fn();
    calls += batch;
    elapsed = process.hrtime.bigint() - start;
    if (batch < 1024) batch *= 2;
  }
  return [calls, elapsed];
}

/** Measures `fn` and returns its median ops/s. */
export function measure(name: string, fn: () => unknown, options: MeasureOptions = {}): Measurement {
  const minMs = options.minMs ?? 200;
  const roundCount = options.rounds ?? 5;
  runFor(fn, options.warmupMs ?? 200);
  const rounds: number[] = [];
  for (let r = 0; r < roundCount; r++) {
    const [calls, ns] = runFor(fn, minMs);
    rounds.push((calls * 1e9) / Number(ns));
  }
  const sorted = [...rounds].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const opsPerSec = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { name, opsPerSec, rounds };
}

/** Formats ops/s with thousands separators. */
export function formatOps(opsPerSec: number): string {
  return `${Math.round(opsPerSec).toLocaleString('en-US')} ops/s`;
}

/**
 * Prints each measurement, and its speed relative to `baseline` (measured in the same run,
 * so machine speed cancels out).
 */
export function report(measurements: readonly Measurement[], baseline?: Measurement): void {
  const width = Math.max(...measurements.map((m) => m.name.length));
  for (const m of measurements) {
    const ratio =
      baseline === undefined || m === baseline
        ? ''
        : `  ${(m.opsPerSec / baseline.opsPerSec).toFixed(2)}× baseline`;
    console.log(`  ${m.name.padEnd(width)}  ${formatOps(m.opsPerSec).padStart(18)}${ratio}`);
  }
}
