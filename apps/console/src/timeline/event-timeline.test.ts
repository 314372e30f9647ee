import { describe, expect, it } from 'vitest';
import { EventTimeline, type TimelineEvent } from './event-timeline.ts';
import { followEvents, type FeedState } from './follow-events.ts';

const event = (sequence: number, type = 'STEP_STARTED'): TimelineEvent => ({ sequence, type });

describe('EventTimeline', () => {
  it('keeps events 1..n, drops a replayed event and refuses one past a hole', () => {
    const timeline = new EventTimeline();
    expect(timeline.add(event(1))).toBe('added');
    expect(timeline.add(event(2))).toBe('added');
    expect(timeline.add(event(2))).toBe('duplicate');
    expect(timeline.add(event(1))).toBe('duplicate');
    expect(timeline.add(event(4))).toBe('gap');
    expect(timeline.events.map((e) => e.sequence)).toEqual([1, 2]);
    expect(timeline.lastSequence).toBe(2);
    expect(timeline.finished).toBe(false);
    expect(timeline.add(event(3, 'WORKFLOW_SUCCEEDED'))).toBe('added');
    expect(timeline.finished).toBe(true);
  });
});

/**
 * A feed like the API's: each subscription replays the stored events after `afterSequence`, then
 * the connection drops after `dropAfter` events (or it replays from an earlier point than asked,
 * as an overlapping replay would).
 */
function flakyFeed(all: TimelineEvent[], plan: Array<{ dropAfter: number; replayFrom?: number; fail?: boolean }>) {
  const asked: Array<number | undefined> = [];
  const subscribe = (afterSequence: number | undefined, opened: () => void) => {
    asked.push(afterSequence);
    const step = plan[asked.length - 1] ?? { dropAfter: Infinity };
    return (async function* () {
      if (step.fail) throw new Error('socket closed before it opened');
      opened();
      const from = step.replayFrom ?? afterSequence ?? 0;
      let sent = 0;
      for (const e of all.filter((x) => x.sequence > from)) {
        if (sent === step.dropAfter) throw new Error('connection lost');
        sent += 1;
        yield e;
      }
    })();
  };
  return { subscribe, asked };
}

describe('followEvents', () => {
  const all = [...Array.from({ length: 9 }, (_, i) => event(i + 1)), event(10, 'WORKFLOW_SUCCEEDED')];
  const noSleep = async () => undefined;

  it('resumes after the last event shown after every lost connection, with no gap and no duplicate', async () => {
    const feed = flakyFeed(all, [{ dropAfter: 3 }, { fail: true, dropAfter: 0 }, { dropAfter: 2, replayFrom: 1 }, { dropAfter: Infinity }]);
    const timeline = new EventTimeline();
    const states: FeedState[] = [];
    const seen: number[] = [];
    await followEvents({ subscribe: feed.subscribe, timeline, onEvent: (e) => seen.push(e.sequence), onState: (s) => states.push(s), signal: new AbortController().signal, sleep: noSleep });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(feed.asked).toEqual([undefined, 3, 3, 3]);
    expect(states.filter((s) => s.kind === 'reconnecting')).toEqual([
      { kind: 'reconnecting', attempt: 1, afterSequence: 3, reason: 'connection lost' },
      { kind: 'reconnecting', attempt: 2, afterSequence: 3, reason: 'socket closed before it opened' },
      { kind: 'reconnecting', attempt: 1, afterSequence: 3, reason: 'connection lost' },
    ]);
    expect(states.at(-1)).toEqual({ kind: 'complete' });
  });

  it('resubscribes from the last event when an event arrives past a hole instead of showing it', async () => {
    const withHole = all.filter((e) => e.sequence !== 5);
    let calls = 0;
    const timeline = new EventTimeline();
    await followEvents({
      timeline,
      subscribe: (after, opened) => {
        calls += 1;
        const source = calls === 1 ? withHole : all;
        return (async function* () {
          opened();
          yield* source.filter((e) => e.sequence > (after ?? 0));
        })();
      },
      onEvent: () => undefined,
      onState: () => undefined,
      signal: new AbortController().signal,
      sleep: noSleep,
    });
    expect(calls).toBe(2);
    expect(timeline.events.map((e) => e.sequence)).toEqual(all.map((e) => e.sequence));
  });

  it('shows live as soon as the connection opens, even when a waiting workflow sends nothing new', async () => {
    const stop = new AbortController();
    const states: string[] = [];
    const timeline = new EventTimeline();
    timeline.add(event(1));
    const done = followEvents({
      timeline,
      subscribe: (_after, opened) =>
        (async function* () {
          opened();
          await new Promise(() => undefined);
          yield event(2);
        })(),
      onEvent: () => undefined,
      onState: (s) => {
        states.push(s.kind);
        if (s.kind === 'live') stop.abort();
      },
      signal: stop.signal,
      sleep: noSleep,
    });
    await done;
    expect(states).toEqual(['connecting', 'live', 'stopped']);
  });
});
