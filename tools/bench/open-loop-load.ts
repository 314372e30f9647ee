import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { summarize, type LatencySummary } from './percentiles.ts';

/** One GraphQL endpoint under load: every request is a POST of `body(i)` with the same headers. */
export interface LoadTarget {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The JSON body of the i-th request (so requests may differ, e.g. unique inputs). */
  body(index: number): string;
}

export interface LoadRunOptions {
  rate: number;
  warmupSeconds: number;
  seconds: number;
  /** How long to wait after the last send for stragglers before counting them as not completed. */
  graceMs?: number;
}

export interface LoadRunResult {
  target: string;
  rate: number;
  seconds: number;
  /** Requests scheduled in the measured window (after the warm-up). */
  scheduled: number;
  ok: number;
  /** HTTP errors, GraphQL errors and requests that never completed. */
  failed: number;
  notCompleted: number;
  /** Completed responses per second over the measured window. */
  achievedRps: number;
  /** From the scheduled send time to the end of the response body; never-completed ones count as Infinity. */
  latency: LatencySummary;
  /** How late the generator itself sent requests (event-loop lag of the load generator). */
  sendLag: LatencySummary;
  firstError?: string;
}

/**
 * Open-loop load generation: request i is scheduled at start + i/rate whatever happened to the
 * earlier ones, and its latency is measured from that scheduled time, so a stalled server (or a
 * stalled generator) shows up as latency instead of silently lowering the offered rate
 * (no coordinated omission). A keep-alive undici Pool carries the requests.
 */
export class OpenLoopLoad {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    private readonly target: LoadTarget,
    connections = 64,
  ) {
    const url = new URL(target.url);
    this.path = url.pathname + url.search;
    this.pool = new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  }

  async run(options: LoadRunOptions): Promise<LoadRunResult> {
    const { rate, warmupSeconds, seconds } = options;
    const graceMs = options.graceMs ?? 10_000;
    const interval = 1000 / rate;
    const warmupCount = Math.round(rate * warmupSeconds);
    const total = warmupCount + Math.round(rate * seconds);
    const latencies: number[] = [];
    const lags: number[] = [];
    let ok = 0;
    let failed = 0;
    let lastCompletedAt = 0;
    let firstError: string | undefined;
    const inFlight = new Set<Promise<void>>();
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // one listener per request in flight

    const fire = (index: number, scheduledAt: number) => {
      const measured = index >= warmupCount;
      if (measured) lags.push(performance.now() - scheduledAt);
      const request = this.send(index, controller.signal).then(
        (error) => {
          if (!measured) return;
          lastCompletedAt = performance.now();
          latencies.push(lastCompletedAt - scheduledAt);
          if (error) {
            failed += 1;
            firstError ??= error;
          } else ok += 1;
        },
        (error: unknown) => {
          if (!measured) return;
          if (controller.signal.aborted) return; // counted as not completed below
          latencies.push(performance.now() - scheduledAt);
          failed += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        },
      );
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    };

    const start = performance.now() + 20;
    let next = 0;
    while (next < total) {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        fire(next, start + next * interval);
        next += 1;
      }
      if (next < total) {
        const wait = start + next * interval - performance.now();
        await sleep(Math.max(0, Math.floor(wait)));
      }
    }
    const measuredStart = start + warmupCount * interval;
    await Promise.race([Promise.allSettled([...inFlight]), sleep(graceMs)]);
    controller.abort();
    await Promise.allSettled([...inFlight]);
    const scheduled = total - warmupCount;
    const notCompleted = scheduled - latencies.length;
    for (let i = 0; i < notCompleted; i += 1) latencies.push(Number.POSITIVE_INFINITY);
    const windowSeconds = Math.max(seconds, (lastCompletedAt - measuredStart) / 1000);
    return {
      target: this.target.name,
      rate,
      seconds,
      scheduled,
      ok,
      failed: failed + notCompleted,
      notCompleted,
      achievedRps: ok / windowSeconds,
      latency: summarize(latencies),
      sendLag: summarize(lags),
      ...(firstError ? { firstError } : notCompleted ? { firstError: `${notCompleted} request(s) did not complete within ${graceMs} ms` } : {}),
    };
  }

  /** Resolves with an error description, or undefined for a 200 response without GraphQL errors. */
  private async send(index: number, signal: AbortSignal): Promise<string | undefined> {
    const response = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.target.headers },
      body: this.target.body(index),
      signal,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) return `HTTP ${response.statusCode}: ${text.slice(0, 200)}`;
    const parsed = JSON.parse(text) as { data?: unknown; errors?: Array<{ message?: string; extensions?: { code?: string } }> };
    if (parsed.errors?.length) return `${parsed.errors[0]?.extensions?.code ?? 'ERROR'}: ${parsed.errors[0]?.message ?? ''}`.slice(0, 200);
    if (!parsed.data) return 'a response without data';
    return undefined;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** The p95 bound and error budget a rate must meet to count as sustained. */
