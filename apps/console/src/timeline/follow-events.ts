import { EventTimeline, type TimelineEvent } from './event-timeline.ts';

/** What the run page shows about its live feed. */
export type FeedState =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; attempt: number; afterSequence: number; reason: string }
  | { kind: 'complete' }
  | { kind: 'stopped' };

export class TimelineGapError extends Error {
  constructor(expected: number, got: number) {
    super(`event ${got} arrived while ${expected} was expected`);
  }
}

export interface FollowOptions<E extends TimelineEvent> {
  /**
   * Open the subscription for the events after `afterSequence` (undefined: from the first); call
   * `opened` once the connection is up (a waiting workflow may send nothing new for a long time).
   */
  subscribe: (afterSequence: number | undefined, opened: () => void) => AsyncIterable<E>;
  timeline: EventTimeline<E>;
  /** Told after every event added to the timeline. */
  onEvent: (event: E, timeline: EventTimeline<E>) => void;
  onState: (state: FeedState) => void;
  signal: AbortSignal;
  /** Waits before each retry; the last one repeats. */
  retryDelaysMs?: number[];
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/**
 * Follow a workflow's events until its terminal event: whenever the subscription fails or ends
 * early (a lost connection, a restarted gateway), report `reconnecting` and subscribe again after
 * the last event shown, so the timeline has no gap and no duplicate.
 */
export async function followEvents<E extends TimelineEvent>(options: FollowOptions<E>): Promise<void> {
  const { timeline, signal } = options;
  const delays = options.retryDelaysMs ?? [250, 500, 1000, 2000];
  const sleep = options.sleep ?? abortableSleep;
  let attempt = 0;
  let live = false;
  const markLive = () => {
    if (live || signal.aborted) return;
    live = true;
    attempt = 0;
    options.onState({ kind: 'live' });
  };
  // One promise for the whole follow: a listener per awaited event would pile up on the signal.
  const stopped = aborted(signal);
  options.onState({ kind: 'connecting' });
  while (!signal.aborted && !timeline.finished) {
    let reason = 'the subscription ended before the workflow finished';
    live = false;
    try {
      const iterator = options.subscribe(timeline.lastSequence || undefined, markLive)[Symbol.asyncIterator]();
      try {
        for (;;) {
          const next = await Promise.race([iterator.next(), stopped]);
          if (!next || next.done) break;
          markLive();
          const outcome = timeline.add(next.value);
          if (outcome === 'gap') throw new TimelineGapError(timeline.lastSequence + 1, next.value.sequence);
          if (outcome === 'added') options.onEvent(next.value, timeline);
          if (timeline.finished) break;
        }
      } finally {
        void iterator.return?.();
      }
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    if (signal.aborted || timeline.finished) break;
    live = false;
    attempt += 1;
    options.onState({ kind: 'reconnecting', attempt, afterSequence: timeline.lastSequence, reason });
    await sleep(delays[Math.min(attempt - 1, delays.length - 1)]!, signal);
  }
  options.onState(timeline.finished ? { kind: 'complete' } : { kind: 'stopped' });
}

function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}
