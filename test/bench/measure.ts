/** One row of `bench/results.json` (shape fixed by ../shared/quality.md). */
export interface Row {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  target: number;
  p50Ms?: number;
  p99Ms?: number;
  notes?: string;
}

export interface BenchOptions {
  seconds: number;
  rounds: number;
  events: number;
}

export interface Sample {
  /** Operations per second. */
  rate: number;
  latenciesMs: number[];
  /** Percentiles a load generator computed itself (autocannon), when it gives no latencies. */
  p50Ms?: number;
  p99Ms?: number;
}

/**
 * Runs `op` from `workers` loops at once for `seconds` (and at most `maxOps` operations), and
 * answers operations per second with every operation's latency. Bounded in time and count.
 */
export async function throughput(
  op: (worker: number, i: number) => Promise<unknown>,
  options: { seconds: number; workers: number; maxOps?: number },
): Promise<Sample> {
  const deadline = Date.now() + options.seconds * 1000;
  const maxOps = options.maxOps ?? 2_000_000;
  const latenciesMs: number[] = [];
  let started = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: options.workers }, async (_, worker) => {
      while (Date.now() < deadline && started < maxOps) {
        const i = started++;
        const t = process.hrtime.bigint();
        await op(worker, i);
        latenciesMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rate: latenciesMs.length / elapsed, latenciesMs };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * Baseline and subject alternate for `rounds` rounds (so drift on a shared machine hits both);
 * each side keeps its median round. The subject's latencies come from its median round.
 */
export async function compare(
  rounds: number,
  baseline: () => Promise<Sample>,
  subject: () => Promise<Sample>,
): Promise<{ baseline: Sample; subject: Sample }> {
  const base: Sample[] = [];
  const subj: Sample[] = [];
  for (let i = 0; i < rounds; i++) {
    base.push(await baseline());
    subj.push(await subject());
  }
  const pick = (samples: Sample[]) =>
    [...samples].sort((a, b) => a.rate - b.rate)[Math.floor(samples.length / 2)];
  return { baseline: pick(base), subject: pick(subj) };
}

/** A throughput row: value and baseline in ops/s, ratio = value ÷ baseline. */
export function throughputRow(
  name: string,
  target: number,
  result: { baseline: Sample; subject: Sample },
  unit = 'ops/s',
  notes?: string,
): Row {
  const value = round(result.subject.rate);
  const baseline = round(result.baseline.rate);
  return {
    name,
    value,
    unit,
    baseline,
    ratio: round(value / baseline, 3),
    target,
    p50Ms: round(result.subject.p50Ms ?? percentile(result.subject.latenciesMs, 50), 2),
    p99Ms: round(result.subject.p99Ms ?? percentile(result.subject.latenciesMs, 99), 2),
    ...(notes !== undefined && { notes }),
  };
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