export interface SustainedCriteria {
  p95Ms: number;
  maxErrorRatio: number;
}

export function isSustained(result: LoadRunResult, criteria: SustainedCriteria): boolean {
  return result.latency.p95 <= criteria.p95Ms && result.failed / Math.max(1, result.scheduled) <= criteria.maxErrorRatio;
}

export interface MaxRateSearch {
  /** The highest rate tried that was sustained (0 when none was). */
  maxSustainedRate: number;
  /** The lowest rate tried that was not (undefined when every rate tried was sustained). */
  firstUnsustainedRate?: number;
  steps: Array<LoadRunResult & { sustained: boolean }>;
  /** Why the search stopped. */
  stoppedBecause: string;
}

export interface MaxRateOptions {
  startRate: number;
  stepSeconds: number;
  stepWarmupSeconds: number;
  /** Stop bisecting when the bracket is narrower than this fraction of the sustained rate. */
  precision: number;
  /** Wall-clock budget for the whole search. */
  budgetSeconds: number;
  /** Never offer more than this (guards the generator and the machine). */
  maxRate: number;
  /** Pause between steps so queues from one step do not spill into the next. */
  pauseSeconds: number;
  criteria: SustainedCriteria;
  onStep?: (step: LoadRunResult & { sustained: boolean }) => void;
}

/**
 * The highest open-loop rate whose p95 stays within the criteria: double from startRate until a
 * rate fails (or halve until one passes), then bisect the bracket, all within a time budget.
 */
export async function findMaxSustainedRate(load: OpenLoopLoad, options: MaxRateOptions): Promise<MaxRateSearch> {
  const began = performance.now();
  const steps: MaxRateSearch['steps'] = [];
  const budgetLeft = () => options.budgetSeconds - (performance.now() - began) / 1000;
  const stepCost = options.stepSeconds + options.stepWarmupSeconds + options.pauseSeconds;
  let good = 0;
  let bad: number | undefined;
  const tryRate = async (rate: number) => {
    const result = await load.run({ rate, warmupSeconds: options.stepWarmupSeconds, seconds: options.stepSeconds, graceMs: 5000 });
    const sustained = isSustained(result, options.criteria);
    const step = { ...result, sustained };
    steps.push(step);
    options.onStep?.(step);
    if (sustained) good = Math.max(good, rate);
    else bad = bad === undefined ? rate : Math.min(bad, rate);
    await sleep(options.pauseSeconds * 1000);
    return sustained;
  };

  let rate = options.startRate;
  // Bracket: double up from a passing rate, or halve down from a failing one.
  if (await tryRate(rate)) {
    while (bad === undefined) {
      if (rate * 2 > options.maxRate) return { maxSustainedRate: good, steps, stoppedBecause: `reached the generator's cap of ${options.maxRate} req/s` };
      if (budgetLeft() < stepCost) return { maxSustainedRate: good, steps, stoppedBecause: 'time budget spent while stepping up' };
      rate *= 2;
      await tryRate(rate);
    }
  } else {
    while (good === 0) {
      rate = Math.floor(rate / 2);
      if (rate < 1) return { maxSustainedRate: 0, firstUnsustainedRate: bad, steps, stoppedBecause: 'no rate of 1 req/s or more was sustained' };
      if (budgetLeft() < stepCost) return { maxSustainedRate: 0, firstUnsustainedRate: bad, steps, stoppedBecause: 'time budget spent while stepping down' };
      await tryRate(rate);
    }
  }
  while (bad !== undefined && (bad - good) / Math.max(good, 1) > options.precision) {
    if (budgetLeft() < stepCost) return { maxSustainedRate: good, firstUnsustainedRate: bad, steps, stoppedBecause: 'time budget spent while bisecting' };
    await tryRate(Math.round((good + bad) / 2));
  }
  return { maxSustainedRate: good, firstUnsustainedRate: bad, steps, stoppedBecause: `bracket narrower than ${Math.round(options.precision * 100)} %` };
}
