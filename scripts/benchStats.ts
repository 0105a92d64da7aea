// Statistics and formatting shared by the benchmark's modules (bench.ts, benchChunks.ts,
// benchVscode.ts, benchSuite). Imports nothing: values travel as arguments.
import { readFileSync } from 'node:fs';

export interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
  /** Distribution-free 95 % confidence interval of the median (order statistics); [min, max] below 9 runs. */
  ci: [number, number];
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n;
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return sum;
}

export function stats(samples: number[]): Stat {
  if (!samples.length) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  const median = n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  // The largest k with P(X < k) ≤ 2.5 %: [x(k), x(n+1-k)] (1-based) covers the median with ≥ 95 %.
  let k = 1;
  while (k + 1 <= mid && binomialHalfCdf(n, k) <= 0.025) k++;
  return { median, min: sorted[0], max: sorted[n - 1], runs: n, ci: [sorted[k - 1], sorted[n - k]] };
}

/** Half the width of the median's 95 % interval, relative to the median. */
export function relativeSpread(s: Stat): number {
  return s.median === 0 ? 0 : (s.ci[1] - s.ci[0]) / 2 / Math.abs(s.median);
}

export interface SampleOptions {
  /** Samples taken before stability is judged. */
  min: number;
  /** Give up on stability here. */
  max: number;
  /** Stop once the median's 95 % interval is within ± this fraction of it (0.05 = ±5 %). */
  tolerance: number;
  /** Untimed calls first (JIT, file cache). */
  warmup?: number;
}

/**
 * Calls `measure` until the median of what it returns is stable: at least `min` times, then
 * until the median's 95 % interval is within ±tolerance, at most `max` times.
 */
export async function sampleUntilStable(measure: () => Promise<number> | number, options: SampleOptions): Promise<Stat> {
  for (let i = 0; i < (options.warmup ?? 0); i++) await measure();
  const samples: number[] = [];
  while (samples.length < options.max) {
    samples.push(await measure());
    if (samples.length >= options.min && relativeSpread(stats(samples)) <= options.tolerance) break;
  }
  return stats(samples);
}

async function elapsed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Wall time of `fn` in ms, sampled until its median is stable (defaults: 9 to 41 runs, ±5 %). */
export function time(fn: () => Promise<unknown> | unknown, options: Partial<SampleOptions> = {}): Promise<Stat> {
  return sampleUntilStable(() => elapsed(fn), { min: 9, max: 41, tolerance: 0.05, warmup: 1, ...options });
}

export interface Paired {
  reference: Stat;
  subject: Stat;
  /** Median of the per-pair ratios subject / reference: each pair ran back to back, so load bursts cancel. */
  ratio: Stat;
}

/**
 * A figure against a reference measured in the same run: the two alternate (reference first on
 * even rounds, subject first on odd ones) until the median of the per-pair ratios is stable.
 */
export async function timePaired(reference: () => Promise<unknown> | unknown, subject: () => Promise<unknown> | unknown, options: Partial<SampleOptions> = {}): Promise<Paired> {
  const o = { min: 9, max: 41, tolerance: 0.05, warmup: 1, ...options };
  for (let i = 0; i < o.warmup; i++) {
    await reference();
    await subject();
  }
  const refs: number[] = [];
  const subs: number[] = [];
  const ratios: number[] = [];
  while (ratios.length < o.max) {
    let r: number;
    let s: number;
    if (ratios.length % 2 === 0) {
      r = await elapsed(reference);
      s = await elapsed(subject);
    } else {
      s = await elapsed(subject);
      r = await elapsed(reference);
    }
    refs.push(r);
    subs.push(s);
    ratios.push(s / r);
    if (ratios.length >= o.min && relativeSpread(stats(ratios)) <= o.tolerance) break;
  }
  return { reference: stats(refs), subject: stats(subs), ratio: stats(ratios) };
}

const pct = (s: Stat) => `±${(relativeSpread(s) * 100).toFixed(0)}%`;
export const ms = (s: Stat) => `${s.median.toFixed(1)} ms ${pct(s)} (${s.min.toFixed(1)}–${s.max.toFixed(1)}, n=${s.runs})`;
export const mb = (s: Stat) => `${s.median.toFixed(1)} MB (${s.min.toFixed(1)}–${s.max.toFixed(1)}, n=${s.runs})`;
export const times = (s: Stat) => `${s.median.toFixed(2)}× ${pct(s)} (${s.min.toFixed(2)}–${s.max.toFixed(2)}, n=${s.runs})`;
export const us = (s: Stat) => `${(s.median * 1000).toFixed(1)} µs ${pct(s)} (${(s.min * 1000).toFixed(1)}–${(s.max * 1000).toFixed(1)}, n=${s.runs})`;
export const signed = (msValue: number) => `${msValue >= 0 ? '+' : ''}${msValue.toFixed(1)} ms`;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * Milliseconds the calling thread has run on a CPU (Linux: /proc/thread-self/schedstat), so time
 * spent waiting for a CPU on a busy machine, or for another process to answer, is not counted.
 * Wall time (performance.now()) where that file is missing.
 */
export function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return performance.now();
  }
}

/** One line of the results table; `met` is set when the figure has a target. */
export type RowFn = (group: string, figure: string, value: string, target?: string, met?: boolean) => void;
