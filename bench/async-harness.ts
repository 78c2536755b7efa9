/**
 * Timing for asynchronous work (database round trips, HTTP): runs `total` operations with
 * `concurrency` in flight and reports operations per second and latency percentiles. Use it for
 * both the measured path and its baseline in the same run, so machine speed cancels out.
 */
export interface AsyncMeasurement {
  readonly name: string;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export async function measureAsync(
  name: string,
  operation: (index: number) => Promise<unknown>,
  options: { total: number; concurrency: number; warmup?: number },
): Promise<AsyncMeasurement> {
  for (let i = 0; i < (options.warmup ?? Math.min(50, options.total)); i++) await operation(-1 - i);
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < options.total) {
      const index = next++;
      const t0 = process.hrtime.bigint();
      await operation(index);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { name, opsPerSec: options.total / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

export function reportAsync(measurements: readonly AsyncMeasurement[], baseline: AsyncMeasurement): void {
  const width = Math.max(...measurements.map((m) => m.name.length));
  for (const m of measurements) {
    const ratio =
      m === baseline ? '  (baseline)' : `  ${(m.opsPerSec / baseline.opsPerSec).toFixed(2)}× baseline`;
    console.log(
      `  ${m.name.padEnd(width)}  ${Math.round(m.opsPerSec).toLocaleString('en-US').padStart(9)} ops/s` +
        `  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms${ratio}`,
    );
  }
}
